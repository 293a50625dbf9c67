"""Inside the ip_vs VM: Debian's ldirectord judges the real server behaviours of
tests/health/behaviours.py, and ``lvstui monitor --once`` must give the same verdict for each."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest

from tests.health import behaviours as b
from tests.pace import slowness

pytestmark = pytest.mark.kernel


# The checks' timeout here: 3 s of an idle host, up to four times that as the emulated CPU is
# slower (ldirectord's Perl reading the 512 KiB page took over 3 s beside two other tiers).
def check_timeout() -> float:
    return round(b.TIMEOUT * min(4.0, max(1.0, slowness() / 8)), 1)


def ldirectord_cf(ports: dict[str, str], log, timeout: float) -> str:
    reals = "".join(f"\treal=127.0.0.1:{port} masq 1\n" for port in ports.values())
    return (f"checkinterval=2\nnegotiatetimeout={timeout:g}\nquiescent=yes\nlogfile=\"{log}\"\n"
            f"virtual=10.0.0.1:80\n{reals}\tservice=http\n\tchecktype=negotiate\n"
            f"\trequest=\"index.html\"\n\treceive=\"{b.EXPECT}\"\n\tscheduler=wrr\n")


def ldirectord_verdicts(cf, ports: dict[str, str], rounds: int = 2) -> dict[str, str]:
    """ldirectord's own words (-d: "check_http: URL is up|down"), each server seen *rounds*
    times; its last verdict for each."""
    proc = subprocess.Popen(["ldirectord", "-d", str(cf), "start"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(300, proc.kill)
    watchdog.start()
    seen: dict[str, list[str]] = {}
    try:
        for line in proc.stderr:
            print("ldirectord:", line.rstrip())
            m = re.search(r"check_http: http://127\.0\.0\.1:(\d+)/\S* is (up|down)", line)
            if m:
                seen.setdefault(m[1], []).append(m[2])
            if all(len(seen.get(p, [])) >= rounds for p in ports.values()):
                break
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()
        subprocess.run(["ipvsadm", "-C"])
    assert all(p in seen for p in ports.values()), f"ldirectord never judged some: {seen}"
    return {p: verdicts[-1] for p, verdicts in seen.items()}


def test_ldirectord_and_monitor_once_agree_on_every_behaviour(tmp_path):
    timeout = check_timeout()
    servers = subprocess.Popen([sys.executable, b.__file__, "127.0.0.1", "9100"],
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "LVSTUI_CHECK_TIMEOUT": str(timeout)})
    try:
        ports = dict(kv.split("=") for kv in servers.stdout.readline().split())
        cf = tmp_path / "ldirectord.cf"
        cf.write_text(ldirectord_cf(ports, tmp_path / "ldirectord.log", timeout))
        once = subprocess.run([sys.executable, "-m", "lvstui.cli", "--audit-log",
                               str(tmp_path / "audit.log"), "monitor", "--once", "--ldirectord",
                               str(cf)], capture_output=True, text=True, timeout=120)
        theirs = ldirectord_verdicts(cf, ports)
    finally:
        servers.kill()
        servers.wait()
    ours = {line.split()[1].rsplit(":", 1)[1]: line.split()[2] for line in once.stdout.splitlines()}
    by_name = {name: (ours.get(port), theirs[port]) for name, port in ports.items()}
    print(once.stdout)
    assert {n: v for n, v in by_name.items() if v[0] != v[1]} == {}
    assert {n for n, (o, _) in by_name.items() if o == "up"} == set(b.UP_NAMES)
