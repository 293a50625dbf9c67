"""The HA managers behind one face for the console and the recorder: heartbeat's adapter as it
is, keepalived's VRRP instances read as a ClusterState (manager "keepalived"). Failover through
keepalived is not built yet: asked, it says so."""

from __future__ import annotations

import os

from ..ha import HeartbeatError
from ..ha.api import ClusterState
from ..keepalived.state import Keepalived


def running_manager() -> str:
    """The HA manager of this director: keepalived where it runs (its pid file), else
    heartbeat."""
    return "keepalived" if Keepalived().pid() is not None else "heartbeat"


class KeepalivedCluster:
    """keepalived as the console's HA manager: its instances as a ClusterState (this
    director's resources: all where every instance is MASTER, none where none is)."""

    def __init__(self, keepalived: Keepalived | None = None, me: str | None = None):
        self.keepalived = keepalived or Keepalived()
        self.me = me or os.uname().nodename

    def state(self):
        state = self.keepalived.state()
        if not state.running:
            return ClusterState(False, self.me, error=state.error, manager="keepalived")
        masters = [v for v in state.instances if v.state == "MASTER"]
        resources = ("all" if masters and len(masters) == len(state.instances) else
                     "none" if not masters else "some")
        shown = " · ".join(f"{v.name} {v.state} (priority {v.effective_priority})"
                           for v in state.instances) or "no VRRP instance"
        age = "" if state.fresh else f" · STALE: {state.error}"
        return ClusterState(True, self.me, [], resources, manager="keepalived",
                            summary=f"{self.me} (here): {shown}{age}", error=state.error)

    def standby(self) -> None:
        raise HeartbeatError("standby through keepalived is not built yet (it will lower this "
                             "director's priority, never stop keepalived)")

    takeover = standby
    reload_command = "keepalived: reload with kill -HUP (not from lvstui yet)"

    def reload(self) -> None:
        raise HeartbeatError("reloading keepalived from lvstui is not built yet")
