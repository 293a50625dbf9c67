"""One face for the console: the heartbeat cluster (this host's daemon, or the demo's)."""

from __future__ import annotations

import os

from .api import ClusterState, Node, read_state
from .failover import standby, takeover

HA_CF = "/etc/ha.d/ha.cf"


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


class SimulatedHeartbeat:
    """The demo's two directors (cluster.md): rh1 active with the VIP, debian as the backup.

    Failover moves the VIP in the simulated network, so the console shows it move."""

    def __init__(self, network, vip: str = "172.26.46.119", me: str = "rh1.cluster.net",
                 peer: str = "debian.cluster.net"):
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
