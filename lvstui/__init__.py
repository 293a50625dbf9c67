"""lvstui: a console for Linux Virtual Server (IPVS) clusters with Heartbeat."""

__version__ = "0.1.0"
