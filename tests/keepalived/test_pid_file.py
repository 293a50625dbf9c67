"""A stale pid file never points lvstui's SIGRTMIN+2 (keepalived's JSON dump) at another
process: only a live process named keepalived is keepalived."""

import os
import subprocess

from lvstui.keepalived.state import Keepalived


def _pid_file(tmp_path, pid):
    path = tmp_path / "keepalived.pid"
    path.write_text(f"{pid}\n")
    return str(path)


def _process_named(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/bin/sleep")
    return subprocess.Popen([str(link), "60"])


def test_a_pid_file_naming_another_process_is_not_keepalived(tmp_path):
    other = _process_named(tmp_path, "sleep-not-keepalived")
    try:
        keepalived = Keepalived(_pid_file(tmp_path, other.pid), wait=0.1)
        assert keepalived.pid() is None
        state = keepalived.state()
        assert not state.running and "no live pid" in state.error
        assert other.poll() is None            # it was sent nothing
    finally:
        other.kill(); other.wait()


def test_control_a_process_named_keepalived_is_found(tmp_path):
    named = _process_named(tmp_path, "keepalived")
    try:
        assert Keepalived(_pid_file(tmp_path, named.pid)).pid() == named.pid
    finally:
        named.kill(); named.wait()


def test_our_own_pid_is_not_keepalived(tmp_path):
    assert Keepalived(_pid_file(tmp_path, os.getpid())).pid() is None
