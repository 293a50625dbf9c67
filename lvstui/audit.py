"""The change log: one line per change lvstui made or tried: time, who (the user, sudo's too),
through what (console, cli or monitor), from where (the SSH client) and on which terminal, the
result, the command."""

from __future__ import annotations

import getpass
import os
import time

DEFAULT_PATH = "/var/log/lvstui/audit.log"


class AuditLog:
    def __init__(self, path: str = DEFAULT_PATH, via: str = "console", asked_by: str = ""):
        self.path, self.via, self.asked_by = path, via, asked_by

    def by(self, via: str, asked_by: str = "") -> AuditLog:
        """The same log, for changes made through *via* (the monitor inside a console; the
        peer's agent, *asked_by* the operator on the other director)."""
        return AuditLog(self.path, via, asked_by)

    def record(self, command: str, result: str) -> str | None:
        """Append one line; returns a warning when the file cannot be written (never raises)."""
        line = (f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')} user={who()} via={self.via}"
                f"{f' for={self.asked_by}' if self.asked_by else ''}{_origin()} "
                f"result={result.replace(chr(10), ' ')} {command}\n")
        try:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        except OSError as exc:
            return f"audit log {self.path} not written: {exc.strerror}"
        return None


def _origin() -> str:
    """`` from=ADDRESS`` for a session opened over SSH (the operator's machine), `` tty=`` the
    terminal it was typed on."""
    client = (os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or "").split()
    where = f" from={client[0]}" if client else ""
    for fd in (0, 1, 2):
        try:
            return where + f" tty={os.ttyname(fd)}"
        except OSError:
            continue
    return where


def who() -> str:
    """The operator: the sudo user and the account, or the account."""
    sudo = os.environ.get("SUDO_USER")
    try:
        me = getpass.getuser()
    except (KeyError, OSError):
        me = str(os.getuid())
    return f"{sudo}(as {me})" if sudo and sudo != me else me
