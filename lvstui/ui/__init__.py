"""The Textual console. It talks to backends only through ``lvstui.ipvs.Backend``."""
