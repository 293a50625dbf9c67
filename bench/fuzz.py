"""The long fuzz run: the fuzz tier (tests/fuzz) with many more inputs per parser, random
(not derandomized) each time; prints inputs tried and failures.

    .venv/bin/python bench/fuzz.py [--examples 20000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=20000, help="inputs per parser test")
    args = p.parse_args()
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
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
