"""The audit log tells who changed what, through what and from where."""

from __future__ import annotations

from lvstui.audit import AuditLog


def test_a_line_says_who_through_what_and_from_where(tmp_path, monkeypatch):
    path = tmp_path / "audit.log"
    monkeypatch.setenv("SSH_CLIENT", "198.51.100.7 50022 22")
    monkeypatch.setenv("SUDO_USER", "alice")
    AuditLog(str(path)).record("ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 0", "ok")
    AuditLog(str(path)).by("monitor").record("ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 0",
                                             "ok")
    monkeypatch.delenv("SSH_CLIENT")
    AuditLog(str(path), via="cli").record("ipvsadm -C", "ok")
    person, monitor, cli = path.read_text().splitlines()
    assert " user=alice(as " in person and " via=console from=198.51.100.7 " in person
    assert " via=monitor from=198.51.100.7 " in monitor
    assert " via=cli " in cli and cli.endswith(" result=ok ipvsadm -C") and "from=" not in cli


def test_the_terminal_typed_on_is_named(tmp_path):
    """Run on a real pseudo-terminal (as over SSH): the line names it; without one it does not."""
    import os
    import subprocess
    import sys
    path = tmp_path / "audit.log"
    code = ("import sys; from lvstui.audit import AuditLog; "
            "AuditLog(sys.argv[1]).record('ipvsadm -C', 'ok')")
    controller, terminal = os.openpty()
    try:
        subprocess.run([sys.executable, "-c", code, str(path)], stdin=terminal, stdout=terminal,
                       stderr=terminal, check=True, timeout=30)
        name = os.ttyname(terminal)
    finally:
        os.close(controller)
        os.close(terminal)
    subprocess.run([sys.executable, "-c", code, str(path)], stdin=subprocess.DEVNULL,
                   capture_output=True, check=True, timeout=30)
    on_tty, without = path.read_text().splitlines()
    assert f" tty={name} " in on_tty and " tty=" not in without
