"""Inside the ip_vs VM: Debian's ipvsadm is the referee, both ways."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lvstui.ipvs.backend import IPVSUnavailable
from lvstui.ipvs.listing import listing
from lvstui.ipvs.operations import apply, diff
from lvstui.ipvs.rules import parse_rules, save
from lvstui.model import Forwarding, SyncDaemon, Timeouts

pytestmark = pytest.mark.kernel

FULL_TABLE = """\
-A -t 172.26.46.119:80 -s wlc
-a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 1
-a -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 1 -x 100 -y 50
-A -t 10.0.0.1:443 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port
-a -t 10.0.0.1:443 -r 10.1.0.1:8443 -m -w 3
-a -t 10.0.0.1:443 -r 10.1.0.2:443 -i -w 2 --tun-type gue --tun-port 6080 --tun-nocsum
-a -t 10.0.0.1:443 -r 10.1.0.3:443 -i -w 2 --tun-type gre --tun-csum
-a -t 10.0.0.1:443 -r 10.1.0.4:443 -i -w 0 --tun-type ipip
-A -t 200.0.0.1:80 -s wlc
-A -t 1.0.0.1:80 -s lblcr
-A -u 10.0.0.2:53 -s rr -o
-A -u 10.0.0.4:5060 -s sh -p 360 --pe sip -o -b sh-port
-A --sctp-service 10.0.0.3:3868 -s rr
-A -t [2001:db8::1]:443 -s rr -p 60 -M 64
-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m -w 1
-a -t [2001:db8::1]:443 -r [2001:db8::9]:8443 -m -w 0
-A -f 5 -s wrr -p 360
-A -f 6 -6 -s mh -b mh-port
"""


def ipvsadm(*args: str, stdin: str | None = None) -> str:
    return subprocess.run(["ipvsadm", *args], input=stdin, capture_output=True, text=True,
                          check=True).stdout


def lvstui(*args: str, stdin: str | None = None, user: str | None = None):
    cmd = [sys.executable, "-m", "lvstui.cli", *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


@pytest.fixture
def kernel():
    from lvstui.ipvs.netlink import NetlinkBackend
    backend = NetlinkBackend()
    backend.flush()
    yield backend
    backend.flush()
    backend.close()


def test_reference_cluster_built_by_ipvsadm_is_read_field_by_field(kernel):
    ipvsadm("-A", "-t", "172.26.46.119:80", "-s", "wlc")
    ipvsadm("-a", "-t", "172.26.46.119:80", "-r", "172.26.46.80", "-w", "1")
    ipvsadm("-a", "-t", "172.26.46.119:80", "-r", "172.26.46.81", "-w", "1")
    (svc,) = kernel.services()
    assert (svc.protocol, svc.address, svc.port, svc.family) == ("tcp", "172.26.46.119", 80, 4)
    assert (svc.scheduler, svc.persistence, svc.flags, svc.pe) == ("wlc", 0, frozenset(), "")
    assert svc.netmask == 0xFFFFFFFF
    assert sorted((rs.address, rs.port, rs.forwarding, rs.weight, rs.upper_threshold,
                   rs.lower_threshold, rs.active_conns, rs.inactive_conns)
                  for rs in svc.servers) == [
        ("172.26.46.80", 80, Forwarding.ROUTE, 1, 0, 0, 0, 0),
        ("172.26.46.81", 80, Forwarding.ROUTE, 1, 0, 0, 0, 0)]
    info = kernel.info()
    assert info.version == "1.2.1" and info.conn_table_size == 4096


def test_table_restored_by_ipvsadm_saves_identically(kernel):
    ipvsadm("-R", stdin=FULL_TABLE)
    assert save(kernel.services()) == ipvsadm("-Sn")
    assert "100" in ipvsadm("-Ln", "--thresholds")


def test_table_built_by_lvstui_is_what_ipvsadm_saves(kernel):
    rules = parse_rules(FULL_TABLE)
    apply(kernel, diff(kernel.services(), rules.services, rules.keep_thresholds))
    assert ipvsadm("-Sn") == save(rules.services)
    thresholds = ipvsadm("-Ln", "--thresholds", "-t", "172.26.46.119:80")
    assert "172.26.46.81:80              100        50" in thresholds
    assert diff(kernel.services(), rules.services, rules.keep_thresholds) == []


def test_file_saved_by_ipvsadm_with_names_loads(kernel):
    ipvsadm("-R", stdin=FULL_TABLE)
    named = ipvsadm("-S")
    assert ":http" in named
    kernel.flush()
    rules = parse_rules(named)
    apply(kernel, diff(kernel.services(), rules.services))
    assert save(kernel.services()) == save(parse_rules(FULL_TABLE).services)


def test_cli_list_matches_ipvsadm_listings(kernel):
    ipvsadm("-R", stdin=FULL_TABLE)
    for extra in ([], ["--stats"], ["--rate"], ["--stats", "--exact"]):
        got = lvstui("list", *extra)
        assert got.returncode == 0, got.stderr
        assert got.stdout == ipvsadm("-Ln", *extra), extra
    assert lvstui("save").stdout == ipvsadm("-Sn")


def test_cli_restore_dry_run_changes_nothing_and_restore_applies(kernel):
    ipvsadm("-R", stdin=FULL_TABLE)
    wanted = FULL_TABLE.replace("-r 172.26.46.80:80 -g -w 1", "-r 172.26.46.80:80 -g -w 4")
    dry = lvstui("restore", "--dry-run", "-", stdin=wanted)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == "ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 4\n"
    assert ipvsadm("-Sn") == save(parse_rules(FULL_TABLE).services)
    done = lvstui("restore", "-", stdin=wanted)
    assert done.returncode == 0, done.stderr
    assert "-a -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 4" in ipvsadm("-Sn")
    # thresholds that the file did not state were kept
    assert "100        50" in ipvsadm("-Ln", "--thresholds", "-t", "172.26.46.119:80")


def test_cli_errors_are_one_line_with_non_zero_status(kernel):
    ipvsadm("-A", "-t", "172.26.46.119:80", "-s", "wlc")
    bad = lvstui("restore", "-", stdin="-A -t 172.26.46.119:80 -s twos\n")
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "ip_vs_twos" in bad.stderr
    assert ipvsadm("-Sn") == "-A -t 172.26.46.119:80 -s wlc\n"
    syntax = lvstui("restore", "-", stdin="-A -t 172.26.46.119:80 -s wlc\n-a -t nowhere\n")
    assert syntax.returncode == 1 and "line 2" in syntax.stderr


def test_not_root_is_told_plainly(kernel):
    got = lvstui("list", user="65534")
    assert got.returncode == 1
    assert "not permitted" in got.stderr and "root" in got.stderr


def test_timeouts_and_daemon_agree_with_ipvsadm(kernel):
    kernel.set_timeouts(Timeouts(tcp=1000, tcpfin=130, udp=310))
    assert ipvsadm("-L", "--timeout") == "Timeout (tcp tcpfin udp): 1000 130 310\n"
    ipvsadm("--set", "900", "120", "300")
    assert kernel.timeouts() == Timeouts(900, 120, 300)
    kernel.start_daemon(SyncDaemon("backup", "lo", sync_id=7))
    try:
        assert "backup sync daemon (mcast=lo, syncid=7" in ipvsadm("-L", "--daemon")
    finally:
        kernel.stop_daemon("backup")
    ipvsadm("--start-daemon", "master", "--mcast-interface", "lo", "--syncid", "4")
    try:
        (d,) = kernel.daemons()
        assert (d.state, d.interface, d.sync_id) == ("master", "lo", 4)
    finally:
        ipvsadm("--stop-daemon", "master")


def test_listing_from_model_matches_for_reference_table(kernel):
    ipvsadm("-R", stdin=FULL_TABLE)
    assert listing(kernel.services(), kernel.info()) == ipvsadm("-Ln")


@pytest.mark.alone       # unloads ip_vs: no other namespace may hold a table meanwhile
def test_missing_ip_vs_module_is_said_plainly():
    subprocess.run(["modprobe", "-r", "-a", "ip_vs_pe_sip", "ip_vs_rr", "ip_vs_wrr", "ip_vs_lc",
                    "ip_vs_wlc", "ip_vs_lblc", "ip_vs_lblcr", "ip_vs_dh", "ip_vs_sh", "ip_vs_sed",
                    "ip_vs_nq", "ip_vs_mh", "ip_vs_fo", "ip_vs_ovf", "ip_vs"], check=True)
    try:
        got = lvstui("list")
        assert got.returncode == 1 and "no IPVS" in got.stderr
        from lvstui.ipvs.netlink import NetlinkBackend
        with pytest.raises(IPVSUnavailable):
            NetlinkBackend()
    finally:
        subprocess.run(["modprobe", "-a", "ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_lc", "ip_vs_wlc",
                        "ip_vs_lblc", "ip_vs_lblcr", "ip_vs_dh", "ip_vs_sh", "ip_vs_sed",
                        "ip_vs_nq", "ip_vs_mh", "ip_vs_fo", "ip_vs_ovf", "ip_vs_pe_sip"], check=True)
