"""The seed's whole cluster in one VM (shared/reference/cluster.md), for tests, the bench and an
operator rehearsing an incident:

- LD1 ``rh1.cluster.net`` and LD2 ``debian.cluster.net``: heartbeat 3.0.6 with the seed's
  ha.cf / haresources / authkeys (each node's ucast names its peer), eth0 on the LAN
  (172.26.46.110 / .111), eth1 on the heartbeat link (192.168.0.1 / .2); the IPVS table of the
  seed (LVS-DR, wlc, RS1 and RS2, weight 1) in each director's namespace; the director
  sysctls; the IPVS connection sync daemon: master *and* backup on both directors (syncid 1,
  on the heartbeat link), so whichever holds the VIP sends and the other keeps its entries.
- RS1 / RS2 (172.26.46.80 / .81): the VIP on ``lo:0`` /32, arp_ignore 1 / arp_announce 2, a
  keep-alive web server each (``web.py``) answering ``RS1`` / ``RS2``.
- The client: 172.26.46.10 on the LAN bridge (the LAN namespace itself).

Built on tests/heartbeat/harness.py (the two heartbeat nodes); run inside the ip_vs VM as root.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from ..heartbeat.harness import VIP, TwoNodes, sh
from ..pace import patience, until

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REAL_SERVERS = {1: "172.26.46.80", 2: "172.26.46.81"}
CLIENT = "172.26.46.10"
MODULES = ("ip_vs", "ip_vs_wlc", "veth", "bridge")
HEALTH_TOML = f"""\
[defaults]
interval = 1
timeout = 1
fall = 1
rise = 1
[[service]]
virtual = "tcp {VIP}:80"
check = "http"
path = "/"
"""
"""lvstui monitor's checks of the cluster: HTTP GET / every second, down and up at once."""
SEED_TABLE = f"""\
-A -t {VIP}:80 -s wlc
-a -t {VIP}:80 -r {REAL_SERVERS[1]}:80 -g -w 1
-a -t {VIP}:80 -r {REAL_SERVERS[2]}:80 -g -w 1
"""


class Cluster(TwoNodes):
    names = {1: "rh1.cluster.net", 2: "debian.cluster.net"}
    lan_ip = {1: "172.26.46.110", 2: "172.26.46.111"}
    manager = "heartbeat"                   # the HA manager the directors run

    def __init__(self, lab: str, prefix: str = "lvc"):
        super().__init__(lab, prefix)
        self.rs = {n: f"{prefix}-rs{n}" for n in REAL_SERVERS}
        self.web: dict[int, subprocess.Popen] = {}
        self.sshd = None

    logging = "logfacility local0\n"        # the seed's own line, kept

    # ------------------------------------------------------------ building
    def up(self) -> None:
        sh("modprobe", "-a", *MODULES)
        super().up()
        for n, ns in self.ns.items():
            self.ipvsadm(n, "-R", stdin=SEED_TABLE)
            for name, value in (("net.ipv4.ip_forward", "0"),
                                ("net.ipv4.conf.all.send_redirects", "1"),
                                ("net.ipv4.conf.default.send_redirects", "1"),
                                ("net.ipv4.conf.eth0.send_redirects", "1")):
                sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"{name}={value}")
        for n, ns in self.rs.items():
            sh("ip", "netns", "add", ns)
            outer = f"{self.p[:4]}r{n}"
            sh("ip", "link", "add", outer, "netns", self.lan, "type", "veth", "peer", "name",
               "eth0", "netns", ns)
            sh("ip", "-n", self.lan, "link", "set", outer, "master", "br0", "up")
            for cmd in (f"addr add {REAL_SERVERS[n]}/24 dev eth0", "link set eth0 up",
                        "link set lo up", f"addr add {VIP}/32 dev lo label lo:0"):
                sh("ip", "-n", ns, *cmd.split())
            for name, value in (("net.ipv4.conf.lo.arp_ignore", "1"),
                                ("net.ipv4.conf.all.arp_ignore", "1"),
                                ("net.ipv4.conf.lo.arp_announce", "2"),
                                ("net.ipv4.conf.all.arp_announce", "2")):
                sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"{name}={value}")
            self.web_start(n)

    def ipvsadm(self, n: int, *args: str, stdin: str | None = None) -> str:
        return subprocess.run(["ip", "netns", "exec", self.ns[n], "ipvsadm", *args], input=stdin,
                              capture_output=True, text=True, check=True).stdout

    def sync(self, on: bool) -> None:
        """The connection sync daemons: master and backup on both directors, or none."""
        for n in self.ns:
            for state in ("master", "backup"):
                if on:
                    self.ipvsadm(n, "--start-daemon", state, "--mcast-interface", "eth1",
                                 "--syncid", "1")
                else:
                    subprocess.run(["ip", "netns", "exec", self.ns[n], "ipvsadm",
                                    "--stop-daemon", state], capture_output=True)

    # ------------------------------------------------------------ the real servers' web
    def web_start(self, n: int) -> None:
        """RS n's web server, and wait until it accepts (Python starts slowly under TCG, and a
        connection that only saw a SYN and a RST is never synced)."""
        self.web[n] = subprocess.Popen(
            ["ip", "netns", "exec", self.rs[n], sys.executable, os.path.join(HERE, "web.py"),
             f"RS{n}"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.wait_web(n, up=True)

    def web_stop(self, n: int) -> None:
        proc = self.web.pop(n, None)
        if proc is not None:
            proc.kill()
            proc.wait(timeout=10)
        self.wait_web(n, up=False)

    def wait_web(self, n: int, up: bool) -> None:
        probe = ("import socket,sys\ntry: socket.create_connection((sys.argv[1], 80), 1)\n"
                 "except OSError: sys.exit(1)")
        until(lambda: (subprocess.run(["ip", "netns", "exec", self.lan, sys.executable, "-c",
                                       probe, REAL_SERVERS[n]], capture_output=True).returncode
                       == 0) == up, 2, f"RS{n}'s web server {'up' if up else 'down'}", step=0.2)

    # ------------------------------------------------------------ the directors
    def start_both(self, timeout: float | None = None) -> None:
        """Both heartbeats, then until LD1 (the preferred node) holds the VIP and the
        resources have settled. Under the VM's emulation heartbeat now and then never takes
        the VIP at its first start (2 in 5 lab starts on 2026-11-26, none of lvstui's code
        involved yet): its logs are printed and both are started again, once."""
        timeout = timeout or 60 + patience(2)       # initdead, then the resource scripts
        for attempt in (1, 2):
            self.start(1)
            self.start(2)
            try:
                self.wait_holder(1, timeout)
                break
            except AssertionError:
                if attempt == 2:
                    raise
                print(self.log_tails())
                for n in self.ns:
                    self.kill(n)
                    sh("ip", "-n", self.ns[n], "addr", "del", f"{VIP}/24", "dev", "eth0",
                       check=False)
        self.wait_stable(timeout)

    def holder(self) -> int | None:
        held = [n for n in self.ns if self.holds(n)]
        return held[0] if len(held) == 1 else None

    def crash(self, n: int) -> None:
        """A box that lost power: its heartbeat SIGKILLed and its links cut at once."""
        for dev in ("eth0", "eth1"):
            sh("ip", "-n", self.ns[n], "link", "set", dev, "down")
        self.kill(n)

    def revive(self, n: int) -> None:
        """The box back from the dead: rebooted (no VIP left on it), links up, heartbeat."""
        for prefix in ("24", "32"):     # heartbeat's /24, or the /32 of a make-before-break
            sh("ip", "-n", self.ns[n], "addr", "del", f"{VIP}/{prefix}", "dev", "eth0",
               check=False)
        for dev in ("eth0", "eth1"):
            sh("ip", "-n", self.ns[n], "link", "set", dev, "up")
        self.start(n)

    def lvstui_command(self, n: int, *args: str) -> list[str]:
        """``lvstui ARGS`` on director n: in its namespaces (its table, its heartbeat)."""
        return ["nsenter", "-t", str(self.anchor(n)), "-m", "-u", "-n", "-r", "-w", "--", "env",
                f"PYTHONPATH={ROOT}", sys.executable, "-m", "lvstui.cli", *args]

    def lvstui(self, n: int, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """``lvstui ARGS`` on director n (*timeout*: longer than any wait ARGS ask for, so
        that lvstui's own give-up and rollback are seen, not cut short)."""
        return subprocess.run(self.lvstui_command(
            n, "--audit-log", os.path.join(self.node_dir(n), "audit.log"), *args),
            capture_output=True, text=True, timeout=timeout)

    def python(self, n: int, script: str, *args: str) -> subprocess.CompletedProcess:
        """A script of this directory run with lvstui importable on director n."""
        return subprocess.run(self.lvstui_command(n)[:-2] + [os.path.join(HERE, script), *args],
                              capture_output=True, text=True, timeout=300)

    def peer_link(self) -> list[str]:
        """LD1's options to reach LD2's lvstui agent over real OpenSSH (sshd in LD2's
        namespaces, on the heartbeat link), as ``lvstui ha standby --peer`` uses it."""
        from ..pair.sshd import Sshd
        if self.sshd is None:
            d = self.node_dir(2)
            os.makedirs(os.path.join(d, "ssh"), exist_ok=True)
            sshd = Sshd(Path(d) / "ssh", self.names[2], "192.168.0.2", 22,
                        prefix=["nsenter", "-t", str(self.anchor(2)), "-m", "-u", "-n", "-r",
                                "-w", "--"])
            sshd.run_dir = os.path.join(d, "run", "sshd")   # LD2's /run
            self.sshd = sshd.start()
        agent = (f"env PYTHONPATH={ROOT} {sys.executable} -m lvstui.cli --audit-log "
                 f"{os.path.join(self.node_dir(2), 'audit.log')}")
        # the agent's start and each answer awaited as long as this machine needs (the
        # product's 60 s / 20 s were outwaited beside two other tiers in the VM)
        return ["--peer", self.names[2], "--ssh-config", str(self.sshd.config),
                "--peer-command", agent, "--peer-timeout", str(min(3600, round(patience(20))))]

    # ------------------------------------------------------------ the client
    def client(self, *args: str) -> subprocess.Popen:
        """client.py in the LAN namespace, started (it prints "started PORT..." once its
        long-lived connections have had their first answer: ``proc.ports``)."""
        proc = subprocess.Popen(["ip", "netns", "exec", self.lan, sys.executable,
                                 os.path.join(HERE, "client.py"), VIP, *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        words = proc.stdout.readline().split()
        assert words[:1] == ["started"], proc.stderr.read()
        proc.ports = {int(p) for p in words[1:]}
        return proc

    def wait_synced(self, client: subprocess.Popen, host_seconds: float = 2) -> None:
        """Until the other director's connection table (the sync daemon's backup) holds each
        of the client's long-lived connections as ESTABLISHED."""
        def synced() -> bool:
            listed = self.ipvsadm(2 if self.holder() == 1 else 1, "-Lnc")
            held = {int(w[3].rsplit(":", 1)[1]) for w in map(str.split, listed.splitlines())
                    if len(w) >= 6 and w[2] == "ESTABLISHED" and w[4].startswith(VIP + ":")}
            return client.ports <= held
        until(synced, host_seconds, "the long-lived connections synced to the other director")

    def pages(self, count: int = 6) -> set[str]:
        """The pages *count* GETs of the VIP brought (a failed one: "failed: " and the
        client's last line of error)."""
        seen = set()
        for _ in range(count):
            try:
                seen.add(self.get())
            except subprocess.CalledProcessError as exc:
                seen.add(f"failed: {(exc.stderr or '').strip().splitlines()[-1:]}")
        return seen

    def get(self) -> str:
        """One GET of the VIP from the client: the page's text."""
        code = ("import socket,sys\ns=socket.create_connection((sys.argv[1],80),5)\n"
                "s.sendall(b'GET / HTTP/1.1\\r\\nHost: v\\r\\nConnection: close\\r\\n\\r\\n')\n"
                "d=b''\nwhile True:\n b=s.recv(4096)\n if not b: break\n d+=b\n"
                "print(d.split(b'\\r\\n\\r\\n',1)[1].decode().strip())")
        return sh("ip", "netns", "exec", self.lan, sys.executable, "-c", code, VIP).stdout.strip()

    def down(self) -> None:
        if self.sshd is not None:
            self.sshd.stop()
        for n in list(self.web):
            self.web.pop(n).kill()
        super().down()
        for ns in self.rs.values():
            sh("ip", "netns", "del", ns, check=False)


def server_rows(listing: str) -> dict[str, list[str]]:
    """The real server rows of an ``ipvsadm -Ln`` listing: "ip:port" -> the columns after it
    (Forward, Weight, ActiveConn, InActConn)."""
    return {words[1]: words[2:] for line in listing.splitlines()
            if (words := line.split())[:1] == ["->"] and words[1][0].isdigit()}


def serving_both(lab: Cluster, n: int, what: str) -> None:
    """Until director *n* forwards the client's requests to both real servers. rr while it is
    asked: in LVS-DR a director never sees the end of a connection whose packets went another
    way (a hand-over, the early VIP), so such entries stay ESTABLISHED for 15 minutes and wlc
    weighs each 256 to 1 against the other server's closed ones — a turn that may come after
    any deadline. The last rounds of requests and the table are printed when it gives up."""
    rounds: list[set] = []
    lab.ipvsadm(n, "-E", "-t", f"{VIP}:80", "-s", "rr")
    try:
        until(lambda: rounds.append(lab.pages(6)) or rounds[-1] == {"RS1", "RS2"}, 1, what,
              step=0.5)
    except AssertionError:
        print("the last rounds of six requests:", rounds[-3:], lab.ipvsadm(n, "-Lnc"), sep="\n")
        raise
    finally:
        lab.ipvsadm(n, "-E", "-t", f"{VIP}:80", "-s", "wlc")


def stop_client(proc: subprocess.Popen) -> dict:
    """SIGTERM to the client; its summary."""
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"the client printed no summary: {err}"
    return json.loads(lines[-1])



def rehearse() -> int:
    """``python -m tests.cluster.lab``: the cluster up, a shell on LD1; leaving the shell takes
    everything down (scripts/cluster.sh runs this in the VM)."""
    import tempfile
    lab = Cluster(tempfile.mkdtemp(prefix="lvstui-lab-"))
    print("bringing the seed's cluster up (about a minute in the VM)…", flush=True)
    try:
        lab.up()
        lab.sync(True)
        lab.start_both()
        rc_file = os.path.join(lab.lab, "bashrc")
        with open(rc_file, "w") as fh:
            fh.write(f"alias lvstui='PYTHONPATH={ROOT} {sys.executable} -m lvstui.cli'\n"
                     f"PS1='[\\h] \\w# '\n"
                     f"echo 'LD1 {lab.names[1]}, holding the VIP {VIP}. The peer: "
                     f"{lab.names[2]} (192.168.0.2); real servers {REAL_SERVERS[1]} and "
                     f"{REAL_SERVERS[2]}; the client is 172.26.46.10.'\n"
                     "echo 'Try: lvstui list; lvstui ha status; lvstui (the console); "
                     "lvstui ha standby --wait 172.26.46.119. exit: everything down.'\n")
        return subprocess.run(["nsenter", "-t", str(lab.anchor(1)), "-m", "-u", "-n", "-r", "-w",
                               "--", "bash", "--rcfile", rc_file, "-i"]).returncode
    finally:
        lab.down()


if __name__ == "__main__":
    sys.exit(rehearse())
