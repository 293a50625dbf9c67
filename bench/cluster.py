"""Failover as the client saw it, on the seed's whole cluster in the ip_vs VM (tests/cluster/lab.py).

A client opens a new connection every 50 ms and keeps 4 long-lived connections asking again
and again, through the VIP, during each event: standby and takeover (``lvstui ha ... --wait``
on LD1: heartbeat's own hand-over with --plain, the anchor, and lvstui's make-before-break
through LD2's agent over ssh), a crash of the active director (its heartbeat SIGKILLed and its
links cut at once, a box that lost power), and a real server's failure (its web server killed; ``lvstui monitor`` on
the active director quiesces it). Every event with the connection sync daemons on, then again
with them off: the control (without sync, long-lived connections must break, or the measure
could not see a broken one; make-before-break refuses to run without them). One line per
event (scripts read it):

    standby via heartbeat alone (sync on): requests N, failed N, longest gap S s, long-lived broken N of 4
    standby (sync on): requests N, failed N, longest gap S s, long-lived broken N of 4

Then the same cluster run by keepalived 2.2.7 (tests/cluster/keepalived_lab.py: VRRP, its own
virtual server and checkers): standby and takeover through lvstui's track_file, and the crash,
each line prefixed ``keepalived `` (``--ha heartbeat|keepalived`` runs one of the two):

    keepalived standby (sync on): requests N, failed N, longest gap S s, long-lived broken N of 4

``--rounds N``: the events N times, and per event the line of the median round (by longest gap).
Run on a machine without IPVS it boots the project's VM and runs itself there.

    .venv/bin/python bench/cluster.py --rounds 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from vm import rerun_in_vm  # noqa: E402  (bench/vm.py, beside this file)
EVENTS = ("standby via heartbeat alone", "takeover via heartbeat alone", "standby", "takeover",
          "real-server failure", "crash")
EARLY = ("standby", "takeover")      # make before break: refused without the sync daemons
KEEPALIVED_EVENTS = ("standby", "takeover", "crash")


def until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def rs1_weight(lab, n: int) -> int:
    for line in lab.ipvsadm(n, "-Ln").splitlines():
        words = line.split()
        if words[:2] == ["->", "172.26.46.80:80"]:
            return int(words[3])
    return -1


def event(lab, name: str, scratch: str) -> None:
    """Make *name* happen, and return once the cluster serves both real servers again."""
    from tests.cluster.lab import HEALTH_TOML, VIP
    if name.startswith(("standby", "takeover")):
        kind = name.split()[0]
        how = ([] if lab.manager == "keepalived" else ["--plain"] if name.endswith("alone")
               else lab.peer_link())
        done = lab.lvstui(1, "ha", kind, "--wait", VIP, "--timeout", "120", *how)
        if done.returncode:
            raise RuntimeError(f"{name}: {done.stderr.strip()}")
        lab.wait_holder(2 if kind == "standby" else 1, 60)
    elif name == "crash":
        lab.crash(1)
        lab.wait_holder(2, 90)
    else:
        config = os.path.join(scratch, "health.toml")
        with open(config, "w") as fh:
            fh.write(HEALTH_TOML)
        state = os.path.join(scratch, "health.json")
        monitor = subprocess.Popen(lab.lvstui_command(
            1, "--audit-log", os.path.join(scratch, "audit.log"), "monitor", "--config", config,
            "--state", state), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            until(lambda: os.path.exists(state), 90, "the monitor's first state")
            lab.web_stop(1)
            until(lambda: rs1_weight(lab, 1) == 0, 60, "RS1 quiesced")
            time.sleep(3)                                 # the client sees RS2 alone
            lab.web_start(1)
            until(lambda: rs1_weight(lab, 1) == 1, 60, "RS1 restored")
        finally:
            monitor.terminate()
            monitor.wait(timeout=30)
    until(lambda: lab.pages(6) == {"RS1", "RS2"}, 60, f"{name}: both real servers again")


def measure(lab, name: str, scratch: str) -> dict:
    from tests.cluster.lab import stop_client
    client = lab.client("--long", "4")
    time.sleep(3)                 # long-lived connections established and synced
    try:
        event(lab, name, scratch)
        time.sleep(2)
    finally:
        seen = stop_client(client)
    return seen


def restore(lab, name: str) -> None:
    """After a crash: LD1 back from the dead, and (auto_failback) the VIP home again."""
    if name == "crash":
        lab.revive(1)
        lab.wait_holder(1, 120)
        lab.wait_stable(120)
    else:
        lab.wait_stable(120)


def line(name: str, sync: bool, seen: dict) -> str:
    return (f"{name} (sync {'on' if sync else 'off'}): requests {seen['requests']}, failed "
            f"{seen['failed']}, longest gap {seen['longest_gap']:.2f} s, long-lived broken "
            f"{seen['broken']} of {seen['long']}")


def run(lab, events: tuple[str, ...], rounds: int, scratch: str) -> dict:
    """Every event on *lab*, with the sync daemons on and then off: (name, sync) -> rounds."""
    results: dict[tuple[str, bool], list[dict]] = {}
    prefix = "" if lab.manager == "heartbeat" else f"{lab.manager} "
    try:
        lab.up()
        lab.start_both()
        for sync in (True, False):
            lab.sync(sync)
            for _ in range(rounds):
                for name in events:
                    if name in EARLY and not sync and lab.manager == "heartbeat":
                        continue
                    seen = measure(lab, name, scratch)
                    results.setdefault((name, sync), []).append(seen)
                    if rounds > 1:
                        print(f"  round: {line(prefix + name, sync, seen)}", flush=True)
                    restore(lab, name)
    finally:
        lab.down()
    for (name, sync), done in results.items():
        median = statistics.median_low(r["longest_gap"] for r in done)
        print(line(prefix + name, sync, next(r for r in done if r["longest_gap"] == median)),
              flush=True)
    return results


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--ha", choices=("heartbeat", "keepalived", "both"), default="both")
    args = p.parse_args()
    code = rerun_in_vm(__file__, ("ip_vs", "ip_vs_wlc", "veth", "bridge"),
                       {"KL_TIMEOUT": str(2400 * args.rounds)}, quiet=True)
    if code is not None:
        return code
    from tests.cluster.keepalived_lab import KeepalivedCluster
    from tests.cluster.lab import Cluster
    scratch = tempfile.mkdtemp(prefix="lvstui-cluster-")
    if args.ha in ("heartbeat", "both"):
        lab = Cluster(os.path.join(scratch, "lab"), prefix="lvb")
        run(lab, EVENTS, args.rounds, scratch)
    if args.ha in ("keepalived", "both"):
        lab = KeepalivedCluster(os.path.join(scratch, "keepalived"), prefix="lvbk")
        run(lab, KEEPALIVED_EVENTS, args.rounds, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
