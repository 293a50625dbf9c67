"""keepalived's verdict on each real server, read from its checker process's data dump (one
captured from keepalived 2.2.7 in the ip_vs VM: a TCP_CHECK failing, a server with no checker,
a fwmark service with a MISC_CHECK and inhibit_on_failure); ``ha status`` on the demo's."""

from __future__ import annotations

import os
import subprocess
import sys

from lvstui.keepalived.checkers import Verdict, parse

DATA = os.path.join(os.path.dirname(__file__), "data", "keepalived_check.data")


def test_each_real_server_with_keepalived_verdict_and_its_checkers():
    with open(DATA) as fh:
        verdicts = parse(fh.read())
    assert verdicts == [
        Verdict("TCP 10.9.9.9:80", "10.9.9.1:80", False, 1, 3, ("TCP_CHECK",), False, False,
                1.0),
        Verdict("TCP 10.9.9.9:80", "10.9.9.2:80", True, 0, 4, (), False, True, 1.0),
        Verdict("FWM 7", "10.9.9.5:0", True, 0, 2, ("MISC_CHECK",), True, True, 60.0)]
    assert verdicts[0].said() == ("TCP 10.9.9.9:80 -> 10.9.9.1:80: FAILED, 1 checker(s) "
                                  "failing (TCP_CHECK), weight 3 once it passes")
    assert verdicts[1].said() == ("TCP 10.9.9.9:80 -> 10.9.9.2:80: alive (no checker: always "
                                  "alive), weight 4")


def test_a_dump_of_vrrp_alone_or_nothing_has_no_verdicts():
    assert parse("------< VRRP Topology >------\n Interface = eth0\n") == []
    assert parse("") == []


def test_ipv6_servers_are_named_as_lvstui_names_them():
    text = (" ------< Virtual server >------\n VS VIP = 2001:db8::1, VPORT = 443\n"
            "   protocol = TCP\n   ------< Real server >------\n"
            "   RIP = 2001:db8::10, RPORT = 443, WEIGHT = 1 EFF WEIGHT = 1\n   alive = 1\n"
            "   num failed checkers = 0\n------< Health checkers >------\n"
            " [2001:db8::1]:tcp:443 -> [2001:db8::10]:tcp:443\n   Keepalive method = SSL_GET\n")
    assert parse(text) == [Verdict("TCP [2001:db8::1]:443", "[2001:db8::10]:443", True, 0, 1,
                                   ("SSL_GET",))]


def test_ha_status_on_the_demo_says_its_checkers_verdicts():
    out = subprocess.run([sys.executable, "-m", "lvstui", "--demo", "--ha", "keepalived", "ha",
                          "status"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "real servers, as keepalived's checkers say (answered now):" in out.stdout
    assert "  TCP 172.26.46.119:80 -> 172.26.46.80:80: alive (HTTP_GET), weight 1" in out.stdout
