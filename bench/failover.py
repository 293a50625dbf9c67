"""Failover times against two real heartbeat nodes, in one run (root; heartbeat installed).

    .venv/bin/python bench/failover.py [--rounds 3]

Manual standby and takeover are asked through lvstui (inside the nodes); the VIP is watched every
50 ms from outside. The crash is a SIGKILL of every process of the active node.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.heartbeat.harness import VIP, TwoNodes, sh  # noqa: E402


def lvstui(lab: TwoNodes, n: int, *args: str) -> None:
    got = lab.x(n, sys.executable, "-m", "lvstui.cli", "--audit-log", os.devnull, *args)
    assert got.returncode == 0, got.stdout + got.stderr


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    lab = TwoNodes(tempfile.mkdtemp(prefix="lvstui-failover-"), prefix="lvbf")
    lab.down()
    times: dict[str, list[float]] = {"standby": [], "takeover": [], "crash": []}
    try:
        lab.up()
        start = time.monotonic()
        lab.start(1)
        lab.start(2)
        lab.wait_holder(1, 60)
        lab.wait_stable()
        print(f"cold start of both nodes: VIP on node1 after {time.monotonic() - start:.1f} s")
        for _ in range(args.rounds):
            t = time.monotonic()
            lvstui(lab, 1, "ha", "standby")
            lab.wait_holder(2, 30)
            times["standby"].append(time.monotonic() - t)
            lab.wait_stable()
            t = time.monotonic()
            lvstui(lab, 1, "ha", "takeover")
            lab.wait_holder(1, 30)
            times["takeover"].append(time.monotonic() - t)
            lab.wait_stable()
        for _ in range(args.rounds):
            lab.wait_holder(1, 60)
            lab.wait_stable()
            t = time.monotonic()
            lab.kill(1)
            lab.wait_holder(2, 60)
            times["crash"].append(time.monotonic() - t)
            # a killed node keeps its addresses; a real crashed box would not
            sh("ip", "-n", lab.ns[1], "addr", "del", f"{VIP}/24", "dev", "eth0", check=False)
            lab.start(1)                          # auto_failback brings the VIP home
            lab.wait_holder(1, 60)
            lab.wait_stable(nodes=(1, 2))
    finally:
        lab.down()
    print("keepalive 2 s, deadtime 10 s; seconds until the VIP was up on the other node")
    for name, values in times.items():
        print(f"{name:<9} median {statistics.median(values):5.2f} s   "
              f"min {min(values):5.2f}   max {max(values):5.2f}   ({len(values)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
