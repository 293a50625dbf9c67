"""Heartbeat (Linux-HA): its configuration files, its state, manual failover."""

HA_DIR = "/etc/ha.d"            # heartbeat's ha.cf, haresources and authkeys


class HeartbeatError(Exception):
    """Heartbeat could not be asked; the message is for the operator."""
