"""Two real keepalived 2.2.7 directors (VRRP only) in network namespaces on one veth link:
``lvstui ha status`` reads each one's instances from keepalived's own JSON dump (MASTER on the
higher priority, BACKUP on the other), follows a failover, and says a stopped keepalived is not
running and an answer that does not come is stale."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.pace import until

PRIORITIES = {1: 150, 2: 100}
CONFIG = """global_defs {{
   router_id d{n}
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 1
    virtual_ipaddress {{
        192.168.77.100/24
    }}
}}
"""


class Pair:
    def __init__(self, root):
        self.root, self.tag = root, f"lvkv{os.getpid()}"
        self.procs: dict[int, subprocess.Popen] = {}

    def ns(self, n: int) -> str:
        return f"{self.tag}-{n}"

    def dir(self, n: int) -> str:
        return os.path.join(self.root, f"d{n}")

    def up(self) -> None:
        for n in (1, 2):
            subprocess.run(["ip", "netns", "add", self.ns(n)], check=True)
        subprocess.run(["ip", "link", "add", f"{self.tag}a", "netns", self.ns(1), "type", "veth",
                        "peer", "name", f"{self.tag}b", "netns", self.ns(2)], check=True)
        for n, dev in ((1, f"{self.tag}a"), (2, f"{self.tag}b")):
            ip = ["ip", "-n", self.ns(n)]
            subprocess.run([*ip, "link", "set", dev, "name", "eth0"], check=True)
            subprocess.run([*ip, "link", "set", "eth0", "up"], check=True)
            subprocess.run([*ip, "link", "set", "lo", "up"], check=True)
            subprocess.run([*ip, "addr", "add", f"192.168.77.{n}/24", "dev", "eth0"], check=True)
            os.makedirs(self.dir(n), exist_ok=True)
            self.start(n)

    def start(self, n: int) -> None:
        d = self.dir(n)
        with open(os.path.join(d, "keepalived.conf"), "w") as fh:
            fh.write(CONFIG.format(n=n, priority=PRIORITIES[n]))
        self.procs[n] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(n), "keepalived", "--dont-fork", "--vrrp",
             "--no-syslog", "--log-console", "-f", f"{d}/keepalived.conf", "-p", f"{d}/k.pid",
             "-r", f"{d}/v.pid"], env={**os.environ, "TMPDIR": d},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self, n: int) -> None:
        proc = self.procs.pop(n, None)
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

    def down(self) -> None:
        for n in list(self.procs):
            self.stop(n)
        for n in (1, 2):
            subprocess.run(["ip", "netns", "del", self.ns(n)], check=False)

    def status(self, n: int) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "lvstui", "--audit-log", os.path.join(self.root, "a.log"),
             "ha", "status", "--ha", "keepalived", "--keepalived-pid", f"{self.dir(n)}/k.pid"],
            capture_output=True, text=True, timeout=60)


@pytest.fixture
def pair(tmp_path):
    assert shutil.which("keepalived"), "keepalived is installed by scripts/install.sh --test"
    assert os.geteuid() == 0, "two keepalived directors in network namespaces: root"
    bed = Pair(str(tmp_path))
    try:
        bed.up()
        yield bed
    finally:
        bed.down()


def role(pair: Pair, n: int) -> str:
    lines = [line.split() for line in pair.status(n).stdout.splitlines()]
    return next((words[1] for words in lines if words[:1] == ["VI_1"]), "")


def test_each_directors_vrrp_state_as_keepalived_says_it(pair):
    until(lambda: role(pair, 1) == "MASTER" and role(pair, 2) == "BACKUP", 10,
          "d1 MASTER (priority 150) and d2 BACKUP")
    # a busy machine may leave keepalived's answer later than the 2 s a read waits: asked again
    shown = until(lambda: (lambda done: done if "answered now" in done.stdout else None)(
        pair.status(1)), 10, "an answer from d1's keepalived within a read")
    assert shown.returncode == 0, shown.stderr
    assert "vrid 51  eth0" in shown.stdout and "priority 150 (base 150)" in shown.stdout
    assert "VIPs 192.168.77.100/24" in shown.stdout
    pair.stop(1)                                             # the master goes away
    until(lambda: role(pair, 2) == "MASTER", 10, "d2 taking over as MASTER")
    gone = pair.status(1)
    assert gone.returncode == 1 and "keepalived is not running here" in gone.stdout


def test_an_answer_that_does_not_come_is_stale(pair):
    until(lambda: role(pair, 1) == "MASTER", 10, "d1 MASTER")
    vrrp_pid = int(open(f"{pair.dir(1)}/v.pid").read())
    os.kill(vrrp_pid, signal.SIGSTOP)                        # the VRRP process stops answering
    try:
        stale = pair.status(1)
    finally:
        os.kill(vrrp_pid, signal.SIGCONT)
    assert stale.returncode == 1
    assert "STALE: keepalived" in stale.stdout and "did not answer within" in stale.stdout
    assert "its last answer is" in stale.stdout and "VI_1" in stale.stdout


def test_the_consoles_peers_line_and_the_recorders_event_speak_keepalived(pair):
    """The console (peers line) and the recorder (failover events) read keepalived where it
    runs: its instances, not heartbeat's words; a failover asked says it is not built."""
    from lvstui.cases.managers import KeepalivedCluster
    from lvstui.ha import HeartbeatError
    from lvstui.history.events import observed_states
    from lvstui.keepalived.state import Keepalived
    from lvstui.ui.format import peers_text
    until(lambda: role(pair, 1) == "MASTER" and role(pair, 2) == "BACKUP", 10, "roles settled")
    here = KeepalivedCluster(Keepalived(f"{pair.dir(1)}/k.pid"), "d1")
    there = KeepalivedCluster(Keepalived(f"{pair.dir(2)}/k.pid"), "d2")
    assert peers_text(here.state()) == "keepalived: d1 (here): VI_1 MASTER (priority 150)"
    assert peers_text(there.state()) == "keepalived: d2 (here): VI_1 BACKUP (priority 100)"
    assert observed_states(None, here.state(), [], None) == {
        ("failover", "keepalived"): "d1: resources all"}
    with pytest.raises(HeartbeatError, match="not built yet"):
        here.standby()


def test_ha_none_says_there_is_no_ha_manager(tmp_path):
    def run(action):
        return subprocess.run([sys.executable, "-m", "lvstui", "--audit-log", str(tmp_path / "a"),
                               "ha", action, "--ha", "none"], capture_output=True, text=True,
                              timeout=60)
    status, standby = run("status"), run("standby")
    assert status.returncode == 0 and "no HA manager on this director" in status.stdout
    assert standby.returncode == 1
