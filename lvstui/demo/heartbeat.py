"""The demo's two directors and their heartbeat."""

from __future__ import annotations

import threading

from ..ha.api import ClusterState, Node


PEER = "debian.cluster.net"       # the demo's other director
STANDBY_TAKES, TAKEOVER_TAKES = 1.3, 1.5    # seconds, as heartbeat took on a real pair


class SimulatedHeartbeat:
    """The demo's two directors (cluster.md): rh1 active with the VIP, debian as the backup.

    Failover moves the VIP in the simulated network after the time heartbeat takes
    (shared/reference/heartbeat.md), so the console shows it move."""

    def __init__(self, network, vip: str = "172.26.46.119", me: str = "rh1.cluster.net",
                 peer: str = PEER):
        self.network, self.vip, self.me, self.peer = network, vip, me, peer
        self.moving = 0                      # hand-overs under way (resources: transition)
        self._lock = threading.Lock()        # moving: counted here and on the timers' threads

    def state(self) -> ClusterState:
        here = self.vip in self.network.vips()
        return ClusterState(True, self.me, [Node(self.me, "active", "normal", {"eth1": "up"}),
                                            Node(self.peer, "active", "normal", {"eth1": "up"})],
                            "transition" if self.moving else "all" if here else "none",
                            "10", "2")

    def standby(self) -> None:
        """As heartbeat does it: asked now, the VIP gone after its resource scripts ran."""
        self._later(STANDBY_TAKES, lambda: self.vip in self.network.vips()
                    and self.network.remove_vip(self.vip))

    def takeover(self) -> None:
        self._later(TAKEOVER_TAKES, lambda: self.vip not in self.network.vips()
                    and self.network.add_vip(self.vip))

    def _later(self, seconds: float, move) -> None:
        def moved() -> None:
            move()
            with self._lock:
                self.moving -= 1
        with self._lock:
            self.moving += 1
        timer = threading.Timer(seconds, moved)
        timer.daemon = True
        timer.start()

    name = "heartbeat"
    reload_command = "heartbeat -r (simulated: the demo starts no process)"

    def reload(self) -> None:
        """The demo's heartbeat has nothing to re-read."""
