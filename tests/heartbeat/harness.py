"""Two real heartbeat 3.0.6 nodes on one machine (after shared/labs/heartbeat-two-nodes.sh).

Each node: its own network namespace (eth0 on a LAN bridge, eth1 on the heartbeat link), and a
private mount + UTS namespace (hostname = node name; /etc/ha.d, /run, /var/lib/heartbeat bind-mounted
from the node's own directory). Killed processes are found by mount namespace and killed by PID.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from tests.helpers import REFERENCE_HA_CF
from tests.pace import patience, until

VIP = "172.26.46.119"


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


class TwoNodes:
    """The two nodes; *names* their node names (= hostnames), *lan* their eth0 addresses."""

    names = {1: "node1", 2: "node2"}
    lan_ip = {1: "172.26.46.11", 2: "172.26.46.12"}

    def __init__(self, lab: str, prefix: str = "lvhb"):
        self.lab, self.p = lab, prefix
        self.lan, self.ns = f"{prefix}-lan", {1: f"{prefix}-n1", 2: f"{prefix}-n2"}
        self.procs: dict[int, subprocess.Popen] = {}

    logging = "use_logd no\n"              # in place of the seed's logfacility (no syslog)

    def ha_cf(self, n: int) -> str:
        """The seed's ha.cf (shared/reference/cluster.md) for node n: its ucast names the
        peer, the nodes are ``names``, logs go to the node's directory."""
        d = self.node_dir(n)
        text = REFERENCE_HA_CF.replace("logfacility local0\n", self.logging)
        text = text.replace("ucast eth1 192.168.0.1", f"ucast eth1 192.168.0.{2 if n == 1 else 1}")
        for seed, name in (("rh1.cluster.net", self.names[1]),
                           ("debian.cluster.net", self.names[2])):
            text = text.replace(f"node    {seed}", f"node    {name}")
        return f"logfile {d}/log/ha-log\ndebugfile {d}/log/ha-debug\n" + text

    def node_dir(self, n: int) -> str:
        return os.path.join(self.lab, f"node{n}")

    def up(self) -> None:
        sh("ip", "netns", "add", self.lan)
        for cmd in ("link add br0 type bridge", "link add br1 type bridge", "link set br0 up",
                    "link set br1 up", "link set lo up", "addr add 172.26.46.10/24 dev br0"):
            sh("ip", "-n", self.lan, *cmd.split())
        for n, ns in self.ns.items():
            sh("ip", "netns", "add", ns)
            for dev, br, addr in (("eth0", "br0", f"{self.lan_ip[n]}/24"),
                                  ("eth1", "br1", f"192.168.0.{n}/24")):
                outer = f"{self.p[:4]}{n}{dev[-1]}"
                sh("ip", "link", "add", outer, "netns", self.lan, "type", "veth", "peer", "name",
                   dev, "netns", ns)
                sh("ip", "-n", self.lan, "link", "set", outer, "master", br, "up")
                sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
                sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            self._node_files(n)

    def _node_files(self, n: int) -> None:
        d = self.node_dir(n)
        shutil.rmtree(d, ignore_errors=True)
        for sub in ("run/heartbeat/ccm", "run/heartbeat/crm", "run/heartbeat/dopd",
                    "run/resource-agents", "run/lock", "run/crm", "varlib", "log"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        shutil.copytree("/etc/ha.d", os.path.join(d, "etc-ha.d"), symlinks=True)
        shutil.copytree("/var/lib/heartbeat", os.path.join(d, "varlib"), symlinks=True,
                        dirs_exist_ok=True)
        sh("chown", "-R", "hacluster:haclient", os.path.join(d, "run/heartbeat"),
           os.path.join(d, "run/crm"))
        os.chmod(os.path.join(d, "run/heartbeat"), 0o750)
        etc = os.path.join(d, "etc-ha.d")
        with open(os.path.join(etc, "ha.cf"), "w") as fh:
            fh.write(self.ha_cf(n))
        with open(os.path.join(etc, "haresources"), "w") as fh:
            fh.write(f"{self.names[1]} {VIP}/24/eth0\n")
        with open(os.path.join(etc, "authkeys"), "w") as fh:
            fh.write("auth 2\n2 sha1 helloworld\n")
        os.chmod(os.path.join(etc, "authkeys"), 0o600)

    def start(self, n: int) -> None:
        d = self.node_dir(n)
        anchor = os.path.join(d, "anchor.pid")
        for stale in (anchor, os.path.join(d, "run/heartbeat.pid")):
            if os.path.exists(stale):
                os.unlink(stale)
        script = (f"hostname {self.names[n]}; mount --bind {d}/etc-ha.d /etc/ha.d; "
                  f"mount --bind {d}/run /run; mount --bind {d}/varlib /var/lib/heartbeat; "
                  f"echo $$ > {anchor}; /usr/libexec/heartbeat/heartbeat >> {d}/log/start.out 2>&1; "
                  "exec sleep infinity")
        self.procs[n] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[n], "unshare", "-m", "-u", "--propagation", "private",
             "sh", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        until(lambda: os.path.exists(os.path.join(d, "run/heartbeat.pid")), 5,
              f"heartbeat on node{n} started")

    def anchor(self, n: int) -> int:
        with open(os.path.join(self.node_dir(n), "anchor.pid")) as fh:
            return int(fh.read())

    def x(self, n: int, *cmd: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run *cmd* inside node n (its network, mount and UTS namespaces; its root and cwd
        too: in the VM the root is a chroot, and -m alone would land in the initramfs)."""
        return sh("nsenter", "-t", str(self.anchor(n)), "-m", "-u", "-n", "-r", "-w", "--", *cmd,
                  check=check)

    def pids(self, n: int) -> list[int]:
        try:
            ref = os.readlink(f"/proc/{self.anchor(n)}/ns/mnt")
        except (OSError, ValueError):
            return []
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/ns/mnt") == ref:
                        out.append(int(entry))
                except OSError:
                    pass
        return out

    def kill(self, n: int) -> None:
        for pid in self.pids(n):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        proc = self.procs.pop(n, None)
        if proc is not None:
            proc.wait(timeout=10)

    def holds(self, n: int) -> bool:
        return f"inet {VIP}/" in sh("ip", "-n", self.ns[n], "addr", "show", "eth0").stdout

    def wait_holder(self, n: int, timeout: float) -> float:
        """Seconds until node n holds the VIP (a killed node keeps its addresses: only the
        taker is watched)."""
        start = time.monotonic()
        while not self.holds(n):
            assert time.monotonic() - start < timeout, f"VIP not on node{n} after {timeout} s"
            time.sleep(0.05)
        return time.monotonic() - start

    def wait_stable(self, timeout: float | None = None, nodes=(1, 2)) -> None:
        """Until no node reports a resource transition (heartbeat ignores a standby asked for
        during one) on four reads in a row, half a second apart: the peers have agreed."""
        deadline = time.monotonic() + (timeout or patience(10))
        calm = 0
        while calm < 4:
            states = [self.x(n, "cl_status", "rscstatus").stdout.strip() for n in nodes]
            calm = calm + 1 if all(s not in ("", "transition") for s in states) else 0
            assert time.monotonic() < deadline, \
                f"resources still moving: {states}\n{self.log_tails()}"
            time.sleep(0.5)

    log_name = "ha-log"                    # the HA manager's log, in each node's log/

    def log_tails(self, lines: int = 40) -> str:
        """The end of each node's HA manager log."""
        out = []
        for n in self.ns:
            path = os.path.join(self.node_dir(n), "log", self.log_name)
            try:
                with open(path) as fh:
                    out.append(f"--- node{n} {path}\n" + "".join(fh.readlines()[-lines:]))
            except OSError as exc:
                out.append(f"--- node{n}: {exc}")
        return "\n".join(out)

    def down(self) -> None:
        for n in (1, 2):
            self.kill(n)
        for ns in (*self.ns.values(), self.lan):
            sh("ip", "netns", "del", ns, check=False)
