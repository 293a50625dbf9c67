"""The kernel's connection table, ``/proc/net/ip_vs_conn`` (no netlink dump exists for it)."""

from __future__ import annotations

import ipaddress
import socket
import struct

from ..model import Connection

PROC_CONN = "/proc/net/ip_vs_conn"


def _address(text: str) -> str:
    if ":" in text:
        return str(ipaddress.IPv6Address(text))
    return socket.inet_ntoa(struct.pack(">I", int(text, 16)))


def _port(text: str) -> int:
    if len(text) > 4:
        raise ValueError(f"port {text!r} wider than 16 bits")
    return int(text, 16)


def parse_connections(text: str) -> list[Connection]:
    """Parse the proc file's text (header line first), skipping lines that do not fit."""
    out = []
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) < 9:
            continue
        try:
            ports = [_port(f[i]) for i in (2, 4, 6)]
            out.append(Connection(f[0].lower(), _address(f[1]), ports[0], _address(f[3]),
                                  ports[1], _address(f[5]), ports[2], f[7], int(f[8]),
                                  *(f[9:11] if len(f) >= 11 else ())))
        except (ValueError, struct.error):        # not hex, or wider than an address
            continue
    return out


def read_connections(path: str = PROC_CONN) -> list[Connection]:
    with open(path) as fh:
        return parse_connections(fh.read())
