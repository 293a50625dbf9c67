"""Health checking at scale: ``lvstui monitor`` next to Debian's ldirectord, in one run, on the
real kernel (the ip_vs VM), on the same ldirectord.cf.

    .venv/bin/python bench/health.py [--servers 1000] [--failures 20] [--window 20]

N real servers (one backend process listening on N ports in its own namespace, NAT) are
checked every second (TCP connect, failurecount=1, quiescent=yes). Measured for each tool:
its CPU use over a steady window, and the detection time of failures — a listener closed at
a random moment until the kernel holds weight 0 for it (the table polled every 0.1 s, so
figures are +-0.1 s). Run on a machine without IPVS it boots the project's VM and runs there.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from vm import rerun_in_vm  # noqa: E402  (bench/vm.py, beside this file)

from lvstui.ipvs.backend import NoSuchService  # noqa: E402

BACKEND = r"""
import asyncio, resource, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
async def main(address, first, count):
    async def accept(reader, writer):
        writer.close()
    servers = {p: await asyncio.start_server(accept, address, p, backlog=64)
               for p in range(first, first + count)}
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        what, port = line[0], int(line[1])
        if what == "close":
            servers[port].close()
            print(time.monotonic(), flush=True)
        else:
            servers[port] = await asyncio.start_server(accept, address, port, backlog=64)
            print("opened", flush=True)
asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""
FIRST_PORT = 20000


def sh(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def config_text(servers: int, log: str) -> str:
    reals = "".join(f"\treal=10.2.1.2:{FIRST_PORT + i} masq 1\n" for i in range(servers))
    return (f"checktimeout=2\ncheckinterval=1\nfailurecount=1\nquiescent=yes\nlogfile=\"{log}\"\n"
            "supervised=yes\n"                 # ldirectord in the foreground, without -d
            f"virtual=10.0.0.1:80\n{reals}\tchecktype=connect\n\tscheduler=wrr\n"
            "\tprotocol=tcp\n")


def cpu_seconds(pid: int) -> float:
    """user+system time of *pid* and its children that have been waited for."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Lab:
    def __init__(self, servers: int):
        self.servers = servers
        sh("ip", "netns", "add", "hb-back")
        sh("ip", "link", "add", "hb-b0", "type", "veth", "peer", "name", "hb-b1", "netns", "hb-back")
        sh("ip", "addr", "add", "10.2.1.1/24", "dev", "hb-b0")
        sh("ip", "link", "set", "hb-b0", "up")
        for cmd in ("addr add 10.2.1.2/24 dev hb-b1", "link set hb-b1 up", "link set lo up"):
            sh("ip", "-n", "hb-back", *cmd.split())
        self.backend = subprocess.Popen(
            ["ip", "netns", "exec", "hb-back", sys.executable, "-c", BACKEND, "10.2.1.2",
             str(FIRST_PORT), str(servers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.backend.stdout.readline().strip() == "ready"
        from lvstui.ipvs.netlink import NetlinkBackend
        from lvstui.model import parse_service
        self.table, self.svc = NetlinkBackend(), parse_service("10.0.0.1:80")

    def weights(self) -> dict[int, int]:
        try:
            live = self.table.find_service(self.svc)
        except NoSuchService:
            return {}
        return {rs.port: rs.weight for rs in live.servers}

    def close_port(self, port: int) -> float:
        self.backend.stdin.write(f"close {port}\n")
        self.backend.stdin.flush()
        return float(self.backend.stdout.readline())

    def open_port(self, port: int) -> None:
        self.backend.stdin.write(f"open {port}\n")
        self.backend.stdin.flush()
        self.backend.stdout.readline()

    def wait(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.weights()):
                return True
            time.sleep(0.1)
        return False

    def close(self) -> None:
        self.backend.kill()
        subprocess.run(["ip", "netns", "del", "hb-back"])
        self.table.close()


def measure(lab: Lab, name: str, cmd: list[str], args) -> dict:
    subprocess.run(["ipvsadm", "-C"], check=True)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = proc.pid
    try:
        ports = range(FIRST_PORT, FIRST_PORT + lab.servers)
        all_up = lab.wait(lambda w: len(w) == lab.servers and all(w.get(p) == 1 for p in ports),
                          args.settle)
        ready = time.monotonic() - started if all_up else None
        up = [p for p, weight in lab.weights().items() if weight == 1]
        before, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(args.window)
        cpu = (cpu_seconds(pid) - before) / (time.monotonic() - t0)
        rnd, detections = random.Random(7), []
        for port in rnd.sample(up, min(args.failures, len(up))):
            time.sleep(rnd.uniform(0, 1))                 # any moment of the check cycle
            closed = lab.close_port(port)
            if lab.wait(lambda w: w.get(port) == 0, 30):
                detections.append(time.monotonic() - closed)
            lab.open_port(port)
            lab.wait(lambda w: w.get(port) == 1, 60)
        result = {"ready": ready, "up": len(up), "cpu": cpu, "detections": detections}
        report(name, lab.servers, args.settle, result)
        return result
    finally:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while _running(pid) and time.monotonic() < deadline:
            proc.poll()
            time.sleep(0.1)


def _running(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def report(name: str, servers: int, settle: float, r: dict) -> None:
    start = (f"all up after {r['ready']:.1f} s" if r["ready"] is not None
             else f"only {r['up']} of {servers} up after {settle:.0f} s")
    print(f"{name:15} {start}; CPU {r['cpu'] * 100:.0f}% of a core; "
          f"detection {summary(r['detections'])}", flush=True)


def summary(d: list[float]) -> str:
    if not d:
        return "none detected"
    q = statistics.quantiles(d, n=10, method="inclusive") if len(d) > 1 else d * 9
    return (f"median {statistics.median(d):.2f} s, p90 {q[8]:.2f} s, max {max(d):.2f} s "
            f"({len(d)} failures)")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--servers", type=int, default=1000)
    p.add_argument("--failures", type=int, default=20)
    p.add_argument("--window", type=float, default=20, help="seconds of steady CPU measurement")
    p.add_argument("--settle", type=float, default=300, help="seconds allowed to bring all up")
    p.add_argument("--no-ldirectord", action="store_true", help="measure lvstui monitor only")
    args = p.parse_args()
    code = rerun_in_vm(__file__, ("ip_vs", "ip_vs_wrr", "veth"),
                       {"KL_TIMEOUT": "3000", "KL_MEM": "3G"})
    if code is not None:
        return code
    work = tempfile.mkdtemp(prefix="lvstui-bench-")
    config = os.path.join(work, "ldirectord.cf")
    with open(config, "w") as fh:
        fh.write(config_text(args.servers, os.path.join(work, "ldirectord.log")))
    lab = Lab(args.servers)
    print(f"{args.servers} real servers, TCP connect every 1 s, failurecount 1 (VM, TCG)",
          flush=True)
    try:
        ours = measure(lab, "lvstui monitor", [
            sys.executable, "-m", "lvstui.cli", "--audit-log", os.path.join(work, "audit.log"),
            "monitor", "--ldirectord", config, "--state", os.path.join(work, "state.json")], args)
        if args.no_ldirectord:
            return 0
        theirs = measure(lab, "ldirectord", ["ldirectord", config, "start"], args)
    finally:
        lab.close()
    if ours["detections"] and theirs["detections"]:
        print(f"ratio lvstui/ldirectord: CPU {ours['cpu'] / theirs['cpu']:.2f}x, median "
              f"detection {statistics.median(ours['detections']) / statistics.median(theirs['detections']):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
