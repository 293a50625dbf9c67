"""The console in tmux on director 1 (namespace d1) with director 2 as its peer over real
OpenSSH: a drain reaches both kernels, "this director only" does not, undo undoes both, drift
appears when the peer is changed behind the console's back, the preflight comes before
standby. ``ipvsadm -Ln`` in each namespace is the referee."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.pace import patience
from tests.pair.conftest import LVSTUI, ipvsadm
from tests.ui.test_terminal import screen, tmux, wait_for

pytestmark = pytest.mark.pair
WAIT = patience(3)   # Python and ssh are slow in the TCG guest, slower beside the host tier
RULES = ("-A -t 10.0.0.50:80 -s wlc\n-a -t 10.0.0.50:80 -r 10.0.0.11:80 -g -w 5\n"
         "-a -t 10.0.0.50:80 -r 10.0.0.12:80 -g -w 5\n")


def weight(ns: str, server: str) -> str:
    for line in ipvsadm(ns, "-Ln").splitlines():
        if f"-> {server}:80" in line:
            return line.split()[3]
    raise AssertionError(f"{server} not in {ns}'s table")


def until(condition, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def select_server(name: str, server: str) -> None:
    """The cursor onto *server* in the real servers pane (the first row is 10.0.0.11)."""
    tmux("send-keys", "-t", name, "Home")
    if server.endswith(".12"):
        tmux("send-keys", "-t", name, "Down")


@pytest.fixture
def console(pair):
    for ns in ("d1", "d2"):
        ipvsadm(ns, "-R", stdin=RULES)
    name = f"lvstui-pair-{os.getpid()}"
    command = (f"ip netns exec d1 {LVSTUI} --audit-log {pair.d1_audit} --peer director2 "
               f"--ssh-config {pair.sshd.config} --peer-command '{pair.peer_command()}' "
               f"--peer-timeout {round(WAIT)}")
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "36", command)
    tmux("resize-window", "-t", name, "-x", "120", "-y", "36")
    try:
        wait_for(name, lambda t: "peer director2: equal" in t, WAIT)
        tmux("send-keys", "-t", name, "Tab")
        yield name
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_the_console_changes_both_directors_or_this_one_only(pair, console):
    select_server(console, "10.0.0.11")
    tmux("send-keys", "-t", console, "d")
    until(lambda: weight("d1", "10.0.0.11") == "0" and weight("d2", "10.0.0.11") == "0",
          "the drain did not reach both kernels")
    tmux("send-keys", "-t", console, "u")
    until(lambda: weight("d1", "10.0.0.11") == "5" and weight("d2", "10.0.0.11") == "5",
          "undo did not take the drain back on both")
    tmux("send-keys", "-t", console, "b")
    wait_for(console, lambda t: "THIS DIRECTOR ONLY" in t, WAIT)
    select_server(console, "10.0.0.12")
    tmux("send-keys", "-t", console, "d")
    until(lambda: weight("d1", "10.0.0.12") == "0", "the drain did not reach d1")
    wait_for(console, lambda t: "peer director2: 1 difference" in t, WAIT)
    assert weight("d2", "10.0.0.12") == "5"


def drift_row(text: str, server: str) -> list[str] | None:
    """The weights (here, the peer's) after the drift mark on *server*'s row, else None."""
    row = next((line for line in text.splitlines() if f"{server}:80" in line), "")
    return row.split("≠")[1].split()[1:3] if "≠" in row else None


def test_drift_made_behind_the_consoles_back_is_shown(pair, console):
    ipvsadm("d2", "-e", "-t", "10.0.0.50:80", "-r", "10.0.0.11:80", "-g", "-w", "9")
    # the status line and the row are redrawn by different messages: wait for both
    text = wait_for(console, lambda t: "peer director2: 1 difference" in t
                    and drift_row(t, "10.0.0.11") is not None, WAIT)
    assert drift_row(text, "10.0.0.11") == ["5", "9"], text


def test_the_preflight_comes_before_standby(pair, console):
    ipvsadm("d2", "-e", "-t", "10.0.0.50:80", "-r", "10.0.0.12:80", "-g", "-w", "1")
    wait_for(console, lambda t: "1 difference" in t, WAIT)
    tmux("send-keys", "-t", console, "h")
    # the dialog may be captured half painted: its facts are waited for, not read at once
    wait_for(console, lambda t: "Preflight" in t and "director2 differs in 1 place(s)" in t
             and "sync daemon is not running as backup" in t, WAIT)
    tmux("send-keys", "-t", console, "n")
    assert "Preflight" not in wait_for(console, lambda t: "Preflight" not in t, WAIT)
    assert screen(console)
