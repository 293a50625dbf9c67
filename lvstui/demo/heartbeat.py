"""The demo's two directors and their heartbeat."""

from __future__ import annotations

from ..ha.api import ClusterState, Node


PEER = "debian.cluster.net"       # the demo's other director


class SimulatedHeartbeat:
    """The demo's two directors (cluster.md): rh1 active with the VIP, debian as the backup.

    Failover moves the VIP in the simulated network, so the console shows it move."""

    def __init__(self, network, vip: str = "172.26.46.119", me: str = "rh1.cluster.net",
                 peer: str = PEER):
        self.network, self.vip, self.me, self.peer = network, vip, me, peer

    def state(self) -> ClusterState:
        here = self.vip in self.network.vips()
        return ClusterState(True, self.me, [Node(self.me, "active", "normal", {"eth1": "up"}),
                                            Node(self.peer, "active", "normal", {"eth1": "up"})],
                            "all" if here else "none", "10", "2")

    def standby(self) -> None:
        if self.vip in self.network.vips():
            self.network.remove_vip(self.vip)

    def takeover(self) -> None:
        if self.vip not in self.network.vips():
            self.network.add_vip(self.vip)

    reload_command = "heartbeat -r (simulated: the demo starts no process)"

    def reload(self) -> None:
        """The demo's heartbeat has nothing to re-read."""
