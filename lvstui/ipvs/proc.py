"""The table as ``/proc/net/ip_vs`` shows it to any user: the read-only view of an lvstui
that is not root (netlink needs CAP_NET_ADMIN even to read). The kernel writes there only the
scheduler, persistence and netmask of a service and the forwarding, weight and connection
counts of a server (ip_vs_ctl.c, ip_vs_info_seq_show); everything else is the default. The
persistence timeout is written in jiffies: divided by the kernel's HZ (its config file, else
Debian's 250)."""

from __future__ import annotations

import gzip
import os
import re

from ..model import Forwarding, Info, RealServer, VirtualService
from .backend import Backend, gc_paused, IPVSUnavailable, NoSuchService, NotPermitted
from .connections import _address, _port

PROC_TABLE = "/proc/net/ip_vs"
HEADER = re.compile(r"IP Virtual Server version (\S+) \(size=(\d+)\)")
FORWARDING = {"Route": Forwarding.ROUTE, "Masq": Forwarding.MASQ, "Tunnel": Forwarding.TUNNEL,
              "Local": Forwarding.LOCAL}


DEBIAN_HZ = 250


def kernel_hz() -> int:
    """CONFIG_HZ of the running kernel, from its config (/boot, /proc/config.gz)."""
    release = os.uname().release
    for path, opener in ((f"/boot/config-{release}", open), ("/proc/config.gz", gzip.open)):
        try:
            with opener(path, "rt") as fh:
                for line in fh:
                    if line.startswith("CONFIG_HZ="):
                        return int(line.split("=", 1)[1])
        except (OSError, ValueError):
            continue
    return DEBIAN_HZ


def parse_table(text: str, hz: int = DEBIAN_HZ) -> tuple[Info, list[VirtualService]]:
    """The proc file's text as (info, services); lines that do not fit are skipped."""
    lines = text.splitlines()
    head = HEADER.match(lines[0]) if lines else None
    info = Info(head[1], int(head[2])) if head else Info()
    services: list[VirtualService] = []
    for line in lines[3:]:
        try:
            if line.startswith("  -> ") and services:
                services[-1].servers.append(_server(line.split(), services[-1]))
            elif line[:1].isalpha():
                services.append(_service(line.split(), hz))
        except (ValueError, IndexError, KeyError):
            continue
    return info, services


def _endpoint(text: str) -> tuple[str, int]:
    if text.startswith("["):
        address, _, port = text[1:].rpartition("]:")
    else:
        address, _, port = text.rpartition(":")
    return _address(address), _port(port)


def _service(f: list[str], hz: int) -> VirtualService:
    if f[0] == "FWM":
        svc = VirtualService("fwmark", fwmark=int(f[1], 16), scheduler=f[2])
    else:
        address, port = _endpoint(f[1])
        svc = VirtualService(f[0].lower(), address, port, family=6 if ":" in address else 4,
                             scheduler=f[2])
    rest = f[3:]
    if "ops" in rest:
        svc.flags = frozenset({"one-packet"})
    if "persistent" in rest:
        at = rest.index("persistent")
        svc.persistence = int(rest[at + 1]) // hz
        mask = rest[at + 2]
        svc.netmask = int(mask, 16) if svc.family == 4 else int(mask)
    return svc


def _server(f: list[str], svc: VirtualService) -> RealServer:
    address, port = _endpoint(f[1])
    return RealServer(address, port, FORWARDING[f[2]], int(f[3]), active_conns=int(f[4]),
                      inactive_conns=int(f[5]), family=6 if ":" in address else 4)


class ProcTable(Backend):
    """Reads only; every change is NotPermitted (the agent of a user that is not root)."""

    name = "proc"

    def __init__(self, path: str = PROC_TABLE):
        self.path, self.hz = path, kernel_hz()

    def _read(self) -> tuple[Info, list[VirtualService]]:
        try:
            with open(self.path) as fh:
                return parse_table(fh.read(), self.hz)
        except FileNotFoundError:
            raise IPVSUnavailable(f"{self.path} not found") from None

    @gc_paused
    def services(self) -> list[VirtualService]:
        return self._read()[1]

    def info(self) -> Info:
        return self._read()[0]

    def find_service(self, svc: VirtualService) -> VirtualService:
        for live in self.services():
            if live.key == svc.key:
                return live
        raise NoSuchService(svc)

    def timeouts(self):
        raise NotPermitted("read the timeouts")

    def daemons(self):
        raise NotPermitted("read the sync daemons")

    def connections(self):
        from .connections import read_connections
        return read_connections()

    def _denied(self, *args):
        raise NotPermitted()

    _add_service = _edit_service = _delete_service = _denied
    _add_server = _edit_server = _delete_server = _denied
    _set_timeouts = _start_daemon = _denied

    def zero(self, svc=None):
        raise NotPermitted()

    def flush(self):
        raise NotPermitted()

    def stop_daemon(self, state):
        raise NotPermitted()
