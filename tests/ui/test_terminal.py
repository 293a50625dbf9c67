"""lvstui --demo in a real terminal (tmux, 80x24), driven by send-keys, read with capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

LVSTUI = os.path.join(os.path.dirname(sys.executable), "lvstui")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, predicate, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = screen(session)
        if predicate(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"screen never matched:\n{text}")
        time.sleep(0.1)


def weight_of(text: str, address: str) -> str:
    """The Weight column of a real server's row (right after the address)."""
    words = next(line.strip("│ ≠").split() for line in text.splitlines()
                 if line.strip("│ ≠").startswith(f"{address}:"))
    return words[1]


@pytest.fixture
def session(tmp_path):
    assert shutil.which("tmux"), "tmux is installed by scripts/install.sh --test"
    name = f"lvstui-test-{os.getpid()}"
    pidfile = tmp_path / "pid"
    tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24",
         f"echo $$ > {pidfile}; exec {LVSTUI} --demo --audit-log {tmp_path / 'audit.log'}")
    yield name, pidfile
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:         # a zombie has finished too
        return fh.read().split(") ")[1][0] != "Z"


def test_drain_restore_quit_in_a_real_terminal(session, tmp_path):
    name, pidfile = session
    wait_for(name, lambda t: "172.26.46.80:80" in t and "Health" in t)
    tmux("send-keys", "-t", name, "Tab")              # to the real servers pane
    tmux("send-keys", "-t", name, "d")
    wait_for(name, lambda t: weight_of(t, "172.26.46.80") == "0")
    assert weight_of(screen(name), "172.26.46.81") == "1"
    tmux("send-keys", "-t", name, "D")
    wait_for(name, lambda t: weight_of(t, "172.26.46.80") == "1")
    pid = int(pidfile.read_text())
    tmux("send-keys", "-t", name, "q")
    deadline = time.monotonic() + 10
    while alive(pid):
        assert time.monotonic() < deadline, "lvstui did not quit"
        time.sleep(0.1)
    log = (tmp_path / "audit.log").read_text()
    assert "-r 172.26.46.80:80 -g -w 0" in log and "-r 172.26.46.80:80 -g -w 1" in log


def test_exits_when_the_terminal_dies(session):
    name, pidfile = session
    wait_for(name, lambda t: "Virtual services" in t)
    pid = int(pidfile.read_text())
    subprocess.run(["tmux", "kill-session", "-t", name], check=True)   # the SSH session drops
    deadline = time.monotonic() + 15
    while alive(pid):
        assert time.monotonic() < deadline, "lvstui kept running on a dead terminal"
        time.sleep(0.1)


def test_the_demo_touches_nothing_of_the_hosts(tmp_path):
    """/etc, /run and /var read-only (a mount namespace): the demo still saves, drains, edits
    and reloads heartbeat — all in its own directory — and writes no warning."""
    assert shutil.which("unshare"), "util-linux is installed by scripts/install.sh"
    name = f"lvstui-ro-{os.getpid()}"
    readonly = "; ".join(f"mount --bind {d} {d} && mount -o remount,bind,ro {d}"
                         for d in ("/etc", "/run", "/var"))
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40",
         f"unshare -m --propagation private sh -c '{readonly}; "
         f"touch /etc/lvstui-probe 2>/dev/null && echo WRITABLE; exec {LVSTUI} --demo'")
    try:
        wait_for(name, lambda t: "172.26.46.80:80" in t and "Health" in t)
        for keys in (["s"], ["Enter"], ["Tab"], ["d"]):
            tmux("send-keys", "-t", name, *keys)
            time.sleep(0.3)
        text = wait_for(name, lambda t: "-g -w 0  [ok]" in t.replace("\n", " "))
        assert "ipvsadm.rules  [ok]" in text.replace("\n", "") and "/tmp/lvstui-demo-" in text
        assert "WRITABLE" not in text and "not written" not in text
        tmux("send-keys", "-t", name, "p")
        text = wait_for(name, lambda t: "Heartbeat configuration" in t)
        assert "/tmp/lvstui-demo-" in text and "/etc/ha.d" not in text
        assert "not among the nodes" not in text          # the demo is rh1.cluster.net
        tmux("send-keys", "-t", name, "R")
        time.sleep(0.3)
        tmux("send-keys", "-t", name, "y")
        tmux("send-keys", "-t", name, "Escape")
        text = wait_for(name, lambda t: "simulated" in t and "[ok]" in t)
        assert "error" not in text.lower()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    assert not os.path.exists("/etc/lvstui-probe")


def test_a_hang_up_reverts_what_was_not_confirmed(tmp_path):
    """--confirm-within: a drain, then the SSH session drops before C: the drain reverts."""
    name = f"lvstui-hup-{os.getpid()}"
    audit = tmp_path / "audit.log"
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40",
         f"exec {LVSTUI} --demo --confirm-within 10 --audit-log {audit}")
    try:
        wait_for(name, lambda t: "172.26.46.80:80" in t and "Health" in t)
        tmux("send-keys", "-t", name, "Tab")
        tmux("send-keys", "-t", name, "d")
        wait_for(name, lambda t: "UNCONFIRMED: 1 change revert in" in t)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    deadline = time.monotonic() + 15
    while "not confirmed: reverted" not in (audit.read_text() if audit.exists() else ""):
        assert time.monotonic() < deadline, "the unconfirmed drain was not reverted"
        time.sleep(0.1)
    here = [line for line in audit.read_text().splitlines() if "# on " not in line]
    there = [line for line in audit.read_text().splitlines() if "# on " in line]
    assert here[0].endswith("-r 172.26.46.80:80 -g -w 0")
    assert here[-1].endswith("-r 172.26.46.80:80 -g -w 1  # not confirmed: reverted")
    assert there == []       # the demo's peer had RS1 drained already: nothing to do there


def test_a_form_typed_fast_keeps_each_value_in_its_field(session):
    """Keys that reach the console in one read (a fast typist, a paste): after a Tab the
    text goes to the next field, not the one the Tab left."""
    name, _pidfile = session
    wait_for(name, lambda t: "172.26.46.80:80" in t)
    tmux("send-keys", "-t", name, "a")
    wait_for(name, lambda t: "Add a virtual service" in t)
    tmux("send-keys", "-t", name, "10.9.9.9:80", "Tab", "Tab", "300", "Tab", "255.255.0.0")
    text = wait_for(name, lambda t: "255.255.0.0" in t)

    def field(label: str) -> str:
        line = next(line for line in text.splitlines() if label in line)
        return line.split(label, 1)[1].strip(" █│").split()[0]
    assert field("VIP:port / mark") == "10.9.9.9:80"
    assert field("Persistence (s)") == "300"
    assert field("Netmask / prefix") == "255.255.0.0"
