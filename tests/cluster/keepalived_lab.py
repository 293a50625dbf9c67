"""The seed's cluster run by keepalived 2.2.7 instead of heartbeat (shared/labs/README.md,
``keepalived-pair.sh``), for the cluster tier and the bench:

- LD1 and LD2 as in lab.py (eth0 on the LAN, eth1 on the sync link, the sync daemons), each
  running keepalived in its own mount namespace with /etc/keepalived and /run of its own, where
  lvstui finds them by default: VRRP for the VIP on eth0 (priorities 150 and 100, preempting
  as the seed's auto_failback does), the seed's virtual server (LVS-DR, wlc, RS1 and RS2,
  weight 1, a TCP_CHECK each) built by keepalived itself, and lvstui's ``track_file`` through
  which ``lvstui ha standby|takeover`` move this director's priority;
- RS1, RS2 and the client as in lab.py.

Run inside the ip_vs VM as root.
"""

from __future__ import annotations

import os
import subprocess
import time

from ..heartbeat.harness import VIP
from ..pace import patience, until
from .lab import REAL_SERVERS, Cluster, server_rows

PRIORITY = {1: 150, 2: 100}
REAL_SERVER = """\
    real_server {ip} 80 {{
        weight 1
        TCP_CHECK {{
            connect_timeout 1
        }}
    }}
"""
CONFIG = """\
! LD{n}: the seed's director, run by keepalived
global_defs {{
    router_id LD{n}
}}
track_file lvstui_priority {{
    file "{dir}/priority"
    weight 1
    init_file 0
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 1
    track_file {{
        lvstui_priority
    }}
    virtual_ipaddress {{
        {vip}/24 dev eth0
    }}
}}
virtual_server {vip} 80 {{
    delay_loop 1
    lb_algo wlc
    lb_kind DR
    protocol TCP
{servers}}}
"""


class KeepalivedCluster(Cluster):
    """The cluster with keepalived on both directors (started by ``start_both``)."""

    manager, log_name = "keepalived", "keepalived.log"

    def up(self) -> None:
        super().up()
        for n in self.ns:
            self.ipvsadm(n, "-C")                   # keepalived builds the table itself

    def _node_files(self, n: int) -> None:
        super()._node_files(n)
        d = self.node_dir(n)
        for sub in ("etc-keepalived", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        servers = "".join(REAL_SERVER.format(ip=ip) for ip in REAL_SERVERS.values())
        with open(self.conf(n), "w") as fh:
            fh.write(CONFIG.format(n=n, dir=d, priority=PRIORITY[n], vip=VIP, servers=servers))

    def conf(self, n: int) -> str:
        return os.path.join(self.node_dir(n), "etc-keepalived", "keepalived.conf")

    def start(self, n: int) -> None:
        """keepalived on director n, in the foreground of its mount namespace (its dumps in
        the node's tmp, its log in the node's log/keepalived.log)."""
        d = self.node_dir(n)
        anchor, pid = os.path.join(d, "anchor.pid"), os.path.join(d, "run", "keepalived.pid")
        for stale in (anchor, pid):
            if os.path.exists(stale):
                os.unlink(stale)
        script = (f"hostname {self.names[n]}; mount --bind {d}/etc-keepalived /etc/keepalived; "
                  f"mount --bind {d}/run /run; echo $$ > {anchor}; "
                  f"TMPDIR={d}/tmp keepalived --dont-fork --log-console --no-syslog "
                  f">> {d}/log/keepalived.log 2>&1 & exec sleep infinity")
        self.procs[n] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[n], "unshare", "-m", "-u", "--propagation", "private",
             "sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        until(lambda: os.path.exists(pid), 5, f"keepalived on LD{n} started")

    def start_both(self, timeout: float | None = None) -> None:
        """Both keepalived, then until LD1 holds the VIP and its checkers let both real
        servers in (weight 1 in LD1's table)."""
        for n in self.ns:
            self.start(n)
        self.wait_holder(1, timeout or patience(10))
        self.wait_stable(timeout)
        self.wait_weights(1)

    def wait_weights(self, n: int) -> None:
        def both_in() -> bool:
            rows = server_rows(self.ipvsadm(n, "-Ln"))
            return all(rows.get(f"{ip}:80", [])[1:2] == ["1"] for ip in REAL_SERVERS.values())
        until(both_in, 10, f"keepalived's checkers on LD{n} letting both real servers in")

    def wait_stable(self, timeout: float | None = None, nodes=(1, 2)) -> None:
        """Until one director holds the VIP on four reads in a row, half a second apart."""
        deadline = time.monotonic() + (timeout or patience(10))
        calm = 0
        while calm < 4:
            calm = calm + 1 if self.holder() is not None else 0
            assert time.monotonic() < deadline, f"no one director holds the VIP\n" \
                                                f"{self.log_tails()}"
            time.sleep(0.5)

    def revive(self, n: int) -> None:
        """Back from the dead with an empty table, as a rebooted box is (keepalived builds it
        again)."""
        self.ipvsadm(n, "-C")
        super().revive(n)
