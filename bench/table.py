"""lvstui's table speed next to ipvsadm's, in one run, on the real kernel (the ip_vs VM).

    .venv/bin/python bench/table.py [--services 1000] [--servers 100] [--restore-rules 10000]

Run on a machine without IPVS it boots the project's VM and runs itself there. Prints each
timing (best of --repeat, the two sides of a row run in turns) and the ratio lvstui / ipvsadm; targets: dump+parse <= 1.3x, lvstui
list as a whole process <= 2x, restore <= 1.2x, re-applying a large file after a 1% edit
<= 0.2x of ipvsadm -C && ipvsadm -R (five times faster, only the changed servers touched).
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.vm import rerun_in_vm  # noqa: E402


def rules_text(services: int, servers: int) -> str:
    lines = []
    for s in range(services):
        vip = f"10.{s // 250}.{s % 250}.1:80"
        lines.append(f"-A -t {vip} -s wlc")
        for r in range(servers):
            lines.append(f"-a -t {vip} -r 172.{16 + r // 250}.{r % 250}.{s % 250 + 1}:8080 -m -w 1")
    return "\n".join(lines) + "\n"


def lvstui_command() -> list[str]:
    """The installed ``lvstui`` command, as the operator types it (else ``python -m``)."""
    script = os.path.join(os.path.dirname(sys.executable), "lvstui")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "lvstui.cli"]


def one_file_command() -> list[str] | None:
    """The one file (dist/lvstui-VERSION.pyz, made by scripts/build.sh) as a director runs it,
    by Debian's /usr/bin/python3; None without either."""
    found = sorted(glob.glob(os.path.join(ROOT, "dist", "lvstui-*.pyz")))
    return ["/usr/bin/python3", found[-1]] if found and os.path.exists("/usr/bin/python3") else None


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved(fns: list, repeat: int) -> list[float]:
    """The best time of each of *fns*, run in turns (a, b, c, a, b, c, ...): the emulated CPU's
    speed drifts by tens of percent within minutes, and turns expose each to the same drift."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timed(fn, 1))
    return best


def run(cmd: list[str], stdin: str | None = None) -> None:
    subprocess.run(cmd, input=stdin, text=True, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--servers", type=int, default=100)
    p.add_argument("--restore-rules", type=int, default=10000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    code = rerun_in_vm(__file__, ("ip_vs", "ip_vs_wlc"), {"KL_TIMEOUT": "3000", "KL_MEM": "3G"})
    if code is not None:
        return code

    from lvstui.ipvs.netlink import NetlinkBackend
    from lvstui.audit import AuditLog
    from lvstui.ipvs.operations import apply
    from lvstui.ipvs.rules import parse_rules
    from lvstui.session import Session

    table = NetlinkBackend()
    session = Session(table, audit=AuditLog(os.devnull))
    rows = []

    # 1. dump: N services x M real servers
    big = rules_text(args.services, args.servers)
    table.flush()
    build = timed(lambda: run(["ipvsadm", "-R"], big), 1)
    print(f"built {args.services} x {args.servers} with ipvsadm -R in {build:.1f} s", flush=True)
    counted = []
    one_file = one_file_command()
    if one_file:
        run([*one_file, "list"])                # its first run unpacks its dependencies once
    ipvsadm_ln, ours, cli, *pyz = interleaved([
        lambda: run(["ipvsadm", "-Ln"]),
        lambda: counted.append(sum(len(s.servers) for s in table.services())),
        lambda: run([*lvstui_command(), "list"]),
        *([lambda: run([*one_file, "list"])] if one_file else [])], args.repeat)
    assert counted[-1] == args.services * args.servers, counted
    rows.append(("dump+parse (in process) vs ipvsadm -Ln", ours, ipvsadm_ln))
    rows.append(("lvstui list (whole process) vs ipvsadm -Ln", cli, ipvsadm_ln))
    if pyz:
        rows.append(("  the one file, by /usr/bin/python3", pyz[0], ipvsadm_ln))

    # 1b. the whole big file re-applied after a 1% edit (what configuration management does):
    # lvstui's difference-only restore against the operator's ipvsadm -C && ipvsadm -R
    lines = big.splitlines(keepends=True)
    edited = "".join(line.replace(" -w 1\n", " -w 2\n") if i % 100 == 50 else line
                     for i, line in enumerate(lines))
    touched = []

    def lvstui_reapply():                       # what lvstui restore does
        ops = session.rules.plan(edited)
        apply(table, ops)
        touched.append(len(ops))

    reapply, clear_restore = interleaved(          # -C && -R puts the unedited table back
        [lvstui_reapply, lambda: (run(["ipvsadm", "-C"]), run(["ipvsadm", "-R"], big))], 2)
    rows.append((f"re-apply after a 1% edit ({touched[0]} changed) vs -C && -R", reapply,
                 clear_restore))

    # 2. restore: R rules into an empty table
    services = max(1, args.restore_rules // 100)
    small = rules_text(services, args.restore_rules // services - 1)
    n_rules = small.count("\n")

    def ipvsadm_restore():
        table.flush()
        run(["ipvsadm", "-R"], small)

    def lvstui_restore():
        table.flush()
        apply(table, session.rules.plan(small))

    t_ipvsadm, t_lvstui = interleaved([ipvsadm_restore, lvstui_restore], args.repeat)
    rows.append((f"restore {n_rules} rules (parse+diff+apply) vs -R", t_lvstui, t_ipvsadm))
    parse = timed(lambda: parse_rules(small), 1)
    rows.append((f"  of which parsing {n_rules} rules (lvstui only)", parse, t_ipvsadm))
    table.flush()
    table.close()

    print(f"\n{'measure':<48} {'lvstui':>9} {'ipvsadm':>9} {'ratio':>7}")
    for name, a, b in rows:
        print(f"{name:<48} {a:>8.2f}s {b:>8.2f}s {a / b:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
