"""VIPs, sysctls, ARP flux and gratuitous ARP, in real network namespaces."""

from __future__ import annotations

import os
import sys
import time

import pytest

from tests.pace import patience

pytestmark = pytest.mark.netns

VIP = "10.0.0.100"


def test_vip_comes_with_label_and_host_route_and_goes_cleanly(lan):
    d = lan.host("dir", "10.0.0.1/24")
    got = lan.lvstui(d, "vip", "add", VIP, "--dev", "eth0", "--no-announce")
    assert got.returncode == 0, got.stderr
    assert "added 10.0.0.100 on eth0:0" in got.stdout
    addr = lan.run(d, "ip", "-4", "addr", "show", "eth0").stdout
    assert "inet 10.0.0.100/32 scope global eth0:0" in addr
    assert "10.0.0.100 dev eth0 proto static scope link" in lan.run(d, "ip", "route").stdout
    again = lan.lvstui(d, "vip", "add", VIP, "--dev", "eth0", "--no-announce")
    assert again.returncode == 1 and "already there" in again.stderr
    second = lan.lvstui(d, "vip", "add", "10.0.0.101", "--dev", "eth0", "--no-announce")
    assert "on eth0:1" in second.stdout
    gone = lan.lvstui(d, "vip", "del", VIP, "--dev", "eth0")
    assert gone.returncode == 0, gone.stderr
    assert "10.0.0.100" not in lan.run(d, "ip", "addr").stdout
    audit = open(lan.audit).read()                # every change audited, refusals too
    assert "result=ok added 10.0.0.100 on eth0:0" in audit
    assert "already there ip addr add 10.0.0.100 dev eth0" in audit
    assert "result=ok removed 10.0.0.100 from eth0" in audit
    assert "10.0.0.100" not in lan.run(d, "ip", "route").stdout
    listed = lan.lvstui(d, "vip", "list").stdout
    assert "eth0:1           10.0.0.101/32" in listed


def test_ipv6_vip_is_a_128(lan):
    d = lan.host("dir", "10.0.0.1/24")
    got = lan.lvstui(d, "vip", "add", "2001:db8::100", "--dev", "eth0")
    assert got.returncode == 0, got.stderr
    assert "inet6 2001:db8::100/128" in lan.run(d, "ip", "-6", "addr", "show", "eth0").stdout


@pytest.mark.parametrize("args,words", [
    (("vip", "add", VIP, "--dev", "eth9"), "no interface 'eth9'"),
    (("vip", "add", "10.0.0.300", "--dev", "eth0"), "invalid IP address"),
    (("vip", "add", VIP, "--dev", "eth0", "--label", "lo:7"), "must start with the interface"),
    (("vip", "del", "10.0.0.200", "--dev", "eth0"), "cannot remove 10.0.0.200"),
])
def test_bad_input_is_told_and_nothing_changes(lan, args, words):
    d = lan.host("dir", "10.0.0.1/24")
    before = lan.run(d, "ip", "addr").stdout, lan.run(d, "ip", "route").stdout
    got = lan.lvstui(d, *args)
    assert got.returncode == 1 and words in got.stderr, got.stderr
    assert got.stderr.count("\n") == 1
    assert (lan.run(d, "ip", "addr").stdout, lan.run(d, "ip", "route").stdout) == before


def test_director_profile_is_shown_then_applied(lan):
    d = lan.host("dir", "10.0.0.1/24")
    lan.run(d, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.eth0.send_redirects=0")
    status = lan.lvstui(d, "net", "status", "director", "--interface", "eth0")
    assert status.returncode == 1
    assert "net.ipv4.ip_forward" in status.stdout and "WRONG" in status.stdout
    dry = lan.lvstui(d, "net", "apply", "director", "--interface", "eth0", "--dry-run")
    assert dry.returncode == 0 and "CHANGE" in dry.stdout
    assert lan.sysctl(d, "net.ipv4.ip_forward") == "1"
    applied = lan.lvstui(d, "net", "apply", "director", "--interface", "eth0")
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == [
        "sysctl -w net.ipv4.ip_forward=0   (was 1)",
        "sysctl -w net.ipv4.conf.eth0.send_redirects=1   (was 0)"]
    assert lan.sysctl(d, "net.ipv4.ip_forward") == "0"
    assert lan.sysctl(d, "net.ipv4.conf.eth0.send_redirects") == "1"
    assert lan.lvstui(d, "net", "status", "director", "--interface", "eth0").returncode == 0


def test_profile_for_an_unknown_interface_changes_nothing(lan):
    d = lan.host("dir", "10.0.0.1/24")
    lan.run(d, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    got = lan.lvstui(d, "net", "apply", "director", "--interface", "eth7")
    assert got.returncode == 1 and "does not exist here" in got.stderr
    assert lan.sysctl(d, "net.ipv4.ip_forward") == "1"


def arp_answered(lan, client: str, target: str) -> bool:
    return lan.run(client, "arping", "-c", "2", "-w", "3", "-I", "eth0", target,
                   check=False).returncode == 0


def neighbour_entry(lan, host: str, target: str) -> str:
    """Make the host's kernel resolve *target* (one UDP datagram), then read its neighbour entry."""
    lan.run(host, sys.executable, "-c", "import socket; socket.socket(socket.AF_INET, "
            f"socket.SOCK_DGRAM).sendto(b'x', ({target!r}, 9))")
    deadline = time.monotonic() + patience(1)
    while True:
        entry = lan.run(host, "ip", "neigh", "show", target).stdout
        if "lladdr" in entry or "FAILED" in entry or time.monotonic() > deadline:
            return entry
        time.sleep(0.1)


def test_real_server_profile_stops_arp_flux(lan):
    client = lan.host("cli", "10.0.0.10/24")
    rs = lan.host("rs1", "10.0.0.80/24")
    assert lan.lvstui(rs, "vip", "add", VIP, "--dev", "lo", "--no-announce").returncode == 0
    assert "inet 10.0.0.100/32 scope global lo:0" in lan.run(rs, "ip", "addr", "show", "lo").stdout
    # kernel defaults: the real server answers ARP for the VIP it holds on lo (ARP flux)
    assert arp_answered(lan, client, VIP)
    assert lan.mac(rs) in neighbour_entry(lan, client, VIP)
    applied = lan.lvstui(rs, "net", "apply", "real-server")
    assert applied.returncode == 0, applied.stderr
    assert [lan.sysctl(rs, f"net.ipv4.conf.{d}.{k}") for d in ("lo", "all")
            for k in ("arp_ignore", "arp_announce")] == ["1", "2", "1", "2"]
    lan.run(client, "ip", "neigh", "flush", "dev", "eth0")
    assert not arp_answered(lan, client, VIP)
    assert lan.mac(rs) not in neighbour_entry(lan, client, VIP)
    assert arp_answered(lan, client, "10.0.0.80")      # its own address still answers


def test_gratuitous_arp_moves_the_neighbours_entry(lan):
    d1 = lan.host("dir1", "10.0.0.1/24")
    d2 = lan.host("dir2", "10.0.0.2/24")
    nb = lan.host("nb", "10.0.0.50/24")
    assert lan.lvstui(d1, "vip", "add", VIP, "--dev", "eth0").returncode == 0
    assert lan.mac(d1) in neighbour_entry(lan, nb, VIP)
    time.sleep(1.2)            # past the neighbour's locktime (1 s), as after any real failover
    assert lan.lvstui(d1, "vip", "del", VIP, "--dev", "eth0").returncode == 0
    # control: moved without an announcement, the neighbour keeps the old MAC
    assert lan.lvstui(d2, "vip", "add", VIP, "--dev", "eth0", "--no-announce").returncode == 0
    time.sleep(0.5)
    assert lan.mac(d1) in lan.run(nb, "ip", "neigh", "show", VIP).stdout
    assert lan.lvstui(d2, "vip", "del", VIP, "--dev", "eth0").returncode == 0
    moved = lan.lvstui(d2, "vip", "add", VIP, "--dev", "eth0")
    assert moved.returncode == 0 and "announced" in moved.stdout, moved.stderr
    entry = lan.run(nb, "ip", "neigh", "show", VIP).stdout
    assert lan.mac(d2) in entry and lan.mac(d1) not in entry, entry


def test_console_network_screen_on_a_real_namespace(lan):
    d = lan.host("dir", "172.26.46.110/24")
    lan.run(d, "sysctl", "-qw", "net.ipv4.ip_forward=1")
    script = os.path.join(os.path.dirname(__file__), "console_in_ns.py")
    got = lan.run(d, sys.executable, script, "eth0", check=False)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines() == [
        "before not active on this director",
        "profile ['NO', 'yes', 'yes', 'yes']",
        "after add yes, on eth0:0",
        "profile ['yes', 'yes', 'yes', 'yes']"]
    assert "inet 172.26.46.119/32 scope global eth0:0" in lan.run(d, "ip", "addr").stdout
    assert lan.sysctl(d, "net.ipv4.ip_forward") == "0"


def test_tunnel_real_server_profile_turns_rp_filter_off(lan):
    rs = lan.host("rs1", "10.0.0.80/24")
    # the host kernel may lack ipip: a device of that name carries the same per-device settings
    lan.run(rs, "ip", "link", "add", "tunl0", "type", "veth", "peer", "name", "tunl0p")
    lan.run(rs, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.tunl0.rp_filter=2")
    got = lan.lvstui(rs, "net", "apply", "tunnel-real-server")
    assert got.returncode == 0, got.stderr
    assert lan.sysctl(rs, "net.ipv4.conf.all.rp_filter") == "0"
    assert lan.sysctl(rs, "net.ipv4.conf.tunl0.rp_filter") == "0"
