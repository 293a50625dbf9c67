"""Heartbeat 3.0.6 itself as the referee of a configuration: started on the files in a network,
mount and UTS namespace of its own (hostname = the node name, eth0 and eth1 present), its
verdict is its exit status — 0 once it logged "Configuration validated" and went to the
background, 6 with "Configuration error, heartbeat not started." The daemon of an accepted
configuration is killed at once (by PID, found by its mount namespace)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

NETNS = "lvhb-ref"


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


class Referee:
    def __init__(self, lab: str):
        self.lab = lab

    def up(self) -> None:
        sh("ip", "netns", "del", NETNS, check=False)
        sh("ip", "netns", "add", NETNS)
        for dev, addr in (("eth0", "172.26.46.11/24"), ("eth1", "192.168.0.1/24")):
            sh("ip", "-n", NETNS, "link", "add", dev, "type", "veth", "peer", "name", dev + "p")
            sh("ip", "-n", NETNS, "addr", "add", addr, "dev", dev)
            for name in (dev, dev + "p"):
                sh("ip", "-n", NETNS, "link", "set", name, "up")
        sh("ip", "-n", NETNS, "link", "set", "lo", "up")

    def down(self) -> None:
        sh("ip", "netns", "del", NETNS, check=False)

    def _tree(self, case: dict) -> str:
        d = os.path.join(self.lab, "node")
        shutil.rmtree(d, ignore_errors=True)
        for sub in ("run/heartbeat/ccm", "run/heartbeat/crm", "run/heartbeat/dopd", "run/lock",
                    "run/resource-agents", "run/crm", "varlib", "log"):
            os.makedirs(os.path.join(d, sub))
        shutil.copytree("/etc/ha.d", os.path.join(d, "etc-ha.d"), symlinks=True)
        shutil.copytree("/var/lib/heartbeat", os.path.join(d, "varlib"), symlinks=True,
                        dirs_exist_ok=True)
        sh("chown", "-R", "hacluster:haclient", os.path.join(d, "run/heartbeat"),
           os.path.join(d, "run/crm"))
        etc = os.path.join(d, "etc-ha.d")
        for name in ("ha.cf", "haresources", "authkeys"):
            path = os.path.join(etc, name)
            if os.path.exists(path):
                os.unlink(path)
            if case.get(name) is not None:
                with open(path, "w", newline="") as fh:
                    fh.write(case[name])
        if case.get("authkeys") is not None:
            os.chmod(os.path.join(etc, "authkeys"), int(case.get("mode", "600"), 8))
        return d

    def _in_node(self, d: str, node: str, command: str) -> subprocess.CompletedProcess:
        script = (f"hostname {node}; mount --bind {d}/etc-ha.d /etc/ha.d; "
                  f"mount --bind {d}/run /run; mount --bind {d}/varlib /var/lib/heartbeat; "
                  f"echo $$ > {d}/anchor.pid; {command}; rc=$?; echo rc=$rc >&2; exec sleep 60")
        proc = subprocess.Popen(["ip", "netns", "exec", NETNS, "unshare", "-m", "-u",
                                 "--propagation", "private", "sh", "-c", script],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        err_lines, out = [], ""
        for line in proc.stderr:                  # until the command's own rc= line
            if line.startswith("rc="):
                rc = int(line[3:])
                break
            err_lines.append(line)
        else:
            rc = -1
        self._kill_namespace(d)
        out = proc.stdout.read()
        proc.wait()
        return subprocess.CompletedProcess(command, rc, out, "".join(err_lines))

    def _kill_namespace(self, d: str) -> None:
        with open(os.path.join(d, "anchor.pid")) as fh:
            anchor = int(fh.read())
        ref = os.readlink(f"/proc/{anchor}/ns/mnt")
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.readlink(f"/proc/{entry}/ns/mnt") == ref:
                        os.kill(int(entry), 9)
                except (OSError, ProcessLookupError):
                    pass

    def heartbeat(self, case: dict) -> subprocess.CompletedProcess:
        """heartbeat started on the case's files: returncode 0 = accepted."""
        d = self._tree(case)
        return self._in_node(d, case["node"], "/usr/libexec/heartbeat/heartbeat")

    def check_config(self, case: dict) -> subprocess.CompletedProcess:
        """``lvstui check-config`` on the same files, in the same namespaces."""
        d = self._tree(case)
        return self._in_node(d, case["node"], f"{sys.executable} -m lvstui.cli check-config "
                                              "--ha-dir /etc/ha.d")
