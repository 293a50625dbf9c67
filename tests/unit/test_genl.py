"""The dump decoders on messages laid out as the kernel writes them (ip_vs_genl_fill_dest)."""

from __future__ import annotations

import socket
import struct

import pytest

from lvstui.ipvs import genl
from lvstui.model import Forwarding


def kernel_dest(address: str, port: int, weight: int, fwd: int = 3, conns: int = 0,
                tun: tuple = (0, 0, 0), family: int = socket.AF_INET) -> bytes:
    """A dest payload in the kernel's attribute order (6.1), with 32- and 64-bit stats."""
    raw = socket.inet_pton(family, address).ljust(16, b"\0")
    stats32 = b"".join(genl.u32(i, (conns + i) & 0xFFFFFFFF) for i in range(1, 4)) + \
        genl.nla(4, struct.pack("=Q", 4000)) + genl.nla(5, struct.pack("=Q", 5000)) + \
        b"".join(genl.u32(i, i) for i in range(6, 11))
    stats64 = b"".join(genl.nla(i, struct.pack("=Q", conns + i)) for i in range(1, 11))
    return b"".join([
        genl.nla(genl.DEST_ADDR, raw), genl.be16(genl.DEST_PORT, port),
        genl.u32(genl.DEST_FWD_METHOD, fwd), genl.u32(genl.DEST_WEIGHT, weight),
        genl.u8(genl.DEST_TUN_TYPE, tun[0]), genl.be16(genl.DEST_TUN_PORT, tun[1]),
        genl.u16(genl.DEST_TUN_FLAGS, tun[2]),
        genl.u32(genl.DEST_U_THRESH, 100), genl.u32(genl.DEST_L_THRESH, 50),
        genl.u32(genl.DEST_ACTIVE_CONNS, 7), genl.u32(genl.DEST_INACT_CONNS, 8),
        genl.u32(genl.DEST_PERSIST_CONNS, 9), genl.u16(genl.DEST_ADDR_FAMILY, family),
        genl.nla(genl.DEST_STATS | 0x8000, stats32), genl.nla(genl.DEST_STATS64 | 0x8000, stats64),
    ])


def test_precompiled_layout_agrees_with_the_reference_decoder():
    first = kernel_dest("172.26.46.80", 80, 1)
    decode = genl.DestLayout(first, 0, len(first)).decoder()
    for payload in (first, kernel_dest("172.26.46.81", 8080, 65535, fwd=0, conns=10**12),
                    kernel_dest("10.1.0.2", 443, 2, fwd=2, tun=(1, 6080, 1))):
        assert decode(payload, 0) == genl.decode_dest(payload, 0, len(payload))
    tunnel = decode(kernel_dest("10.1.0.2", 443, 2, fwd=2, tun=(1, 6080, 1)), 0)
    assert (tunnel.forwarding, tunnel.tunnel_type, tunnel.tunnel_port, tunnel.tunnel_checksum) == (
        Forwarding.TUNNEL, "gue", 6080, "csum")
    assert (tunnel.upper_threshold, tunnel.lower_threshold, tunnel.active_conns,
            tunnel.inactive_conns, tunnel.persistent_conns) == (100, 50, 7, 8, 9)
    assert tunnel.stats.conns == 1 and tunnel.stats.outbps == 10


def test_a_message_of_another_layout_is_not_misread():
    v4 = kernel_dest("172.26.46.80", 80, 1)
    decode = genl.DestLayout(v4, 0, len(v4)).decoder()
    no_stats64 = v4[:-(4 + 80)] + genl.nla(20, b"\0" * 80)   # same size, other attribute
    assert decode(no_stats64, 0) is None
    v6 = kernel_dest("2001:db8::10", 443, 3, fwd=0, family=socket.AF_INET6)
    rs = decode(v6, 0)
    assert (rs.address, rs.family, rs.forwarding) == ("2001:db8::10", 6, Forwarding.MASQ)


def test_v4_and_v6_addresses_with_the_same_bytes_stay_apart():
    v4 = kernel_dest("172.26.46.80", 80, 1)
    decode = genl.DestLayout(v4, 0, len(v4)).decoder()
    assert decode(v4, 0).address == "172.26.46.80"
    v6 = decode(kernel_dest("ac1a:2e50::", 80, 1, family=socket.AF_INET6), 0)
    assert (v6.address, v6.family) == ("ac1a:2e50::", 6)


def test_a_server_encoded_for_the_kernel_decodes_back():
    """The request encoder and the reference decoder agree, field by field."""
    from lvstui.model import RealServer
    for rs in (RealServer("10.0.0.2", 8080, Forwarding.MASQ, weight=3, upper_threshold=9,
                          lower_threshold=4),
               RealServer("2001:db8::2", 80, Forwarding.TUNNEL, weight=0, tunnel_type="gue",
                          tunnel_port=5555, tunnel_checksum="csum", family=6)):
        payload = genl.dest_attrs(rs)[4:]                 # inside the DEST attribute
        back = genl.decode_dest(payload, 0, len(payload))
        fields = ("address", "port", "forwarding", "weight", "upper_threshold",
                  "lower_threshold", "tunnel_type", "tunnel_port", "tunnel_checksum", "family")
        assert [getattr(back, f) for f in fields] == [getattr(rs, f) for f in fields]


def test_a_dump_read_in_runs_gives_what_the_reference_decoder_gives():
    """One received buffer: a run of one layout, a shorter message (no tunnel attributes, as
    an older kernel writes), the run again, an IPv6 server, then NLMSG_DONE: every server as
    decode_dest reads it, in order, none misread where the layout changes."""
    from lvstui.ipvs.netlink import NetlinkBackend
    from lvstui.model import VirtualService
    payloads = [kernel_dest(f"10.1.0.{i}", 80, i) for i in range(1, 5)]
    payloads.append(kernel_dest("10.1.0.5", 443, 5, fwd=2, conns=10**12, tun=(1, 6080, 1)))
    tunnel = (genl.u8(genl.DEST_TUN_TYPE, 0) + genl.be16(genl.DEST_TUN_PORT, 0)
              + genl.u16(genl.DEST_TUN_FLAGS, 0))
    odd = kernel_dest("10.1.0.9", 80, 0).replace(tunnel, b"")
    assert len(odd) == len(payloads[0]) - 24
    payloads += [odd] + [kernel_dest(f"10.2.0.{i}", 80, i) for i in range(1, 4)]
    payloads.append(kernel_dest("2001:db8::10", 443, 3, fwd=0, family=socket.AF_INET6))
    buf = bytearray(b"".join(genl.message(30, genl.CMD_NEW_DEST, 2, 7, genl.nla(genl.A_DEST, p))
                             for p in payloads) + genl.NLMSGHDR.pack(20, genl.NLMSG_DONE, 2, 7, 0)
                    + b"\0" * 4)
    table = NetlinkBackend.__new__(NetlinkBackend)
    table._layouts = {}

    def read(cmd, attrs, dump=False, errors=None, on_message=None):   # as _request walks
        off = 0
        while True:
            length, kind = struct.unpack_from("=IH", buf, off)
            if kind == genl.NLMSG_DONE:
                return
            off = on_message(memoryview(buf), off, length, len(buf))

    table._read = read
    got = table._servers(VirtualService("tcp", "10.0.0.1", 80))
    assert got == [genl.decode_dest(p, 0, len(p)) for p in payloads]
    assert [rs.weight for rs in got] == [1, 2, 3, 4, 5, 0, 1, 2, 3, 3]
    assert (got[4].tunnel_type, got[4].tunnel_port, got[4].stats.conns) == ("gue", 6080, 10**12 + 1)


def test_a_dump_read_without_counters_has_the_configuration_and_unread_stats():
    from lvstui.ipvs.netlink import NetlinkBackend
    from lvstui.model import UNREAD_STATS, VirtualService, config_of
    payloads = [kernel_dest(f"10.1.0.{i}", 80 + i, i, conns=i) for i in range(1, 4)]
    buf = bytearray(b"".join(genl.message(30, genl.CMD_NEW_DEST, 2, 7, genl.nla(genl.A_DEST, p))
                             for p in payloads) + genl.NLMSGHDR.pack(20, genl.NLMSG_DONE, 2, 7, 0)
                    + b"\0" * 4)
    table = NetlinkBackend.__new__(NetlinkBackend)
    table._layouts = {}
    table._read = lambda cmd, attrs, dump=False, errors=None, on_message=None: on_message(
        memoryview(buf), 0, struct.unpack_from("=I", buf)[0], len(buf))
    svc = VirtualService("tcp", "10.0.0.1", 80)
    with_counters, without = table._servers(svc), table._servers(svc, counters=False)
    assert [config_of(rs) for rs in without] == [config_of(rs) for rs in with_counters]
    assert [rs.stats.conns for rs in with_counters] == [2, 3, 4]
    assert all(rs.stats is UNREAD_STATS for rs in without)
    with pytest.raises(AttributeError, match="not read"):
        without[0].stats.conns = 5
