"""Inside the ip_vs VM: ``lvstui monitor`` on an ldirectord.cf with two real HTTP backends,
and Debian's ldirectord on the same file as the referee: both must reach the same table."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.pace import patience

pytestmark = pytest.mark.kernel

# TIMEOUT: a check's time limit, for lvstui and ldirectord alike. Generous: under the
# emulated CPU with the other VM tiers beside it, ldirectord's own HTTP check (Perl) took
# longer than 3 s on every try once (run 27: its servers never came up); a stopped backend
# is refused at once, so no step waits for it.
INTERVAL, FAILURES, TIMEOUT = 1, 1, 10
LONGEST_WAIT = 300          # seconds: a step's wait, well inside pytest-timeout's 900 s
CONFIG = f"""\
checktimeout={TIMEOUT}
negotiatetimeout={TIMEOUT}
checkinterval={INTERVAL}
failurecount={FAILURES}
quiescent=yes
logfile="{{log}}"

virtual=10.0.0.1:80
\treal=10.2.1.2:80 masq 2
\treal=10.2.2.2:80 masq 3
\tfallback=127.0.0.1:80 masq
\tservice=http
\trequest="index.html"
\treceive="ok page"
\tscheduler=wrr
\tprotocol=tcp
\tchecktype=negotiate
"""
SERVICE = "-A -t 10.0.0.1:80 -s wrr"


def sh(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def table() -> str:
    return sh("ipvsadm", "-Sn")


def rule(address: str, weight: int) -> str:
    return f"-a -t 10.0.0.1:80 -r {address}:80 -m -w {weight}"


def wait_for(predicate, timeout: float, what: str) -> float:
    timeout = min(timeout, LONGEST_WAIT)     # say what was waited for before pytest-timeout
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout} s; table:\n{table()}")
        time.sleep(0.2)     # ipvsadm is a process: polling harder starves the TCG guest
    return time.monotonic() - start


class Backends:
    """Two HTTP servers (busybox httpd) in their own namespaces, 10.2.{1,2}.2:80."""

    def __init__(self, root):
        self.root, self.procs = root, {}

    def setup(self):
        for i in (1, 2):
            ns = f"hc-b{i}"
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", f"hc-b{i}a", "type", "veth", "peer", "name", f"hc-b{i}b",
               "netns", ns)
            sh("ip", "addr", "add", f"10.2.{i}.1/24", "dev", f"hc-b{i}a")
            sh("ip", "link", "set", f"hc-b{i}a", "up")
            for cmd in (f"addr add 10.2.{i}.2/24 dev hc-b{i}b", f"link set hc-b{i}b up",
                        "link set lo up", f"route add default via 10.2.{i}.1"):
                sh("ip", "-n", ns, *cmd.split())
            www = self.root / f"www{i}"
            www.mkdir()
            (www / "index.html").write_text(f"ok page from backend {i}\n")
            self.start(i)

    def start(self, i: int):
        self.procs[i] = subprocess.Popen(
            ["ip", "netns", "exec", f"hc-b{i}", "busybox", "httpd", "-f",
             "-p", f"10.2.{i}.2:80", "-h", str(self.root / f"www{i}")])
        deadline = time.monotonic() + patience(10)
        while f"10.2.{i}.2:80" not in sh("ip", "netns", "exec", f"hc-b{i}", "ss", "-ltn"):
            assert time.monotonic() < deadline, f"backend {i} did not start"
            time.sleep(0.1)

    def stop(self, i: int):
        self.procs[i].kill()
        self.procs[i].wait()

    def teardown(self):
        for p in self.procs.values():
            p.kill()
            p.wait()
        for i in (1, 2):
            subprocess.run(["ip", "netns", "del", f"hc-b{i}"])


@pytest.fixture
def backends(tmp_path):
    sh("sysctl", "-qw", "net.ipv4.ip_forward=1")
    subprocess.run(["ipvsadm", "-C"], check=True)
    lab = Backends(tmp_path)
    try:
        lab.setup()
        yield lab
    finally:
        lab.teardown()
        subprocess.run(["ipvsadm", "-C"])


def expect(*rules: str) -> str:
    return "\n".join([SERVICE, *rules]) + "\n"


UP = expect(rule("10.2.1.2", 2), rule("10.2.2.2", 3))
STEPS = [  # (backends to stop, to start, the table that must follow)
    ((), (), UP),
    ((1,), (), expect(rule("10.2.1.2", 0), rule("10.2.2.2", 3))),
    ((), (1,), UP),
    ((1, 2), (), expect(rule("10.2.1.2", 0), rule("10.2.2.2", 0), rule("127.0.0.1", 1))),
    ((), (2,), expect(rule("10.2.1.2", 0), rule("10.2.2.2", 3))),
    ((), (1,), UP),
]


def scenario(backends, who: str, timeout: float) -> None:
    """Both up, one down, back, both down (the fallback), one back, all back."""
    for n, (stop, start, want) in enumerate(STEPS):
        for i in stop:
            backends.stop(i)
        for i in start:
            backends.start(i)
        wait_for(lambda: table() == want, timeout, f"{who}, step {n}: {want}")


def test_monitor_quiesces_restores_and_falls_back_like_ldirectord(backends, tmp_path):
    config = tmp_path / "ldirectord.cf"
    config.write_text(CONFIG.format(log=tmp_path / "ldirectord.log"))
    state = tmp_path / "health.json"
    monitor = subprocess.Popen(
        [sys.executable, "-m", "lvstui.cli", "--audit-log", str(tmp_path / "audit.log"),
         "monitor", "--ldirectord", str(config), "--state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: table() == UP, patience(20), "lvstui monitor to add both servers")
        # a dead server is quiesced (how soon is bench's to measure: interval x failures +
        # timeout on an idle host)
        backends.stop(2)
        wait_for(lambda: rule("10.2.2.2", 0) in table(),
                 patience(INTERVAL * FAILURES + TIMEOUT), "quiesce")
        backends.start(2)
        scenario(backends, "lvstui monitor", patience(10))
    finally:
        monitor.send_signal(signal.SIGTERM)
        out = monitor.communicate(timeout=60)[0]
        print(out)
    assert monitor.returncode == 0, out
    assert "down (refused): quiesced (weight 0, was 2)" in out
    assert "every real server is down: fallback 127.0.0.1:80 added" in out
    assert "a real server is back: fallback 127.0.0.1:80 removed" in out
    assert state.exists()

    # the referee: Debian's ldirectord, same file, same kernel, same steps, same tables
    subprocess.run(["ipvsadm", "-C"], check=True)
    said = tmp_path / "ldirectord.out"
    with open(said, "w") as out:            # -d: it logs to its output (and its logfile)
        referee = subprocess.Popen(["ldirectord", "-d", str(config), "start"], stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        scenario(backends, "ldirectord", patience(30))
    except AssertionError as exc:
        tails = [f"{path.name}:\n{path.read_text(errors='replace')[-3000:]}"
                 for path in (said, tmp_path / "ldirectord.log") if path.exists()]
        raise AssertionError("\n".join([str(exc), *tails])) from None
    finally:
        referee.send_signal(signal.SIGTERM)
        referee.wait(timeout=60)
