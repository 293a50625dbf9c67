"""The demo cluster as its director rh1 sees it, one for the console and every command given
``--demo``: the table with traffic, the network, heartbeat, the health checks, the past hour
recorded, the files in a sandbox and the peer an agent process. Nothing under /etc, /run or
/var is read or written, and no ssh is started."""

from __future__ import annotations

import os
import time

from ..audit import AuditLog
from ..ha.check import HostFacts
from .checks import SimulatedChecks, demo_health
from .heartbeat import SimulatedHeartbeat
from .keepalived import ME, SimulatedKeepalived, write_conf
from .network import SimulatedNetwork
from .past import record_past
from .sandbox import Sandbox
from .table import VIP, Traffic, reference_cluster

HEALTH_TOML = f"""\
# The demo's checks (the console checks the same way): HTTP every 2 s, down after 2, up after 2
[[service]]
virtual = "tcp {VIP}:80"
check = "http"
interval = 2
fall = 2
rise = 2
"""


class DemoWorld:
    """Everything the demo director has; ``close()`` removes its sandbox. *ha*: the HA manager
    its directors run — heartbeat (the seed's), keepalived (VRRP: ``keepalived``, whose
    priority lvstui's track file moves) or none. ``heartbeat``: the manager the session
    drives (None but for heartbeat until the wiring sets it: ``console.demo_world``)."""

    def __init__(self, audit_path: str | None = None, ha: str = "heartbeat"):
        self.sandbox = Sandbox()
        self.table = reference_cluster()
        self.network = SimulatedNetwork()
        self.traffic = Traffic(self.table, holds=lambda vip: vip in self.network.vips())
        self.keepalived = self.keepalived_conf = None
        self.heartbeat = SimulatedHeartbeat(self.network) if ha == "heartbeat" else None
        self.checks = SimulatedChecks()
        if ha == "keepalived":        # the wiring puts lvstui's KeepalivedCluster on it
            self.keepalived_conf = write_conf(self.sandbox.root)
            self.keepalived = SimulatedKeepalived(self.network, self.keepalived_conf,
                                                  self.checks, self.table)
        self.me = ME
        self.audit = AuditLog(audit_path or self.sandbox.audit)
        self.history_path = os.path.join(self.sandbox.root, "history.db")
        self.health_config = os.path.join(self.sandbox.root, "health.toml")
        with open(self.health_config, "w") as fh:
            fh.write(HEALTH_TOML)
        self._health = None

    def record_past(self) -> None:
        """The last hour of the demo cluster into its history (once)."""
        if not os.path.exists(self.history_path):
            record_past(self.history_path, self.table, self.me, time.time())

    @property
    def health(self):
        """The console's own monitor of the simulated servers (made when first asked); under
        keepalived, keepalived's checkers (they set the weights, as the real one's do)."""
        if self._health is None:
            from ..health.keepalived import KeepalivedChecks
            self._health = (KeepalivedChecks(self.keepalived, every=1.0)
                            if self.keepalived is not None
                            else demo_health(self.table, self.audit.by("monitor").record))
        return self._health

    def places(self) -> dict:
        """The session's paths and name, in the sandbox."""
        return dict(ha_dir=self.sandbox.ha_dir, rules_path=self.sandbox.rules,
                    hostname=self.me, history_path=self.history_path)

    def host_facts(self) -> HostFacts:
        """What heartbeat would find on the demo director: its interfaces, its resource
        scripts, its peers' names resolving."""
        interfaces = {label.split(":")[0]: True for label in self.network.vips().values()}
        return HostFacts(interfaces, lambda path: True, lambda path: True, lambda name: True)

    def keepalived_facts(self):
        """What keepalived would find on the demo director: its interfaces (lo a loopback)."""
        from ..keepalived.check import HostFacts as KeepalivedFacts
        names = {label.split(":")[0] for label in self.network.vips().values()}
        return KeepalivedFacts({name: False for name in names} | {"lo": True})

    def close(self) -> None:
        if self.keepalived is not None:
            self.keepalived.close()
        if self._health is not None:
            self._health.close()
        self.network.close()
        self.table.close()
        self.sandbox.close()
