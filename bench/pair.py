"""A drift check over SSH, side by side with the operator's own way, in one run, in the ip_vs VM.

Two directors as network namespaces (d1, d2), each with its own IPVS table of --services
services x --servers real servers, sshd in d2 (tests/pair/conftest.py's bed). Timed, from d1:

    lvstui drift --peer director2                      (a new ssh session and agent each time)
    ssh director2 ipvsadm -Sn | diff - <(ipvsadm -Sn)  (the anchor: what an operator types)

both with the tables equal and with one weight changed on d2 — the control: each must then
say "different" (exit 1), or the measure could not see drift. Median of --repeat runs:

    .venv/bin/python bench/pair.py [--services 1000] [--servers 10] [--repeat 5]
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

from bench.table import rules_text  # noqa: E402
from bench.vm import rerun_in_vm  # noqa: E402


def timed(argv: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    status = rerun_in_vm(__file__, ("ip_vs", "ip_vs_wlc", "veth", "bridge"),
                         {"KL_TIMEOUT": "1200", "KL_MEM": "2G", "LVSTUI_VM": "1"})
    if status is not None:
        return status
    from pathlib import Path

    from tests.pair.conftest import LVSTUI, PairBed, ipvsadm
    if not os.path.exists("/dev/fd"):
        os.symlink("/proc/self/fd", "/dev/fd")
    bed = PairBed(Path(tempfile.mkdtemp(prefix="bench-pair-"))).up()
    try:
        table = rules_text(args.services, args.servers)
        for ns in ("d1", "d2"):
            ipvsadm(ns, "-R", stdin=table)
        ssh = f"ssh -F {bed.sshd.config} director2"
        ours = ["ip", "netns", "exec", "d1", LVSTUI, "--audit-log", "/dev/null", "drift",
                "--peer", "director2", "--ssh-config", str(bed.sshd.config),
                "--peer-command", bed.peer_command()]
        anchor = ["ip", "netns", "exec", "d1", "bash", "-c",
                  f"{ssh} ipvsadm -Sn | diff -q - <(ipvsadm -Sn) >/dev/null"]
        print(f"{args.services} services x {args.servers} real servers on each director, "
              f"median of {args.repeat} (the VM's TCG CPU)")
        for case in ("equal", "one weight differs"):
            if case != "equal":
                ipvsadm("d2", "-e", "-t", "10.0.0.1:80", "-r", "172.16.0.1:8080", "-m", "-w", "3")
            runs = {name: [timed(argv) for _ in range(args.repeat)]
                    for name, argv in (("lvstui drift", ours), ("ssh + ipvsadm -Sn + diff", anchor))}
            wanted = 0 if case == "equal" else 1
            for name, got in runs.items():
                codes = {code for _, code in got}
                assert codes == {wanted}, f"{name} ({case}): exit {codes}, wanted {wanted}"
            t_ours = statistics.median(t for t, _ in runs["lvstui drift"])
            t_anchor = statistics.median(t for t, _ in runs["ssh + ipvsadm -Sn + diff"])
            print(f"{case:<20} lvstui drift {t_ours:6.2f} s   ssh+ipvsadm+diff {t_anchor:6.2f} s"
                  f"   ratio {t_ours / t_anchor:4.2f}  (exit {wanted} both)")
    finally:
        bed.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
