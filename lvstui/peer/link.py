"""One agent process for the whole session: ``ssh HOST lvstui agent`` (or any command that
runs one), spoken to in JSON lines. Requests are serialised; each waits at most ``timeout``
seconds; whatever goes wrong becomes a ``PeerError`` in one line the operator can act on."""

from __future__ import annotations

import json
import os
import select
import subprocess
import threading
import time

from ..ipvs.backend import IPVSError
from .protocol import PROTOCOL

SSH_OPTIONS = ("-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
               "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3")
# ssh's ConnectTimeout bounds the network; past it, the peer's own start (its Python, lvstui's
# imports, a first read of its table) is waited for this long: a slow director is not a dead one
CONNECT_TIMEOUT = 60.0        # seconds for the agent's first line (--peer-timeout)
REQUEST_TIMEOUT = 20.0        # seconds for each answer (--peer-timeout, when longer)


class PeerError(IPVSError):
    """The peer cannot be reached or did not do what was asked; the message names it."""


class PeerDenied(PeerError):
    """The peer's agent may read but not change its table (not root there)."""


def ssh_command(host: str, peer_command: str = "lvstui", ssh_config: str | None = None
                ) -> list[str]:
    """The OpenSSH client as the operator uses it (keys, agent, ~/.ssh/config, known_hosts),
    never prompting (BatchMode), running the agent on *host*: *peer_command* is a command line
    for the remote shell (``/opt/lvstui/lvstui.pyz``, ``sudo -n lvstui``). ``--`` ends ssh's
    options: a host name is never read as one (``-oProxyCommand=...``)."""
    config = ["-F", ssh_config] if ssh_config else []
    return ["ssh", *SSH_OPTIONS, *config, "--", host, f"{peer_command} agent"]


class AgentLink:
    """A running agent: its hello (host, user, writable) and ``request()``."""

    def __init__(self, name: str, argv: list[str], peer_command: str = "lvstui",
                 connect_timeout: float = CONNECT_TIMEOUT, timeout: float = REQUEST_TIMEOUT):
        self.name, self.argv, self.peer_command = name, argv, peer_command
        self.timeout = timeout
        self._lock = threading.Lock()
        self._buffer = b""
        self._next_id = 0
        try:
            self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise PeerError(f"{name}: cannot run {argv[0]}: {exc.strerror}") from None
        self.hello = self._hello(connect_timeout)

    @property
    def host(self) -> str:
        return self.hello.get("host", self.name)

    @property
    def writable(self) -> bool:
        return bool(self.hello.get("writable"))

    def _hello(self, timeout: float) -> dict:
        line = self._read_line(timeout)
        try:
            hello = json.loads(line)
        except ValueError:
            hello = None
        if not isinstance(hello, dict) or hello.get("agent") != "lvstui":
            self.close()
            raise PeerError(f"{self.name}: {self.peer_command} there has no agent (an older "
                            f"lvstui?): it said {line[:80].decode(errors='replace')!r}")
        if hello.get("protocol") != PROTOCOL:
            self.close()
            raise PeerError(f"{self.name} runs lvstui {hello.get('version', '?')} speaking agent "
                            f"protocol {hello.get('protocol')}, this lvstui speaks {PROTOCOL}: "
                            "install the same lvstui on both directors")
        return hello

    def request(self, op: str, **fields) -> dict:
        """Send one request and wait for its reply; PeerError when the agent is gone, slow, or
        refuses (its reason, with the kind of error it was)."""
        with self._lock:
            if self._proc.poll() is not None:
                raise self._ended()
            self._next_id += 1
            message = {"id": self._next_id, "op": op, **fields}
            try:
                self._proc.stdin.write(json.dumps(message).encode() + b"\n")
                self._proc.stdin.flush()
            except OSError:
                raise self._ended() from None
            line = self._read_line(self.timeout)
        try:
            reply = json.loads(line)
        except ValueError:
            raise PeerError(f"{self.name}: the agent's reply is not JSON: {line[:80]!r}") from None
        if reply.get("ok"):
            return reply
        error = PeerDenied if reply.get("kind") == "NotPermitted" else PeerError
        raise error(f"{self.name}: {reply.get('error', 'refused without a reason')}")

    def _read_line(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        out = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise PeerError(f"{self.name}: no answer within {timeout:g} s (link closed)")
            ready, _, _ = select.select([out], [], [], left)
            if ready:
                chunk = os.read(out, 65536)
                if not chunk:
                    raise self._ended()
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _ended(self) -> PeerError:
        """Why the agent process is gone, in the operator's words."""
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            code = self._proc.wait()
        said = self._stderr_tail()
        if code == 255:
            return PeerError(f"{self.name} unreachable over ssh: {said or 'ssh failed'}")
        if code == 127:
            return PeerError(f"{self.name} has no {self.peer_command} (--peer-command names the "
                             f"lvstui to run there): {said or 'command not found'}")
        return PeerError(f"{self.name}: the agent ended (exit {code}){': ' + said if said else ''}")

    def _stderr_tail(self) -> str:
        try:
            ready, _, _ = select.select([self._proc.stderr], [], [], 0)
            text = os.read(self._proc.stderr.fileno(), 65536).decode(errors="replace") if ready \
                else ""
        except OSError:
            text = ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        """End the agent (closing its stdin ends it; a stuck ssh is killed)."""
        if self._proc.poll() is None:
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdout, self._proc.stderr):
            stream.close()
