"""A real OpenSSH server for the pair's tests: host and client keys made here, one ssh client
config file naming it, started where the test says (a network namespace, a port)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.helpers import free_port

SSHD = "/usr/sbin/sshd"


class Sshd:
    """``sshd`` on *address*:*port* (inside ``ip netns exec NS`` when *netns*), accepting the
    test's key for root (and for *users*); ``config`` is the client's file, ``alias`` its
    host name. *prefix*: how to enter the host it runs on (else ``ip netns exec NETNS``);
    ``run_dir``: its privilege separation directory as this process sees it."""

    run_dir = "/run/sshd"

    def __init__(self, workdir: Path, alias: str = "director2", address: str = "127.0.0.1",
                 port: int | None = None, netns: str | None = None,
                 prefix: list[str] | None = None):
        self.dir, self.alias, self.address = workdir, alias, address
        self.port = port or free_port()
        self.netns = netns
        self.prefix = prefix or (["ip", "netns", "exec", netns] if netns else [])
        self.proc = None
        self.key = workdir / "id"
        self.config = workdir / "ssh_config"

    def start(self, user: str = "root", authorized: Path | None = None) -> Sshd:
        d = self.dir
        for name in ("host_key", "id"):
            if not (d / name).exists():
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                                str(d / name)], check=True)
        keys = authorized or d / "authorized_keys"
        keys.write_text((d / "id.pub").read_text())
        os.chmod(keys, 0o600)
        Path(self.run_dir).mkdir(exist_ok=True)
        (d / "sshd_config").write_text(
            f"HostKey {d / 'host_key'}\nListenAddress {self.address}:{self.port}\n"
            f"PermitRootLogin prohibit-password\nPasswordAuthentication no\nUsePAM no\n"
            f"AuthorizedKeysFile {keys} .ssh/authorized_keys\nStrictModes no\nPidFile {d / 'sshd.pid'}\n"
            f"SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n")
        self.config.write_text(
            f"Host {self.alias}\n  HostName {self.address}\n  Port {self.port}\n  User {user}\n"
            f"  IdentityFile {self.key}\n  StrictHostKeyChecking no\n"
            f"  UserKnownHostsFile {d / 'known_hosts'}\n  LogLevel ERROR\n")
        prefix = self.prefix
        self.proc = subprocess.Popen([*prefix, SSHD, "-D", "-e", "-f", str(d / "sshd_config")],
                                     stderr=open(d / "sshd.log", "w"))
        self._wait_listening(prefix)
        return self

    def _wait_listening(self, prefix: list[str], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd ended: {(self.dir / 'sshd.log').read_text()}")
            probe = subprocess.run([*prefix, "ss", "-Hltn", f"sport = :{self.port}"],
                                   capture_output=True, text=True)
            if probe.stdout.strip():
                return
            time.sleep(0.05)
        raise RuntimeError(f"sshd not listening on {self.port} after {timeout:g} s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
