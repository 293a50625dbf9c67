"""Helpers shared by the test tiers."""

from __future__ import annotations

import signal
import subprocess
import sys

# The reference cluster's heartbeat files (shared/reference/cluster.md)
REFERENCE_HA_CF = """\
logfacility local0
keepalive 2
deadtime 10
warntime 10
initdead 20
udpport 694
auto_failback on
ucast eth1 192.168.0.1
node    rh1.cluster.net
node    debian.cluster.net
"""
REFERENCE_HARESOURCES = "rh1.cluster.net 172.26.46.119/24/eth0\n"
REFERENCE_AUTHKEYS = "auth 2\n2 sha1 helloworld\n"


def kill_midway(code: str, delays: tuple[float, ...], check) -> None:
    """Run *code* (a writer looping forever) and SIGKILL it after each delay; *check()* after."""
    for delay in delays:
        proc = subprocess.Popen([sys.executable, "-c", code])
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        check()
