"""ipvsadm's sort order (libipvs's): services and real servers listed, saved and compared
in the order ipvsadm itself uses, IPv4 addresses keyed by their bytes where its signed
comparison is the natural one."""

from __future__ import annotations

import socket
from functools import cmp_to_key

from ..model import RealServer, VirtualService

PROTO_ORDER = {"tcp": 6, "udp": 17, "sctp": 132, "fwmark": 0}


def _signed(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _addr_words(address: str, family: int) -> tuple[int, ...]:
    if family != 6:                                  # the common case, without a loop
        return (int.from_bytes(socket.inet_pton(socket.AF_INET, address), "big"),)
    raw = socket.inet_pton(socket.AF_INET6, address)
    return tuple(int.from_bytes(raw[i:i + 4], "big") for i in range(0, 16, 4))


def _cmp_keys(k1: tuple, k2: tuple) -> int:
    """libipvs's comparison on (prefix, address words, port) keys: it subtracts unsigned
    32-bit words and reads the result as a signed int, so 172.x sorts before 10.x."""
    if k1[0] != k2[0]:
        return -1 if k1[0] < k2[0] else 1
    for x, y in zip(k1[1], k2[1]):
        r = _signed(x - y)
        if r:
            return r
    return k1[2] - k2[2]


def _ipvsadm_sorted(items: list, keys: list[tuple]) -> list:
    """Sort as ipvsadm does; where every address word spans less than 2^31 the signed
    comparison is the natural one, so the fast key sort gives the same order."""
    natural = True
    width = max((len(k[1]) for k in keys), default=0)
    for i in range(width):
        words = [k[1][i] for k in keys if len(k[1]) > i]
        if words and max(words) - min(words) >= 1 << 31:
            natural = False
            break
    order = sorted(range(len(items)), key=keys.__getitem__) if natural else \
        sorted(range(len(items)), key=cmp_to_key(lambda a, b: _cmp_keys(keys[a], keys[b])))
    return [items[i] for i in order]


def sorted_services(services: list[VirtualService]) -> list[VirtualService]:
    keys = [((s.fwmark, s.family, PROTO_ORDER[s.protocol]),
             () if s.is_fwmark else _addr_words(s.address, s.family),
             0 if s.is_fwmark else s.port) for s in services]
    return _ipvsadm_sorted(services, keys)


def sorted_servers(servers: list[RealServer]) -> list[RealServer]:
    try:                         # IPv4 alone, the common case: the address bytes as the key
        keys = [(socket.inet_pton(socket.AF_INET, r.address), r.port) for r in servers]
    except OSError:
        keys = None
    if keys and (int.from_bytes(max(keys)[0], "big") - int.from_bytes(min(keys)[0], "big")
                 < 1 << 31):                # the signed comparison is the natural one
        return [servers[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]
    keys = [((), _addr_words(r.address, r.family), r.port) for r in servers]
    return _ipvsadm_sorted(servers, keys)


