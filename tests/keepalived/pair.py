"""Two real keepalived 2.2.7 directors (VRRP only) in network namespaces on one veth link,
each with its own directory (config, pid files, TMPDIR where its JSON dump goes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

PRIORITIES = {1: 150, 2: 100}
CONFIG = """global_defs {{
   router_id d{n}
}}
vrrp_instance VI_1 {{
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int 1
    virtual_ipaddress {{
        192.168.77.100/24
    }}
}}
"""


class Pair:
    def __init__(self, root, config: str = CONFIG):
        self.root, self.tag, self.config = root, f"lvkv{os.getpid()}", config
        self.procs: dict[int, subprocess.Popen] = {}

    def ns(self, n: int) -> str:
        return f"{self.tag}-{n}"

    def dir(self, n: int) -> str:
        return os.path.join(self.root, f"d{n}")

    def up(self) -> None:
        for n in (1, 2):
            subprocess.run(["ip", "netns", "add", self.ns(n)], check=True)
        subprocess.run(["ip", "link", "add", f"{self.tag}a", "netns", self.ns(1), "type", "veth",
                        "peer", "name", f"{self.tag}b", "netns", self.ns(2)], check=True)
        for n, dev in ((1, f"{self.tag}a"), (2, f"{self.tag}b")):
            ip = ["ip", "-n", self.ns(n)]
            subprocess.run([*ip, "link", "set", dev, "name", "eth0"], check=True)
            subprocess.run([*ip, "link", "set", "eth0", "up"], check=True)
            subprocess.run([*ip, "link", "set", "lo", "up"], check=True)
            subprocess.run([*ip, "addr", "add", f"192.168.77.{n}/24", "dev", "eth0"], check=True)
            os.makedirs(self.dir(n), exist_ok=True)
            self.start(n)

    def start(self, n: int) -> None:
        d = self.dir(n)
        with open(os.path.join(d, "keepalived.conf"), "w") as fh:
            fh.write(self.config.format(n=n, priority=PRIORITIES[n], dir=d))
        self.procs[n] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(n), "keepalived", "--dont-fork", "--vrrp",
             "--no-syslog", "--log-console", "-f", f"{d}/keepalived.conf", "-p", f"{d}/k.pid",
             "-r", f"{d}/v.pid"], env={**os.environ, "TMPDIR": d},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self, n: int) -> None:
        proc = self.procs.pop(n, None)
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)

    def down(self) -> None:
        for n in list(self.procs):
            self.stop(n)
        for n in (1, 2):
            subprocess.run(["ip", "netns", "del", self.ns(n)], check=False)

    def ha(self, n: int, *args: str) -> subprocess.CompletedProcess:
        """``lvstui ha ARGS`` run on director *n* (in its namespace), on its keepalived."""
        d = self.dir(n)
        return subprocess.run(
            ["ip", "netns", "exec", self.ns(n), sys.executable, "-m", "lvstui", "--audit-log",
             os.path.join(self.root, "a.log"), "ha", *args, "--ha", "keepalived",
             "--keepalived-pid", f"{d}/k.pid", "--keepalived-conf", f"{d}/keepalived.conf"],
            capture_output=True, text=True, timeout=120)

    def status(self, n: int) -> subprocess.CompletedProcess:
        return self.ha(n, "status")
