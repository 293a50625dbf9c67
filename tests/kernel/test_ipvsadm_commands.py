"""Inside the ip_vs VM: ipvsadm's everyday commands through lvstui, ipvsadm the referee: the same
bytes where both print the same thing, the kernel changed the same way, bad input leaving the
kernel as it was."""

from __future__ import annotations

import pytest

from .test_ipvsadm_referee import ipvsadm, kernel, lvstui  # noqa: F401  (kernel: the fixture)

pytestmark = pytest.mark.kernel
TABLE = """\
-A -t 10.0.0.1:80 -s wlc -p 300
-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 3 -x 100 -y 50
-a -t 10.0.0.1:80 -r 10.1.0.2:8080 -m -w 0
-A -f 5 -s rr
-A -u 10.0.0.2:53 -s rr
-a -u 10.0.0.2:53 -r 10.1.0.3:53 -m -w 1
-A --sctp-service 10.0.0.3:3868 -s rr
"""


def kernel_state() -> tuple[str, str, str]:
    return ipvsadm("-Sn"), ipvsadm("-L", "--timeout"), ipvsadm("-L", "--daemon")


@pytest.mark.parametrize("args", [
    ("--thresholds",), ("--persistent-conn",), ("--timeout",), ("--daemon",), ("-c",),
    ("-c", "--persistent-conn"), ("--sort",), ("--exact", "--stats"),
    ("-t", "10.0.0.1:80"), ("-t", "10.0.0.1:80", "--stats"), ("-t", "10.0.0.1:80", "--rate"),
    ("-u", "10.0.0.2:53", "--thresholds"), ("-f", "5"), ("--sctp-service", "10.0.0.3:3868"),
    ("-t", "10.0.0.1:80", "--persistent-conn"),
])
def test_every_listing_is_ipvsadms_byte_for_byte(kernel, args):  # noqa: F811
    ipvsadm("-R", stdin=TABLE)
    ours = lvstui("list", *args)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == ipvsadm("-Ln", *args)


def test_an_unknown_service_is_said_in_ipvsadms_words(kernel):  # noqa: F811
    ipvsadm("-R", stdin=TABLE)
    for command in (("list", "-t", "10.9.9.9:80"), ("zero", "-t", "10.9.9.9:80")):
        got = lvstui(*command)
        assert got.returncode == 1 and got.stdout == ""
        assert got.stderr.startswith("lvstui: No such service") and got.stderr.count("\n") == 1



def test_a_stop_right_after_a_start_returns_and_the_daemon_is_gone(kernel):  # noqa: F811
    """The kernel sends no answer to a stop that comes before the sync thread first ran (its
    handler returns kthread_stop's EINTR): each stop returns and the daemon is gone."""
    from lvstui.ipvs.netlink import NetlinkBackend
    from lvstui.ipvs.nlsocket import ANSWER_WAIT
    from lvstui.model import SyncDaemon
    table = NetlinkBackend()
    assert table.link.sock.gettimeout() == ANSWER_WAIT          # a silent kernel is never waited out
    for _ in range(8):          # most stops come first: each waits ANSWER_WAIT, 5 s
        table.start_daemon(SyncDaemon("master", "lo", sync_id=3))
        table.stop_daemon("master")
        assert ipvsadm("-L", "--daemon") == ""

def test_set_changes_the_timeouts_as_ipvsadm_does_and_zero_keeps_one(kernel, tmp_path):  # noqa: F811
    ipvsadm("--set", "900", "120", "300")
    got = lvstui("--audit-log", str(tmp_path / "audit.log"), "set", "1000", "0", "310")
    assert got.returncode == 0, got.stderr
    assert ipvsadm("-L", "--timeout") == "Timeout (tcp tcpfin udp): 1000 120 310\n"
    assert lvstui("list", "--timeout").stdout == ipvsadm("-L", "--timeout")
    assert "result=ok ipvsadm --set 1000 0 310" in (tmp_path / "audit.log").read_text()
    ipvsadm("--set", "900", "120", "300")


def test_daemons_start_stop_and_list_as_ipvsadms(kernel, tmp_path):  # noqa: F811
    audit = ("--audit-log", str(tmp_path / "audit.log"))
    started = lvstui(*audit, "daemon", "start", "master", "--mcast-interface", "lo",
                     "--syncid", "3")
    assert started.returncode == 0, started.stderr
    assert lvstui(*audit, "daemon", "start", "backup", "--mcast-interface", "lo", "--syncid",
                  "4", "--sync-maxlen", "1400", "--mcast-group", "224.0.0.90", "--mcast-port",
                  "9000", "--mcast-ttl", "2").returncode == 0
    try:
        listed = ipvsadm("-L", "--daemon")
        assert listed == ("master sync daemon (mcast=lo, syncid=3, maxlen=1472, "
                          "group=224.0.0.81, port=8848, ttl=1)\n"
                          "backup sync daemon (mcast=lo, syncid=4, maxlen=1400, "
                          "group=224.0.0.90, port=9000, ttl=2)\n")
        assert lvstui("list", "--daemon").stdout == listed
    finally:
        for state in ("master", "backup"):
            assert lvstui(*audit, "daemon", "stop", state).returncode == 0
    assert ipvsadm("-L", "--daemon") == ""
    assert (tmp_path / "audit.log").read_text().count("result=ok ipvsadm --st") == 4


def test_zero_and_flush_reach_the_kernel(kernel, tmp_path):  # noqa: F811
    ipvsadm("-R", stdin=TABLE)
    assert lvstui("zero", "-t", "10.0.0.1:80").returncode == 0
    assert lvstui("zero").returncode == 0
    refused = lvstui("flush")                         # no terminal to ask on, no --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert ipvsadm("-Sn") != ""
    done = lvstui("--audit-log", str(tmp_path / "audit.log"), "flush", "--yes")
    assert done.returncode == 0, done.stderr
    assert ipvsadm("-Sn") == "" and "result=ok ipvsadm -C" in (tmp_path / "audit.log").read_text()


@pytest.mark.parametrize("args, words", [
    (("set", "100", "x", "3"), "invalid timeout value `x' specified"),
    (("set", "100", "-1", "3"), "invalid timeout value `-1' specified"),
    (("daemon", "start", "foo", "--mcast-interface", "lo"), "illegal start-daemon parameter"),
    (("daemon", "start", "master", "--mcast-interface", "nosuch0"), "No such device"),
    (("daemon", "start", "master"), "--mcast-interface is needed"),
    (("daemon", "start", "master", "--mcast-interface", "lo", "--syncid", "300"), "sync id"),
    (("daemon", "stop", "master"), "No daemon is running"),
    (("zero", "-f", "77"), "No such service"),
])
def test_bad_input_is_one_line_and_leaves_the_kernel_as_it_was(kernel, args, words):  # noqa: F811
    ipvsadm("-R", stdin=TABLE)
    before = kernel_state()
    got = lvstui(*args)
    assert got.returncode == 1 and got.stdout == "", got
    assert words in got.stderr and got.stderr.count("\n") == 1, got.stderr
    assert kernel_state() == before


ORDER_TABLE = """\
-A -t 10.0.0.9:80 -s wlc
-a -t 10.0.0.9:80 -r 172.16.0.1:80 -m
-a -t 10.0.0.9:80 -r 10.1.0.1:8080 -m
-a -t 10.0.0.9:80 -r 10.1.0.1:80 -m
-a -t 10.0.0.9:80 -r 1.0.0.1:80 -m
-a -t 10.0.0.9:80 -r 200.0.0.1:80 -m
-A -t 10.0.0.8:80 -s rr
-a -t 10.0.0.8:80 -r 10.2.0.3:80 -m
-a -t 10.0.0.8:80 -r 10.2.0.1:443 -m
-a -t 10.0.0.8:80 -r 10.2.0.1:80 -m
-a -t 10.0.0.8:80 -r 10.2.0.2:80 -m
-A -t [2001:db8::1]:80 -s rr
-a -t [2001:db8::1]:80 -r [2001:db8::20]:80 -m
-a -t [2001:db8::1]:80 -r [2001:db8::3]:80 -m
-a -t [2001:db8::1]:80 -r [fd00::3]:80 -m
"""


@pytest.mark.parametrize("args", [(), ("--stats",), ("--thresholds",)])
def test_real_servers_are_listed_in_ipvsadms_order(kernel, args):  # noqa: F811
    """Servers added out of order: one service whose addresses span more than 2^31 (libipvs's
    signed comparison puts 172.x and 200.x first), one that does not, and an IPv6 one."""
    ipvsadm("-R", stdin=ORDER_TABLE)
    ours = lvstui("list", *args)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == ipvsadm("-Ln", *args)


def test_a_table_of_many_services_is_saved_and_listed_as_ipvsadms(kernel):  # noqa: F811
    """40 services of 1 to 9 servers (listed by the fast name column, saved by the fast
    server line): as ipvsadm saves and lists them."""
    lines = []
    for s in range(40):
        lines.append(f"-A -t 10.9.{s}.1:80 -s wlc")
        lines += [f"-a -t 10.9.{s}.1:80 -r 10.8.{s}.{r}:80 -m -w {r}" for r in range(1, s % 9 + 2)]
    ipvsadm("-R", stdin="\n".join(lines) + "\n")
    assert lvstui("save").stdout == ipvsadm("-Sn")
    assert lvstui("list").stdout == ipvsadm("-Ln")
