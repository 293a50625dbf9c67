"""The long fuzz run: the fuzz tier (tests/fuzz) with many more inputs per parser, random
(not derandomized) each time; prints inputs tried and failures. Then the cost growth of each
parser on inputs 4x larger (linear: ~4x, quadratic: ~16x), beside a control that is quadratic
(the backtracking regex heartbeat lines were once read with) to show the measure can fail.

    .venv/bin/python bench/fuzz.py [--examples 20000] [--no-fuzz]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

QUADRATIC_CONTROL = re.compile(r"^(?P<lead>\s*)(?P<name>[^\s#]+)(?P<sep>\s*)(?P<args>[^#]*?)"
                               r"(?P<tail>\s*(#.*)?)$")


def growth_cases():
    from lvstui.ha.config import HaCf
    from lvstui.health.ldirectord import read_ldirectord
    from lvstui.health.toml_config import read_toml
    from lvstui.ipvs.connections import parse_connections
    from lvstui.ipvs.rules import parse_rules
    return {
        "control: the old ha.cf regex, blanks / 40": lambda n: QUADRATIC_CONTROL.match(
            "keepalive x" + " " * (n // 40) + "y"),
        "ha.cf line with a long blank run x 10": lambda n: HaCf(
            "keepalive x" + " " * 10 * n + "y\n", "f").directives(),
        "ha.cf with many lines": lambda n: HaCf("node a\n" * n, "f").directives(),
        "health TOML, many services": lambda n: read_toml("".join(
            f'[[service]]\nvirtual = "tcp 10.{i // 62500}.{i // 250 % 250}.{i % 250}:80"\n'
            for i in range(n // 40)), "f"),
        "ldirectord.cf, many real servers": lambda n: read_ldirectord(
            "virtual=10.0.0.1:80\n" + "".join(f"\treal=10.1.{i // 250}.{i % 250 + 1}:80 gate\n"
                                               for i in range(n // 40)), "f"),
        "rules file, one service, many servers": lambda n: parse_rules(
            "-A -t 10.0.0.1:80 -s wlc\n" + "".join(
                f"-a -t 10.0.0.1:80 -r 10.1.{i // 250}.{i % 250 + 1}:80 -m -w 1\n"
                for i in range(n // 40))),
        "/proc/net/ip_vs_conn": lambda n: parse_connections("head\n" + "TCP 0A000001 0050 "
                                                            "0A000002 0050 0A000003 0050 "
                                                            "ESTABLISHED 900\n" * (n // 20)),
    }


def best_time(fn, n: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - started)
    return best


def growth(size: int) -> int:
    """Seconds at size and 4 x size for each parser; 1 if any grows like the control."""
    worst = 0.0
    print(f"cost growth, input {size:,} -> {4 * size:,} characters (best of 3):")
    for name, fn in growth_cases().items():
        small, large = best_time(fn, size), best_time(fn, 4 * size)
        ratio = large / max(small, 1e-9)
        print(f"  {name:42} {small * 1000:9.2f} ms -> {large * 1000:9.2f} ms   x{ratio:5.1f}")
        if not name.startswith("control"):
            worst = max(worst, ratio)
    print(f"  worst parser: x{worst:.1f} (linear ~4, quadratic ~16)")
    return 1 if worst > 10 else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=20000, help="inputs per parser test")
    p.add_argument("--size", type=int, default=40000, help="characters, for the cost growth")
    p.add_argument("--no-fuzz", action="store_true", help="the cost growth only")
    args = p.parse_args()
    if args.no_fuzz:
        return growth(args.size)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--hypothesis-show-statistics", "tests/fuzz"], cwd=ROOT,
                         env={**os.environ, "LVSTUI_FUZZ_EXAMPLES": str(args.examples)},
                         capture_output=True, text=True)
    counts = re.findall(r"(\d+) passing, (\d+) failing", run.stdout)
    tried = sum(int(a) + int(b) for a, b in counts)
    failed = len(re.findall(r"^FAILED", run.stdout, re.M))
    print(run.stdout[-3000:] if failed else run.stdout.splitlines()[-1])
    tests = len(re.findall(r"^tests/fuzz/\S+::\S+:$", run.stdout, re.M))
    print(f"fuzz: {tried} inputs tried over {tests} parser tests in "
          f"{time.monotonic() - started:.0f} s; {failed} test(s) failed")
    return run.returncode or growth(args.size)


if __name__ == "__main__":
    sys.exit(main())
