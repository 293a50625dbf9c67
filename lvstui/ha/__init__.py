"""Heartbeat (Linux-HA): its configuration files, its state, manual failover."""


class HeartbeatError(Exception):
    """Heartbeat could not be asked; the message is for the operator."""
