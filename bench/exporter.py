"""lvstui exporter next to node_exporter's ipvs collector, in one run, on the same table in
the real kernel (the ip_vs VM).

    .venv/bin/python bench/exporter.py [--services 1000] [--servers 10] [--repeat 5]

Prints, for each exporter, the best time of one scrape (the two run in turns), the series it
says (and the time per series: lvstui says five times as much), and the CPU one scrape costs as a share of a core at a 15 s scrape interval (its process's
CPU time over the scrapes, idle time included). Targets: a scrape <= 2x node_exporter's while
saying far more; under 1% of a core at 15 s. The control: ``--per-server off`` on the same table
must scrape faster and say fewer series, or the measurement cannot tell tables apart.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.table import interleaved, lvstui_command, rules_text, run  # noqa: E402
from bench.vm import rerun_in_vm  # noqa: E402

INTERVAL = 15.0
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"   # Debian's prometheus-node-exporter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Exporter:
    """One exporter process on a port of its own, and its scrapes."""

    def __init__(self, name: str, command: list[str], port: int, ready: str):
        self.name, self.port = name, port
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while ready not in self.scrape(quiet=True):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not serve {ready!r}")
            time.sleep(0.5)
        self.body = ""

    def scrape(self, quiet: bool = False) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics",
                                        timeout=300) as reply:
                self.body = reply.read().decode()
                return self.body
        except OSError:
            if quiet:
                return ""
            raise

    def series(self) -> int:
        return sum(1 for line in self.body.splitlines() if line and not line.startswith("#"))

    def cpu(self) -> float:
        """CPU seconds the process has used (user + system)."""
        with open(f"/proc/{self.proc.pid}/stat") as fh:
            fields = fh.read().rsplit(") ", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def cpu_share(exporter: Exporter, scrapes: int, idle: float = 5.0) -> float:
    """The share of a core a scrape every INTERVAL seconds costs: the CPU one scrape takes
    (best of *scrapes*) plus what the process burns idle over the rest of the interval
    (measured over *idle* seconds with no scrape)."""
    before = exporter.cpu()
    time.sleep(idle)
    idle_rate = (exporter.cpu() - before) / idle
    costs = []
    for _ in range(scrapes):
        before, started = exporter.cpu(), time.monotonic()
        exporter.scrape()
        costs.append(exporter.cpu() - before - idle_rate * (time.monotonic() - started))
    return (max(0.0, min(costs)) + idle_rate * INTERVAL) / INTERVAL


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    code = rerun_in_vm(__file__, ("ip_vs", "ip_vs_wlc"), {"KL_TIMEOUT": "3000", "KL_MEM": "3G"})
    if code is not None:
        return code
    run(["ipvsadm", "-C"])
    run(["ipvsadm", "-R"], rules_text(args.services, args.servers))
    print(f"table: {args.services} services x {args.servers} real servers (ipvsadm -R)",
          flush=True)
    ports = [free_port() for _ in range(3)]
    node = Exporter("node_exporter", [NODE_EXPORTER, "--collector.disable-defaults",
                                      "--collector.ipvs",
                                      f"--web.listen-address=127.0.0.1:{ports[0]}"],
                    ports[0], "node_ipvs_backend_weight{")
    ours = Exporter("lvstui exporter", [*lvstui_command(), "exporter", "--backend",
                                        "netlink", "--listen", f"127.0.0.1:{ports[1]}"],
                    ports[1], "lvstui_server_weight{")
    lean = Exporter("lvstui exporter --per-server off",
                    [*lvstui_command(), "exporter", "--backend", "netlink", "--per-server",
                     "off", "--listen", f"127.0.0.1:{ports[2]}"],
                    ports[2], "lvstui_service_live_servers{")
    try:
        node_t, ours_t, lean_t = interleaved([node.scrape, ours.scrape, lean.scrape],
                                             args.repeat)
        shares = [cpu_share(e, args.repeat) for e in (node, ours, lean)]
        series = [e.series() for e in (node, ours, lean)]
    finally:
        for e in (node, ours, lean):
            e.stop()
    print(f"{'one scrape':36} {'seconds':>9} {'series':>8} {'us/series':>10} "
          f"{'core at 15 s':>13} {'vs node':>8} {'per series':>11}")
    node_each = node_t / series[0]
    for name, took, count, share in zip(
            ("node_exporter --collector.ipvs", "lvstui exporter",
             "control: lvstui --per-server off"), (node_t, ours_t, lean_t), series, shares):
        print(f"{name:36} {took:9.3f} {count:8} {took / count * 1e6:10.1f} {share:12.2%} "
              f"{took / node_t:7.2f}x {took / count / node_each:10.2f}x")
    control_ok = lean_t < ours_t and series[2] < series[1]
    print(f"control: --per-server off {'scrapes faster and says fewer series' if control_ok else 'DID NOT differ: the measurement cannot tell tables apart'}")
    return 0 if control_ok else 1


if __name__ == "__main__":
    sys.exit(main())
