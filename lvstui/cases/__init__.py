"""The use cases by area, each a small class the session composes: the table
(``table``), the one history of actions (``journal``), the pair (``pair``), the incident
record (``record``), the HA manager (``ha``) and the host's network (``network``)."""
