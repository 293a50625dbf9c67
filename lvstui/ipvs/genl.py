"""The IPVS generic-netlink message format (include/uapi/linux/ip_vs.h): encode requests, decode dumps.

pyroute2 resolves the family and its message classes cover the basic calls, but its IPVS maps
send ``TUN_PORT`` in host order, treat the IPv6 netmask as an IPv4 address, do not wrap timeouts,
daemons, zero or flush, and decode each attribute through generic Python objects (49x ipvsadm's
time on a 100k-server dump). This module speaks the fixed layout directly; real-server dumps are
decoded with one precompiled ``struct`` per message layout.
"""

from __future__ import annotations

import functools
import socket
import struct
from operator import itemgetter

from .backend import IPVSError
from ..model import (UNREAD_STATS, Forwarding, RealServer, Stats, SyncDaemon, Timeouts,
                     V4_HOST_MASK, VirtualService)

# netlink
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x2, 0x4, 0x300
NLA_TYPE_MASK = 0x3FFF
NLMSGHDR = struct.Struct("=IHHII")
GENLHDR_LEN = 4

# commands
(CMD_NEW_SERVICE, CMD_SET_SERVICE, CMD_DEL_SERVICE, CMD_GET_SERVICE, CMD_NEW_DEST, CMD_SET_DEST,
 CMD_DEL_DEST, CMD_GET_DEST, CMD_NEW_DAEMON, CMD_DEL_DAEMON, CMD_GET_DAEMON, CMD_SET_CONFIG,
 CMD_GET_CONFIG, CMD_SET_INFO, CMD_GET_INFO, CMD_ZERO, CMD_FLUSH) = range(1, 18)

# IPVS_CMD_ATTR_*
A_SERVICE, A_DEST, A_DAEMON, A_TIMEOUT_TCP, A_TIMEOUT_TCP_FIN, A_TIMEOUT_UDP = range(1, 7)
# IPVS_SVC_ATTR_*
(SVC_AF, SVC_PROTOCOL, SVC_ADDR, SVC_PORT, SVC_FWMARK, SVC_SCHED_NAME, SVC_FLAGS, SVC_TIMEOUT,
 SVC_NETMASK, SVC_STATS, SVC_PE_NAME, SVC_STATS64) = range(1, 13)
# IPVS_DEST_ATTR_*
(DEST_ADDR, DEST_PORT, DEST_FWD_METHOD, DEST_WEIGHT, DEST_U_THRESH, DEST_L_THRESH,
 DEST_ACTIVE_CONNS, DEST_INACT_CONNS, DEST_PERSIST_CONNS, DEST_STATS, DEST_ADDR_FAMILY,
 DEST_STATS64, DEST_TUN_TYPE, DEST_TUN_PORT, DEST_TUN_FLAGS) = range(1, 16)
# IPVS_DAEMON_ATTR_*
(DAEMON_STATE, DAEMON_MCAST_IFN, DAEMON_SYNC_ID, DAEMON_SYNC_MAXLEN, DAEMON_MCAST_GROUP,
 DAEMON_MCAST_GROUP6, DAEMON_MCAST_PORT, DAEMON_MCAST_TTL) = range(1, 9)
INFO_VERSION, INFO_CONN_TAB_SIZE = 1, 2
STATS_FIELDS = 10          # IPVS_STATS_ATTR_CONNS .. OUTBPS

SVC_F_PERSISTENT, SVC_F_ONEPACKET, SVC_F_SCHED1, SVC_F_SCHED2 = 0x1, 0x4, 0x8, 0x10
DAEMON_STATES = {"master": 1, "backup": 2}
PROTO_NUMBERS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP, "sctp": 132}
PROTO_NAMES = {v: k for k, v in PROTO_NUMBERS.items()}
FWD_CODES = {Forwarding.MASQ: 0, Forwarding.LOCAL: 1, Forwarding.TUNNEL: 2, Forwarding.ROUTE: 3}
FWD_BY_CODE = {v: k for k, v in FWD_CODES.items()}
TUN_TYPES = ("ipip", "gue", "gre")
TUN_CSUM_CODES = {"nocsum": 0, "csum": 1, "remcsum": 2}
TUN_CSUM_BY_CODE = {v: k for k, v in TUN_CSUM_CODES.items()}
AF = {4: socket.AF_INET, 6: socket.AF_INET6}
FAMILY_OF_AF = {socket.AF_INET: 4, socket.AF_INET6: 6}


# ---------------------------------------------------------------- encoding

def nla(kind: int, payload: bytes) -> bytes:
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind) + payload + b"\0" * (-size & 3)


def u8(kind, v): return nla(kind, struct.pack("=B", v))
def u16(kind, v): return nla(kind, struct.pack("=H", v))
def u32(kind, v): return nla(kind, struct.pack("=I", v))
def be16(kind, v): return nla(kind, struct.pack(">H", v))
def string(kind, v): return nla(kind, v.encode() + b"\0")


def message(family_id: int, cmd: int, flags: int, seq: int, attrs: bytes = b"") -> bytes:
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    return NLMSGHDR.pack(NLMSGHDR.size + len(body), family_id, flags, seq, 0) + body


def service_attrs(svc: VirtualService, full: bool = True) -> bytes:
    """IPVS_CMD_ATTR_SERVICE: the key, and with *full* every setting (the kernel needs them all)."""
    a = [u16(SVC_AF, AF[svc.family])]
    if svc.is_fwmark:
        a.append(u32(SVC_FWMARK, svc.fwmark))
    else:
        a += [u16(SVC_PROTOCOL, PROTO_NUMBERS[svc.protocol]),
              nla(SVC_ADDR, socket.inet_pton(AF[svc.family], svc.address)),
              be16(SVC_PORT, svc.port)]
    if full:
        flags = ((SVC_F_PERSISTENT if svc.persistence else 0)
                 | (SVC_F_ONEPACKET if "one-packet" in svc.flags else 0)
                 | (SVC_F_SCHED1 if svc.flags & {"sh-fallback", "mh-fallback"} else 0)
                 | (SVC_F_SCHED2 if svc.flags & {"sh-port", "mh-port"} else 0))
        netmask = struct.pack(">I" if svc.family == 4 else "=I", svc.netmask)
        a += [string(SVC_SCHED_NAME, svc.scheduler),
              nla(SVC_FLAGS, struct.pack("=II", flags, 0xFFFFFFFF)),
              u32(SVC_TIMEOUT, svc.persistence),
              nla(SVC_NETMASK, netmask)]
        if svc.pe:
            a.append(string(SVC_PE_NAME, svc.pe))
    return nla(A_SERVICE, b"".join(a))


def dest_attrs(rs: RealServer, full: bool = True) -> bytes:
    a = [nla(DEST_ADDR, socket.inet_pton(AF[rs.family], rs.address)),
         be16(DEST_PORT, rs.port),
         u16(DEST_ADDR_FAMILY, AF[rs.family])]
    if full:
        a += [u32(DEST_FWD_METHOD, FWD_CODES[rs.forwarding]),
              u32(DEST_WEIGHT, rs.weight),
              u32(DEST_U_THRESH, rs.upper_threshold),
              u32(DEST_L_THRESH, rs.lower_threshold)]
        if rs.forwarding is Forwarding.TUNNEL:
            a += [u8(DEST_TUN_TYPE, TUN_TYPES.index(rs.tunnel_type)),
                  be16(DEST_TUN_PORT, rs.tunnel_port),
                  u16(DEST_TUN_FLAGS, TUN_CSUM_CODES[rs.tunnel_checksum])]
    return nla(A_DEST, b"".join(a))


def daemon_attrs(d: SyncDaemon, full: bool = True) -> bytes:
    a = [u32(DAEMON_STATE, DAEMON_STATES[d.state])]
    if full:
        a += [string(DAEMON_MCAST_IFN, d.interface), u32(DAEMON_SYNC_ID, d.sync_id),
              u16(DAEMON_SYNC_MAXLEN, d.max_len), u16(DAEMON_MCAST_PORT, d.port),
              u8(DAEMON_MCAST_TTL, d.ttl)]
        if ":" in d.group:
            a.append(nla(DAEMON_MCAST_GROUP6, socket.inet_pton(socket.AF_INET6, d.group)))
        else:
            a.append(nla(DAEMON_MCAST_GROUP, socket.inet_pton(socket.AF_INET, d.group)))
    return nla(A_DAEMON, b"".join(a))


def timeout_attrs(t: Timeouts) -> bytes:
    return (u32(A_TIMEOUT_TCP, t.tcp) + u32(A_TIMEOUT_TCP_FIN, t.tcpfin)
            + u32(A_TIMEOUT_UDP, t.udp))


# ---------------------------------------------------------------- decoding

def attrs(buf, off: int, end: int) -> dict[int, tuple[int, int]]:
    """Attribute type -> (payload offset, payload length) for the attributes in buf[off:end]."""
    out = {}
    unpack = struct.unpack_from
    while off + 4 <= end:
        size, kind = unpack("=HH", buf, off)
        if size < 4:
            break
        out[kind & NLA_TYPE_MASK] = (off + 4, size - 4)
        off += (size + 3) & ~3
    return out


def _uint(buf, at: dict, kind: int, default: int = 0) -> int:
    if kind not in at:
        return default
    off, size = at[kind]
    return int.from_bytes(buf[off:off + size], "little")


def _text(buf, at: dict, kind: int) -> str:
    if kind not in at:
        return ""
    off, size = at[kind]
    return bytes(buf[off:off + size]).split(b"\0", 1)[0].decode()


def _addr(buf, at: dict, kind: int, family: int) -> str:
    off, _ = at[kind]
    n = 4 if family == 4 else 16
    return socket.inet_ntop(AF[family], bytes(buf[off:off + n]))


def _stats(buf, at: dict, kind64: int, kind32: int) -> Stats:
    kind = kind64 if kind64 in at else kind32
    if kind not in at:
        return Stats()
    off, size = at[kind]
    nested = attrs(buf, off, off + size)
    return Stats(*(_uint(buf, nested, i) for i in range(1, STATS_FIELDS + 1)))


def _readable(decode):
    """A message the decoder cannot read (truncated, an attribute missing or the wrong size)
    raises IPVSError, never the decoder's own KeyError or struct.error."""
    @functools.wraps(decode)
    def guarded(buf, off: int, end: int):
        try:
            return decode(buf, off, end)
        except (KeyError, IndexError, ValueError, OSError, struct.error) as exc:
            raise IPVSError(f"the kernel's answer could not be read: {decode.__name__} "
                            f"({type(exc).__name__}: {exc})") from None
    return guarded


@_readable
def decode_service(buf, off: int, end: int) -> VirtualService:
    """One IPVS_CMD_ATTR_SERVICE payload."""
    at = attrs(buf, off, end)
    family = FAMILY_OF_AF.get(_uint(buf, at, SVC_AF), 4)
    fwmark = _uint(buf, at, SVC_FWMARK)
    flags_off = at.get(SVC_FLAGS)
    raw_flags = struct.unpack_from("=I", buf, flags_off[0])[0] if flags_off else 0
    sched = _text(buf, at, SVC_SCHED_NAME)
    names = set()
    if raw_flags & SVC_F_ONEPACKET:
        names.add("one-packet")
    if sched in ("sh", "mh"):
        if raw_flags & SVC_F_SCHED1:
            names.add(f"{sched}-fallback")
        if raw_flags & SVC_F_SCHED2:
            names.add(f"{sched}-port")
    if SVC_NETMASK in at:
        nm_off = at[SVC_NETMASK][0]
        netmask = struct.unpack_from(">I" if family == 4 else "=I", buf, nm_off)[0]
    else:
        netmask = V4_HOST_MASK if family == 4 else 128
    svc = VirtualService(
        "fwmark" if fwmark else PROTO_NAMES.get(_uint(buf, at, SVC_PROTOCOL), "tcp"),
        address="" if fwmark else _addr(buf, at, SVC_ADDR, family),
        port=0 if fwmark else int.from_bytes(buf[at[SVC_PORT][0]:at[SVC_PORT][0] + 2], "big"),
        fwmark=fwmark, family=family, scheduler=sched, flags=frozenset(names),
        persistence=_uint(buf, at, SVC_TIMEOUT) if raw_flags & SVC_F_PERSISTENT else 0,
        netmask=netmask, pe=_text(buf, at, SVC_PE_NAME),
        stats=_stats(buf, at, SVC_STATS64, SVC_STATS))
    return svc


@_readable
def decode_dest(buf, off: int, end: int) -> RealServer:
    """One IPVS_CMD_ATTR_DEST payload, attribute by attribute (the reference decoder)."""
    at = attrs(buf, off, end)
    family = FAMILY_OF_AF.get(_uint(buf, at, DEST_ADDR_FAMILY), 4)
    tun_port = at.get(DEST_TUN_PORT)
    return RealServer(
        _addr(buf, at, DEST_ADDR, family),
        int.from_bytes(buf[at[DEST_PORT][0]:at[DEST_PORT][0] + 2], "big"),
        forwarding=FWD_BY_CODE.get(_uint(buf, at, DEST_FWD_METHOD) & 0x7, Forwarding.ROUTE),
        weight=_signed32(_uint(buf, at, DEST_WEIGHT)),
        upper_threshold=_uint(buf, at, DEST_U_THRESH),
        lower_threshold=_uint(buf, at, DEST_L_THRESH),
        tunnel_type=TUN_TYPES[_uint(buf, at, DEST_TUN_TYPE)] if DEST_TUN_TYPE in at else "ipip",
        tunnel_port=int.from_bytes(buf[tun_port[0]:tun_port[0] + 2], "big") if tun_port else 0,
        tunnel_checksum=TUN_CSUM_BY_CODE.get(_uint(buf, at, DEST_TUN_FLAGS) & 0x3, "nocsum"),
        active_conns=_uint(buf, at, DEST_ACTIVE_CONNS),
        inactive_conns=_uint(buf, at, DEST_INACT_CONNS),
        persistent_conns=_uint(buf, at, DEST_PERSIST_CONNS),
        stats=_stats(buf, at, DEST_STATS64, DEST_STATS),
        family=family)


@_readable
def decode_daemon(buf, off: int, end: int) -> SyncDaemon:
    """One IPVS_CMD_ATTR_DAEMON payload."""
    at = attrs(buf, off, end)
    u = lambda k, d=0: _uint(buf, at, k, d)  # noqa: E731
    group = "224.0.0.81"
    if DAEMON_MCAST_GROUP6 in at:
        group = _addr(buf, at, DAEMON_MCAST_GROUP6, 6)
    elif DAEMON_MCAST_GROUP in at:
        group = _addr(buf, at, DAEMON_MCAST_GROUP, 4)
    states = {v: k for k, v in DAEMON_STATES.items()}
    return SyncDaemon(states.get(u(DAEMON_STATE), "master"), _text(buf, at, DAEMON_MCAST_IFN),
                      u(DAEMON_SYNC_ID), u(DAEMON_SYNC_MAXLEN, 1472), group,
                      u(DAEMON_MCAST_PORT, 8848), u(DAEMON_MCAST_TTL, 1))


# raw address -> (text, family), one dict per family, shared by all dumps
_ADDRESS_NAMES: tuple[dict, dict] = ({}, {})


def _signed32(v: int) -> int:
    return v - (1 << 32) if v & 0x80000000 else v


# the raw codes as lists (unknown codes read as the kernel's defaults), for the decoders
FWD_BY_RAW = [FWD_BY_CODE.get(i, Forwarding.ROUTE) for i in range(8)]
TUN_TYPE_BY_RAW = list(TUN_TYPES) + ["ipip"] * (256 - len(TUN_TYPES))
CSUM_BY_RAW = [TUN_CSUM_BY_CODE.get(i, "nocsum") for i in range(4)]


class DestLayout:
    """A precompiled decoder for real-server messages that share one attribute layout.

    The kernel writes every real server of a dump with the same attributes in the same order, so
    the first message's layout becomes one ``struct``; each later message is checked against the
    layout's attribute headers (and falls back to ``decode_dest`` if they differ).
    """

    _WANTED = {DEST_ADDR: "16s", DEST_PORT: ">H", DEST_FWD_METHOD: "I", DEST_WEIGHT: "i",
               DEST_U_THRESH: "I", DEST_L_THRESH: "I", DEST_ACTIVE_CONNS: "I",
               DEST_INACT_CONNS: "I", DEST_PERSIST_CONNS: "I", DEST_ADDR_FAMILY: "H",
               DEST_TUN_TYPE: "B", DEST_TUN_PORT: ">H", DEST_TUN_FLAGS: "H"}
    _ORDER = (DEST_ADDR, DEST_PORT, DEST_FWD_METHOD, DEST_WEIGHT, DEST_U_THRESH, DEST_L_THRESH,
              DEST_ACTIVE_CONNS, DEST_INACT_CONNS, DEST_PERSIST_CONNS, DEST_ADDR_FAMILY,
              DEST_TUN_TYPE, DEST_TUN_PORT, DEST_TUN_FLAGS)

    def __init__(self, buf, off: int, end: int, message: int | None = None):
        """Layout of the dest payload buf[off:end]; with *message* (the offset of its netlink
        header) the struct covers the whole message, checking its length, type and DEST header,
        so that a run of messages can be read with ``iter_unpack``."""
        self.fmt, self._headers, self.header_idx, self.where = ["="], [], [], {}
        self.pos, self.index = off, 0
        if message is not None:
            length, kind = struct.unpack_from("=IH", buf, message)
            size, attr = struct.unpack_from("=HH", buf, off - 4)
            self.fmt += ["IH", f"{off - 4 - message - 6}x", "HH"]
            self._headers += [length, kind, size, attr]
            self.header_idx += [0, 1, 2, 3]
            self.index = 4
        self._walk(buf, off, end, None)
        where = self.where
        missing = [k for k in (DEST_ADDR, DEST_PORT, DEST_FWD_METHOD, DEST_WEIGHT) if k not in where]
        if missing or any(("s", i) not in where for i in range(1, STATS_FIELDS + 1)):
            raise ValueError("layout lacks required attributes")
        if end > self.pos:
            self.fmt.append(f"{end - self.pos}x")
        self.size = end - (off if message is None else message)
        self.struct = struct.Struct("".join(self.fmt))
        self.headers = tuple(self._headers)
        self.get_headers = itemgetter(*self.header_idx)
        self.fields = self.index

    def _walk(self, buf, start: int, stop: int, outer: int | None) -> None:
        """Each attribute header a checked field; each wanted attribute a field of the struct
        (the stats nested in DEST_STATS64 too); the rest skipped as padding."""
        while start + 4 <= stop:
            size, kind = struct.unpack_from("=HH", buf, start)
            if size < 4:
                raise ValueError("bad attribute")
            if start > self.pos:
                self.fmt.append(f"{start - self.pos}x")
            self.fmt.append("HH")
            self._headers.extend((size, kind))
            self.header_idx.extend((self.index, self.index + 1))
            self.index += 2
            self.pos = start + 4
            kind &= NLA_TYPE_MASK
            plen = size - 4
            if outer is None and kind == DEST_STATS64:
                self._walk(buf, self.pos, self.pos + plen, kind)
            elif outer is None and kind in self._WANTED and kind not in self.where:
                self._field(kind, self._WANTED[kind], plen)
            elif outer == DEST_STATS64 and 1 <= kind <= STATS_FIELDS and plen == 8:
                self.fmt.append("Q")
                self.where[("s", kind)] = self.index
                self.index += 1
                self.pos += 8
            start += (size + 3) & ~3

    def _field(self, kind: int, code: str, plen: int) -> None:
        width = struct.calcsize("=" + code.lstrip(">"))
        if plen < width:
            raise ValueError("short attribute")
        # a big-endian 16-bit field is read as two bytes and combined by the decoder
        self.fmt.append("BB" if code == ">H" else code)
        self.where[kind] = self.index
        self.index += 2 if code == ">H" else 1
        self.pos += width

    @staticmethod
    def _indices(where: dict, fields: int) -> dict:
        """Where each field lies in a struct's tuple of *fields*; absent optional attributes
        point one past its end, where the decoder pads a 0. Without the counters in *where*
        (a configuration-only struct) "stats" is None."""
        out = {k: where.get(k, fields) for k in DestLayout._ORDER}
        out["tun_port"] = where.get(DEST_TUN_PORT)
        out["stats"] = (itemgetter(*(where[("s", i)] for i in range(1, STATS_FIELDS + 1)))
                        if ("s", 1) in where else None)
        out["pad"] = (0,) * (fields + 1) if fields in out.values() else ()
        return out

    def _lean(self, counters: bool = True) -> tuple[struct.Struct, dict, int]:
        """The layout without its attribute headers but the message's own (length, type, DEST
        header): a shorter tuple for the later messages of a run; without *counters* their
        bytes skipped too. (struct, where, fields)."""
        fmt, where, full_at, lean_at, seen_dest_header = [], {}, {}, 0, False
        index = 0
        for token in self.fmt:
            count = (0 if token == "=" or token.endswith("x") else 1 if token.endswith("s")
                     else len(token))
            if token == "HH" and seen_dest_header:
                fmt.append("4x")
            elif token == "Q" and not counters:             # the only 64-bit fields: stats
                fmt.append("8x")
            else:
                seen_dest_header = seen_dest_header or token == "HH"
                fmt.append(token)
                for i in range(count):
                    full_at[index + i] = lean_at + i
                lean_at += count
            index += count
        for key, i in self.where.items():
            if i in full_at:
                where[key] = full_at[i]
        return struct.Struct("".join(fmt)), where, lean_at

    def decoder(self):
        """A function (buf, off) -> RealServer | None for messages of this layout; for a whole
        message, also ``fits`` (a struct tuple's every attribute header checked), ``lean`` and
        ``build_lean`` (a struct without attribute headers, and its tuples' real servers),
        ``config`` and ``build_config`` (the same without the counters: UNREAD_STATS)."""
        unpack, headers, get_headers = self.struct.unpack_from, self.headers, self.get_headers
        build = self._builder(self.where, self.fields)

        def fits(t):
            """Whether every attribute header of the struct tuple *t* is this layout's."""
            return get_headers(t) == headers

        def decode(buf, off):
            t = unpack(buf, off)
            return build(t) if fits(t) else None

        decode.struct = self.struct
        if self.header_idx[:4] == [0, 1, 2, 3]:                 # laid out as a whole message
            decode.fits = fits
            decode.lean, where, fields = self._lean()
            decode.build_lean = self._builder(where, fields)
            decode.config, where, fields = self._lean(counters=False)
            decode.build_config = self._builder(where, fields)
            decode.head, decode.heads = (headers[0], headers[3]), itemgetter(0, 3)
        return decode

    def _builder(self, where: dict, fields: int):
        """A function (struct tuple) -> RealServer, the fields found by *where*; where it has
        no counters its stats are UNREAD_STATS."""
        at = self._indices(where, fields)
        i_addr, i_port, i_fwd, i_weight = (at[k] for k in (DEST_ADDR, DEST_PORT,
                                                            DEST_FWD_METHOD, DEST_WEIGHT))
        i_af, i_tt, i_tf = at[DEST_ADDR_FAMILY], at[DEST_TUN_TYPE], at[DEST_TUN_FLAGS]
        i_u, i_l = at[DEST_U_THRESH], at[DEST_L_THRESH]
        i_a, i_i, i_p = at[DEST_ACTIVE_CONNS], at[DEST_INACT_CONNS], at[DEST_PERSIST_CONNS]
        i_tp, stats_get, pad = at["tun_port"], at["stats"], at["pad"]
        counters = stats_get is not None
        has_tun_port = i_tp is not None
        ntop, v4, v6 = socket.inet_ntop, socket.AF_INET, socket.AF_INET6
        fwd_by_code, tun_types, csum = FWD_BY_RAW, TUN_TYPE_BY_RAW, CSUM_BY_RAW
        new_server, new_stats = RealServer, Stats
        names4, names6 = _ADDRESS_NAMES

        def build(t):
            if pad:
                t = t + pad
            raw = t[i_addr]
            v6_address = t[i_af] == v6
            cache = names6 if v6_address else names4
            name = cache.get(raw)
            if name is None:
                name = (ntop(v6, raw), 6) if v6_address else (ntop(v4, raw[:4]), 4)
                if len(cache) < 1_000_000:
                    cache[raw] = name
            return new_server(
                name[0], (t[i_port] << 8) | t[i_port + 1],
                fwd_by_code[t[i_fwd] & 7], t[i_weight], t[i_u], t[i_l], tun_types[t[i_tt]],
                (t[i_tp] << 8) | t[i_tp + 1] if has_tun_port else 0,
                csum[t[i_tf] & 3], t[i_a], t[i_i], t[i_p],
                new_stats(*stats_get(t)) if counters else UNREAD_STATS, name[1])

        return build
