"""The demo's two directors under keepalived (``lvstui --demo --ha keepalived``): the reference
cluster run by keepalived, its keepalived.conf in the sandbox, and a keepalived that answers
as the real one does to lvstui — a pid, a VRRP state — and moves the VIP as VRRP would when
lvstui's track file changes this director's priority."""

from __future__ import annotations

import os
import threading
import time

from ..keepalived.checkers import Verdict
from ..keepalived.conf import read
from ..keepalived.priority import TOP, TRACK, PriorityFile, held
from ..keepalived.services import configured_services
from ..keepalived.state import CheckerState, VrrpInstance, VrrpState
from .heartbeat import PEER
from .table import VIP

ME = "rh1.cluster.net"
PRIORITY = {ME: 150, PEER: 100}      # rh1 is the master while both run at their base
ADVERT = 1.0                         # advert_int: a preempting backup takes over after one
WATCH_EVERY = 0.1                    # how often the file is looked at (keepalived: inotify)

CONF = """\
! The reference cluster's director rh1, run by keepalived (the demo's sandbox)
global_defs {{
   router_id rh1
}}

track_file {track} {{
    file "{priority_file}"
    weight 1
    init_file 0
}}

vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 1
    virtual_ipaddress {{
        {vip}/24 dev eth0
    }}
    track_file {{
        {track}
    }}
}}

virtual_server {vip} 80 {{
    delay_loop 6
    lb_algo wlc
    lb_kind DR
    protocol TCP

    real_server 172.26.46.80 80 {{
        weight 1
        inhibit_on_failure
        HTTP_GET {{
            url {{
                path /
                status_code 200
            }}
            connect_timeout 3
        }}
    }}
    real_server 172.26.46.81 80 {{
        weight 1
        inhibit_on_failure
        HTTP_GET {{
            url {{
                path /
                status_code 200
            }}
            connect_timeout 3
        }}
    }}
}}
"""


def write_conf(directory: str) -> str:
    """The demo's keepalived.conf in *directory* (its track file beside it); its path."""
    path = os.path.join(directory, "keepalived.conf")
    with open(path, "w") as fh:
        fh.write(CONF.format(track=TRACK, vip=VIP, priority=PRIORITY[ME],
                             priority_file=os.path.join(directory, "keepalived-priority")))
    return path


class SimulatedKeepalived:
    """keepalived on the demo director as lvstui's ``Keepalived`` adapter sees one: VI_1,
    rh1 at priority 150 against debian's 100, the VIP on the higher one. A number in lvstui's
    track file is added to rh1's priority (kept within 1..254), and the VIP moves one advert
    interval after the order changed. ``close()`` stops its watcher."""

    pid_file = "(the demo's keepalived, simulated)"

    def __init__(self, network, conf: str, checks, table=None):
        self.network, self.path, self.conf = network, PriorityFile(conf).path(), conf
        self.checks = checks           # the demo's real servers, as its checkers find them
        self.table = table             # where its checkers set weights (None: nowhere)
        self.services, _ = configured_services(read(conf))
        self._alive: dict = {}         # (service key, server key) -> alive at the last look
        self.since = time.time()
        self._stop = threading.Event()
        self._master = self._holder()
        self._watcher = threading.Thread(target=self._watch, name="demo-keepalived",
                                         daemon=True)
        self._watcher.start()

    def pid(self) -> int:
        return os.getpid()

    def effective(self) -> int:
        """rh1's priority with lvstui's track file added."""
        return max(1, min(TOP, PRIORITY[ME] + held(self.path)))

    def state(self) -> VrrpState:
        here = VIP in self.network.vips()
        instance = VrrpInstance(
            "VI_1", "MASTER" if here else "BACKUP", 51, "eth0", PRIORITY[ME], self.effective(),
            (f"{VIP}/24",), self.since, master_priority=0 if here else PRIORITY[PEER])
        return VrrpState(True, self.pid(), (instance,), age=0.0, fresh=True)

    def checkers(self) -> CheckerState:
        """Its HTTP_GET verdicts on the real servers of its keepalived.conf (RS2 fails 20 s
        of every 90 s, as the demo's checks find it)."""
        verdicts = []
        for svc in self.services:
            for rs in svc.servers:
                failing = self.checks.failing(rs.address)
                verdicts.append(Verdict(svc.name, rs.endpoint, not failing, int(failing),
                                        rs.weight, ("HTTP_GET",), True, True, 6.0))
        return CheckerState(True, tuple(verdicts), age=0.0, fresh=True, pid=self.pid())

    def _check(self) -> None:
        """As keepalived's checker acts on a verdict that changed (inhibit_on_failure): weight
        0 when a server fails, keepalived.conf's weight when it passes again (a live weight
        in between is set back then)."""
        for svc in self.services:
            for rs in svc.servers:
                alive = not self.checks.failing(rs.address)
                key = (svc.key, rs.key)
                if self._alive.get(key, True) != alive and self.table is not None:
                    self.table.set_weight(svc, rs.address, rs.port, rs.weight if alive else 0)
                self._alive[key] = alive

    def _holder(self) -> str:
        return ME if self.effective() > PRIORITY[PEER] else PEER

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_EVERY):
            self._check()
            holder = self._holder()
            if holder != self._master:
                self._master = holder
                if not self._stop.wait(ADVERT):
                    self._move(holder)

    def _move(self, holder: str) -> None:
        if holder == ME:
            self.network.add_vip(VIP)
        else:
            self.network.remove_vip(VIP)
        self.since = time.time()

    def close(self) -> None:
        self._stop.set()
        self._watcher.join()
