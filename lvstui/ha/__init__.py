"""Heartbeat (Linux-HA): its configuration files, its state, manual failover."""
