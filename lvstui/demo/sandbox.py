"""The demo's own directory: the reference cluster's heartbeat files, a rules file, the audit
log and the health state live here, so the demo reads and writes nothing of the host's."""

from __future__ import annotations

import os
import shutil
import tempfile

# The reference cluster's heartbeat files (shared/reference/cluster.md)
HA_CF = """\
logfacility local0
keepalive 2
deadtime 10
warntime 10
initdead 20
udpport 694
auto_failback on
ucast eth1 192.168.0.1
node    rh1.cluster.net
node    debian.cluster.net
"""
HARESOURCES = "rh1.cluster.net 172.26.46.119/24/eth0\n"
AUTHKEYS = "auth 2\n2 sha1 helloworld\n"


class Sandbox:
    """A temporary directory holding every file the demo touches; removed by ``close()``."""

    def __init__(self, root: str | None = None):
        self.root = root or tempfile.mkdtemp(prefix="lvstui-demo-")
        self.ha_dir = os.path.join(self.root, "ha.d")
        self.rules = os.path.join(self.root, "ipvsadm.rules")
        self.audit = os.path.join(self.root, "audit.log")
        self.health_state = os.path.join(self.root, "health.json")
        os.makedirs(self.ha_dir, exist_ok=True)
        for name, text in (("ha.cf", HA_CF), ("haresources", HARESOURCES),
                           ("authkeys", AUTHKEYS)):
            with open(os.path.join(self.ha_dir, name), "w") as fh:
                fh.write(text)
        os.chmod(os.path.join(self.ha_dir, "authkeys"), 0o600)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
