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
    assert " user=alice(as " in person and " via=console from=198.51.100.7 result=ok " in person
    assert " via=monitor from=198.51.100.7 result=ok " in monitor
    assert " via=cli result=ok ipvsadm -C" in cli and "from=" not in cli
