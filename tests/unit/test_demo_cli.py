"""Every command the README says works with ``--demo`` runs on the demo cluster (the console's:
rh1.cluster.net, its heartbeat, network, checks, history and peer) with /etc, /run and /var
hidden behind empty read-only mounts — so nothing there is read or written — and with an
``ssh`` first on PATH that only leaves a mark: no ssh is started."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import pytest

from tests.pace import patience

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIP = "172.26.46.119"

# (arguments, exit status, a line the output holds)
COMMANDS = [
    ("list", 0, f"TCP  {VIP}:80 wlc"),
    ("save", 0, f"-A -t {VIP}:80 -s wlc"),
    ("list --timeout", 0, "Timeout (tcp tcpfin udp): 900 120 300"),
    ("check-config", 0, "ha.d: 0 error(s), 1 warning(s)"),
    ("ha status", 0, "this node: rh1.cluster.net; resources here: all; deadtime 10 s"),
    (f"ha standby --wait {VIP}", 0, f"the VIP {VIP} moved to the peer after "),
    ("net status director", 0, "net.ipv4.ip_forward"),
    ("net apply real-server --persist", 0, "(simulated: the demo writes nothing)"),
    ("vip list", 0, f"eth0:0           {VIP}/32"),
    ("vip add 172.26.46.120", 0, "added 172.26.46.120"),
    ("history --changes", 0, "external"),
    ("drift", 1, f"ipvsadm -e -t {VIP}:80 -r 172.26.46.80:80 -g -w 1"),
    ("sync --dry-run", 0, "# on debian.cluster.net"),
    ("save --peer debian.cluster.net", 0, f"-a -t {VIP}:80 -r 172.26.46.80:80 -g -w 0"),
    ("monitor --once", 0, f"TCP/{VIP}:80 172.26.46.80:80 up ok"),
    ("save --peer elsewhere", 1, "the demo has one peer, debian.cluster.net: no ssh to elsewhere"),
    ("--ha keepalived ha status", 0, "VI_1             MASTER  vrid 51  eth0     priority 150"),
    ("ha status --ha keepalived", 0, "lvstui's track_file lvstui_priority"),
    ("--ha keepalived check-config", 0, "keepalived.conf: 0 error(s), 0 warning(s)"),
    (f"--ha keepalived ha standby --wait {VIP}", 0, f"the VIP {VIP} moved to the peer after "),
    ("--ha keepalived ha takeover", 0, f"this director already holds the VIP {VIP}"),
    ("--ha none ha status", 0, "no HA manager on this director (--ha none)"),
]


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """Runs ``lvstui --demo ARGS`` with the host's /etc, /run and /var hidden; the mark an
    ssh run would leave."""
    assert shutil.which("unshare"), "util-linux is installed by scripts/install.sh"
    bin_dir = tmp_path_factory.mktemp("bin")
    mark = bin_dir / "ssh-ran"
    (bin_dir / "ssh").write_text(f"#!/bin/sh\necho \"$@\" >> {mark}\nexit 255\n")
    (bin_dir / "ssh").chmod(0o755)
    hide = "; ".join(f"mount -t tmpfs -o ro,size=1m none {d}" for d in ("/etc", "/run", "/var"))

    def run(args: str, demo: bool = True) -> subprocess.CompletedProcess:
        lvstui = f"{shlex.quote(sys.executable)} -m lvstui {'--demo' * demo} {args}"
        return subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             f"{hide} && ls /etc | grep -q . && echo NOT-HIDDEN; exec {lvstui}"],
            capture_output=True, text=True, timeout=patience(60), cwd=ROOT,
            env={"PATH": f"{bin_dir}:/usr/bin:/bin:/usr/sbin:/sbin", "PYTHONPATH": ROOT,
                 "LOGNAME": "operator", "HOME": str(bin_dir)})
    yield run, mark


@pytest.mark.parametrize("args,status,line", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_demo_command_runs_on_the_demo_cluster_alone(sealed, args, status, line):
    run, mark = sealed
    done = run(args)
    said = done.stdout + done.stderr
    assert "NOT-HIDDEN" not in said
    assert done.returncode == status and line in said, said
    assert "Traceback" not in said and "/etc/" not in said.replace("/etc/sysctl.d/", "")
    assert not mark.exists(), mark.read_text()


def test_the_controls_without_demo_the_seal_hides_etc_and_ssh_leaves_its_mark(sealed):
    run, mark = sealed
    done = run("check-config", demo=False)
    assert done.returncode == 1 and "/etc/ha.d/ha.cf: error: not found" in done.stderr
    done = run("--audit-log /tmp/control-audit.log --backend memory save --peer elsewhere",
               demo=False)
    assert done.returncode == 1 and mark.exists() and "elsewhere" in mark.read_text()
    mark.unlink()
