"""Helpers shared by the test tiers."""

from __future__ import annotations

import pathlib
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


def kill_midway(code: str, directory, intact, tries: int = 30) -> int:
    """Run *code* (a writer looping forever over a file in *directory*) and SIGKILL it at a
    growing delay, until a kill has landed in the middle of a write — proved by the temp file
    the write leaves behind — three times. *intact()* must hold after every kill. Returns how
    many kills landed mid-write (the caller asserts it)."""
    mid_write = 0
    for n in range(tries):
        for stale in pathlib.Path(directory).glob(".*.tmp"):
            stale.unlink()
        proc = subprocess.Popen([sys.executable, "-c", code])
        try:
            proc.wait(timeout=0.3 + 0.037 * n)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert intact(), "a half-written file after a kill"
        mid_write += any(pathlib.Path(directory).glob(".*.tmp"))
        if mid_write >= 3:
            break
    return mid_write
