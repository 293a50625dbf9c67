"""Sysctl profiles on an injected /proc/sys tree, atomic writes, and VIP rollback on a fake."""

from __future__ import annotations

import os

import pytest

from lvstui.files import atomic_write

from ..helpers import kill_midway
from lvstui.model import ValidationError
from lvstui.system.addresses import AddressError, Addresses
from lvstui.system.sysctl import (Sysctl, SysctlError, director_profile, persist,
                                  real_server_profile)


@pytest.fixture
def proc(tmp_path):
    root = tmp_path / "sys"
    for dev in ("all", "default", "lo", "eth0"):
        d = root / "net/ipv4/conf" / dev
        d.mkdir(parents=True)
        for name, value in (("send_redirects", "1"), ("arp_ignore", "0"), ("arp_announce", "0")):
            (d / name).write_text(value + "\n")
    (root / "net/ipv4/ip_forward").write_text("1\n")
    (root / "net/ipv4/conf/eth0.100").mkdir()
    (root / "net/ipv4/conf/eth0.100/arp_ignore").write_text("0\n")
    return root


def test_check_apply_and_names(proc):
    sysctl = Sysctl(str(proc))
    states = sysctl.check(director_profile("eth0"))
    assert [(s.setting.name, s.current, s.holds) for s in states][:2] == [
        ("net.ipv4.ip_forward", "1", False), ("net.ipv4.conf.all.send_redirects", "1", True)]
    assert sysctl.apply(director_profile("eth0")) == [("net.ipv4.ip_forward", "1", "0")]
    assert (proc / "net/ipv4/ip_forward").read_text() == "0\n"
    assert sysctl.read("net.ipv4.conf.eth0/100.arp_ignore") == "0"    # a VLAN's dotted name
    with pytest.raises(ValidationError):
        sysctl.read("net.ipv4..ip_forward")


def test_apply_is_all_or_nothing(proc):
    sysctl = Sysctl(str(proc))
    (proc / "net/ipv4/conf/all/arp_announce").unlink()
    (proc / "net/ipv4/conf/all/arp_announce").mkdir()      # writing it will fail
    with pytest.raises(SysctlError, match="arp_announce"):
        sysctl.apply(real_server_profile())
    assert sysctl.read("net.ipv4.conf.lo.arp_ignore") == "0"
    assert sysctl.read("net.ipv4.conf.all.arp_ignore") == "0"


def test_persisted_profile_is_sysctl_syntax(tmp_path):
    path = persist(real_server_profile(), "real-server", str(tmp_path))
    text = open(path).read()
    assert "net.ipv4.conf.lo.arp_ignore = 1\n" in text and text.startswith("# LVS-DR")
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_atomic_write_keeps_mode_and_a_backup(tmp_path):
    path = tmp_path / "authkeys"
    path.write_text("auth 2\n")
    os.chmod(path, 0o600)
    backup = atomic_write(str(path), "auth 3\n")
    assert path.read_text() == "auth 3\n" and open(backup).read() == "auth 2\n"
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(backup).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_writer_killed_mid_save_leaves_old_or_new(tmp_path):
    path = tmp_path / "big.conf"
    old, new = "old\n" * 100_000, "new\n" * 100_000
    path.write_text(old)
    writer = ("import sys; sys.path.insert(0, %r); from lvstui.files import atomic_write\n"
              "old, new = 'old\\n' * 100_000, 'new\\n' * 100_000\n"
              "print('writing', flush=True)\n"
              "while True: atomic_write(%r, new if open(%r).read() == old else old)"
              % (os.getcwd(), str(path), str(path)))
    assert kill_midway(writer, tmp_path, lambda: path.read_text() in (old, new)) >= 3


class FakeIPRoute:
    """Just enough of pyroute2's IPRoute to make the route step fail."""

    def __init__(self):
        self.addresses = []

    def link_lookup(self, ifname):
        return [2] if ifname == "eth0" else []

    def get_links(self):
        return []

    def get_addr(self):
        return []

    def addr(self, cmd, index, address, prefixlen, **kw):
        if cmd == "add":
            self.addresses.append(address)
        else:
            self.addresses.remove(address)

    def route(self, cmd, **kw):
        from pyroute2.netlink.exceptions import NetlinkError
        raise NetlinkError(1, "Operation not permitted")

    def close(self):
        pass


def test_a_failed_host_route_takes_the_address_back():
    addresses = Addresses.__new__(Addresses)
    addresses.ipr = FakeIPRoute()
    with pytest.raises(AddressError, match="not permitted.*taken back"):
        addresses.add_vip("172.26.46.119", "eth0")
    assert addresses.ipr.addresses == []
