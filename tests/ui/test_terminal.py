"""lvstui --demo in a real terminal (tmux, 80x24), driven by send-keys, read with capture-pane."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.pace import patience, until

LVSTUI = os.path.join(os.path.dirname(sys.executable), "lvstui")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, predicate, timeout: float | None = None) -> str:
    """The screen once *predicate(screen)* holds (*timeout*: seconds; by default five seconds
    of an idle host, scaled to this one)."""
    deadline = time.monotonic() + (timeout or patience(5))
    while True:
        text = screen(session)
        if predicate(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"screen never matched:\n{text}")
        time.sleep(0.1)


def weight_of(text: str, address: str) -> str:
    """The kernel's weight in a real server's row (the Weight column, right after the
    address; ``0/1``: 0 in the kernel, 1 configured)."""
    words = next((line.strip("│ ≠").split() for line in text.splitlines()
                  if line.strip("│ ≠").startswith(f"{address}:")), ["", ""])   # covered: ""
    return words[1].split("/")[0]


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
    deadline = time.monotonic() + patience(3)
    while alive(pid):
        assert time.monotonic() < deadline, "lvstui did not quit"
        time.sleep(0.1)
    log = (tmp_path / "audit.log").read_text()
    assert "-r 172.26.46.80:80 -g -w 0" in log and "-r 172.26.46.80:80 -g -w 1" in log


def test_the_last_live_server_drained_raises_the_alarm_at_80x24(session, tmp_path):
    """Asked first; then a red banner and the status line's first words say it, at 80x24."""
    name, _ = session
    wait_for(name, lambda t: "172.26.46.80:80" in t and "Health" in t)
    tmux("send-keys", "-t", name, "Tab", "d")
    wait_for(name, lambda t: weight_of(t, "172.26.46.80") == "0")
    tmux("send-keys", "-t", name, "Down", "d")
    wait_for(name, lambda t: "last live real server" in t)
    tmux("send-keys", "-t", name, "y")
    text = wait_for(name, lambda t: "NO LIVE SERVER: TCP 172.26.46.119:80" in t)
    status = text.splitlines()[-2]                  # above the footer (a toast may cover
    assert status.strip().startswith("ALARM: 1 service black-holed · read "), text  # its end)
    audit = (tmp_path / "audit.log").read_text()
    assert "ALARM: TCP 172.26.46.119:80 has no real server" in audit


def test_exits_when_the_terminal_dies(session):
    name, pidfile = session
    wait_for(name, lambda t: "Virtual services" in t)
    pid = int(pidfile.read_text())
    subprocess.run(["tmux", "kill-session", "-t", name], check=True)   # the SSH session drops
    deadline = time.monotonic() + patience(5)
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
        tmux("send-keys", "-t", name, "s")
        wait_for(name, lambda t: "Save the table as ipvsadm rules to" in t)
        tmux("send-keys", "-t", name, "Enter")
        text = wait_for(name, lambda t: "ipvsadm.rules  [ok]" in t.replace("\n", ""))
        assert "/tmp/lvstui-demo-" in text
        tmux("send-keys", "-t", name, "Tab", "d")
        text = wait_for(name, lambda t: "-g -w 0  [ok]" in t.replace("\n", " "))
        assert "WRITABLE" not in text and "not written" not in text
        tmux("send-keys", "-t", name, "p")
        text = wait_for(name, lambda t: "Heartbeat configuration" in t)
        assert "/tmp/lvstui-demo-" in text and "/etc/ha.d" not in text
        assert "not among the nodes" not in text          # the demo is rh1.cluster.net
        tmux("send-keys", "-t", name, "R")
        wait_for(name, lambda t: "Reload heartbeat?" in t)
        tmux("send-keys", "-t", name, "y")
        tmux("send-keys", "-t", name, "Escape")
        text = wait_for(name, lambda t: "simulated" in t and "[ok]" in t)
        assert "error" not in text.lower()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    assert not os.path.exists("/etc/lvstui-probe")


@contextlib.contextmanager
def demo_console(kind: str, audit, *flags: str):
    """``lvstui --demo`` at 120x40 in tmux, its real servers shown; the session's name."""
    name = f"lvstui-{kind}-{os.getpid()}"
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40",
         f"exec {LVSTUI} --demo {' '.join(flags)} --audit-log {audit}")
    try:
        wait_for(name, lambda t: "172.26.46.80:80" in t and "Health" in t)
        yield name
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_a_hang_up_reverts_what_was_not_confirmed(tmp_path):
    """--confirm-within: a drain, then the SSH session drops before C: the drain reverts."""
    audit = tmp_path / "audit.log"
    with demo_console("hup", audit, "--confirm-within", "10") as name:
        tmux("send-keys", "-t", name, "Tab")
        tmux("send-keys", "-t", name, "d")
        wait_for(name, lambda t: "UNCONFIRMED: 1 change revert in" in t)
    deadline = time.monotonic() + patience(5)
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


def test_keys_sent_at_once_are_each_one_change_in_order(tmp_path):
    """Over a laggy link keys arrive together: ten + in one send-keys raise the weight by
    exactly ten, ten u take it back exactly (one change thread: none lost, none reordered).
    This director alone (+ on RS1, drained on the demo's peer, would ask how)."""
    audit = tmp_path / "audit.log"
    with demo_console("burst", audit, "--no-peer") as name:
        tmux("send-keys", "-t", name, "Tab")
        wait_for(name, lambda t: "drain" in t.lower())          # the servers pane's keys
        tmux("send-keys", "-t", name, *["+"] * 10)
        wait_for(name, lambda t: weight_of(t, "172.26.46.80") == "11")
        tmux("send-keys", "-t", name, *["u"] * 10)
        wait_for(name, lambda t: weight_of(t, "172.26.46.80") == "1")

    def here() -> list[str]:                  # a change shows in a read before its audit line
        return [line.split(" -w ")[1] for line in audit.read_text().splitlines()
                if "-r 172.26.46.80:80" in line and "# on " not in line]
    until(lambda: len(here()) >= 20, 2, "the twentieth audit line")
    assert here() == [*map(str, range(2, 12)), *(f"{w}  # undo" for w in range(10, 0, -1))]


def test_u_takes_back_the_newest_action_and_stops_there(tmp_path):
    """A drain, then a heartbeat edit written: u restores ha.cf's bytes and leaves the drain;
    it never reaches past the edit to the older table change."""
    audit = tmp_path / "audit.log"
    with demo_console("order", audit) as name:
        tmux("send-keys", "-t", name, "Tab", "d")
        wait_for(name, lambda t: weight_of(t, "172.26.46.80") == "0")
        tmux("send-keys", "-t", name, "p")
        wait_for(name, lambda t: "Heartbeat configuration" in t and "deadtime" in t)
        tmux("send-keys", "-t", name, "Down", "Down", "e")
        wait_for(name, lambda t: "ha.cf: deadtime" in t)
        tmux("send-keys", "-t", name, *["BSpace"] * 4, "12", "Enter")     # one read
        wait_for(name, lambda t: "Write ha.cf: deadtime 12?" in t)
        tmux("send-keys", "-t", name, "y")
        wait_for(name, lambda t: "Reload heartbeat so that it reads the change?" in t)
        tmux("send-keys", "-t", name, "n", "Escape")
        wait_for(name, lambda t: "172.26.46.80:80" in t and "Health" in t)
        tmux("send-keys", "-t", name, "u")
        until(lambda: "# undo" in audit.read_text(), 2, "the undo's audit line")
        text = wait_for(name, lambda t: "# undo" in t.replace("\n", " "))
        assert weight_of(text, "172.26.46.80") == "0"          # the drain stays
    lines = audit.read_text().splitlines()      # (the demo's monitor may audit beside ours)
    edit = next(i for i, line in enumerate(lines) if "ha.cf: deadtime 12" in line)
    undone = [line for line in lines if line.endswith("  # undo")]
    assert len(undone) == 1 and lines.index(undone[0]) > edit, lines
    assert undone[0].endswith("ha.cf  # undo") and " write " in undone[0], undone
    ha_cf = undone[0].split(" write ", 1)[1].split()[0]
    assert "deadtime 10\n" in open(ha_cf).read()                # the bytes before the edit


def field_values(text: str) -> list[str]:
    """The text of each input field on the screen (between its ▊ and ▎ edges)."""
    return [line.split("▊", 1)[1].split("▎", 1)[0].strip() for line in text.splitlines()
            if "▊" in line and "▎" in line and "▔" not in line and "▁" not in line]


def test_bursts_typed_into_form_fields_land_in_order(session):
    """Keys that arrive in one read with erases and moves among them (a laggy link): each
    field holds exactly what was typed — the weight prompt, and a service form's fields."""
    name, _pidfile = session
    wait_for(name, lambda t: "172.26.46.80:80" in t)
    tmux("send-keys", "-t", name, "Tab", "w")
    wait_for(name, lambda t: "Weight of 172.26.46.80:80" in t)
    tmux("send-keys", "-t", name, *["BSpace"] * 6, "31", "BSpace", "45", "Left", "6")
    text = wait_for(name, lambda t: field_values(t)[:1] == ["3465"])   # 31, 3, 345, 3465
    assert "between 0 and 65535" not in text
    tmux("send-keys", "-t", name, "Escape")          # alone: ESC and what follows is Alt+
    wait_for(name, lambda t: "Weight of" not in t)
    tmux("send-keys", "-t", name, "BTab", "a")
    wait_for(name, lambda t: "Add a virtual service" in t)
    tmux("send-keys", "-t", name, "10.9.9.8:8", "BSpace", "90", "Tab", "Tab", "30", "Left",
         "1", "End", "0")
    def form(label: str, text: str) -> str:
        line = next((line for line in text.splitlines() if label in line), "")
        return line.split(label, 1)[-1].strip(" █│").split(" ")[0]
    text = wait_for(name, lambda t: form("Persistence (s)", t).startswith("3"))
    assert (form("VIP:port / mark", text), form("Persistence (s)", text)) == ("10.9.9.8:90",
                                                                              "3100")
