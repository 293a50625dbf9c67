"""The pair bed in the ip_vs VM: directors d1 and d2 as network namespaces on one bridge, each
with its own IPVS table; real OpenSSH (sshd in d2, keys made here); ``ipvsadm`` in each
namespace is the referee."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pair.sshd import Sshd

ROOT = Path(__file__).resolve().parents[2]
LVSTUI = str(ROOT / ".venv" / "bin" / "lvstui")


def sh(*argv: str, ns: str | None = None, check: bool = True, stdin: str | None = None,
       timeout: float = 120) -> subprocess.CompletedProcess:
    prefix = ["ip", "netns", "exec", ns] if ns else []
    done = subprocess.run([*prefix, *argv], capture_output=True, text=True, input=stdin,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} (in {ns}): exit {done.returncode}: "
                             f"{done.stderr.strip()}")
    return done


def ipvsadm(ns: str, *args: str, stdin: str | None = None) -> str:
    return sh("ipvsadm", *args, ns=ns, stdin=stdin).stdout


class PairBed:
    """d1 (10.0.0.1) runs the lvstui under test; d2 (10.0.0.2) is its peer over ssh."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.d2_audit = workdir / "d2-audit.log"
        self.d1_audit = workdir / "d1-audit.log"
        self.sshd = Sshd(workdir, "director2", "10.0.0.2", 22, netns="d2")

    def up(self) -> PairBed:
        sh("ip", "link", "add", "pairlan", "type", "bridge")
        sh("ip", "link", "set", "pairlan", "up")
        for i, ns in ((1, "d1"), (2, "d2")):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", f"v{ns}", "type", "veth", "peer", "name", "eth0",
               "netns", ns)
            sh("ip", "link", "set", f"v{ns}", "master", "pairlan", "up")
            sh("ip", "link", "set", "lo", "up", ns=ns)
            sh("ip", "link", "set", "eth0", "up", ns=ns)
            sh("ip", "addr", "add", f"10.0.0.{i}/24", "dev", "eth0", ns=ns)
        self.sshd.start()
        return self

    def down(self) -> None:
        self.sshd.stop()
        for ns in ("d1", "d2"):
            sh("ip", "netns", "del", ns, check=False)
        sh("ip", "link", "del", "pairlan", check=False)

    def peer_command(self, *extra: str) -> str:
        return " ".join([LVSTUI, "--audit-log", str(self.d2_audit), *extra])

    def lvstui(self, *args: str, peer_command: str | None = None, check: bool = False,
               timeout: float = 120) -> subprocess.CompletedProcess:
        """lvstui in d1 with d2 as its peer."""
        pair = ["--ssh-config", str(self.sshd.config),
                "--peer-command", peer_command or self.peer_command()]
        return sh(LVSTUI, "--audit-log", str(self.d1_audit), *args, *pair, ns="d1",
                  check=check, timeout=timeout)

    def reset(self) -> None:
        for ns in ("d1", "d2"):
            ipvsadm(ns, "-C")
        for log in (self.d1_audit, self.d2_audit):
            log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def bed(tmp_path_factory):
    assert os.environ.get("LVSTUI_VM") == "1", "the pair bed runs in the ip_vs VM only " \
                                               "(tests/vm/run-pair-tests.sh)"
    bed = PairBed(tmp_path_factory.mktemp("pair")).up()
    yield bed
    bed.down()


@pytest.fixture
def pair(bed):
    bed.reset()
    yield bed
    bed.reset()


__all__ = ["PairBed", "ipvsadm", "sh", "sys"]
