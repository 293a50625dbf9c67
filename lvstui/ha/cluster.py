"""One face for the console: this host's heartbeat cluster (the demo's is lvstui.demo)."""

from __future__ import annotations

import os
import subprocess

from . import HeartbeatError
from .api import ClusterState, read_state
from .failover import standby, takeover

HA_CF = "/etc/ha.d/ha.cf"
RELOAD = ["/usr/libexec/heartbeat/heartbeat", "-r"]


class Heartbeat:
    """This host's heartbeat: its API socket for state, its fifo for failover."""

    def __init__(self, ha_cf: str = HA_CF):
        self.ha_cf = ha_cf

    def state(self) -> ClusterState:
        if not os.path.exists(self.ha_cf):
            return ClusterState(False, error=f"no heartbeat configured ({self.ha_cf} not found)")
        return read_state()

    def standby(self) -> None:
        standby()

    def takeover(self) -> None:
        takeover()

    name = "heartbeat"
    reload_command = " ".join(RELOAD)

    def reload(self) -> None:
        """Heartbeat re-reads its files (HeartbeatError with its words when it will not)."""
        try:
            done = subprocess.run(RELOAD, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HeartbeatError(str(exc)) from None
        if done.returncode != 0:
            raise HeartbeatError(done.stderr.strip() or f"exit status {done.returncode}")
