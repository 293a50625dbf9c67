#!/usr/bin/env python3
"""Where scripts/test.sh's time went: each tier's wall time and test count, then the 20 slowest
tests of the run (setup, call and teardown together) and the 15 slowest test files (where a
stream's time goes), from the JUnit reports in DIR.

    scripts/test-times.py DIR        (DIR/TIER.seconds: wall seconds; DIR/*.xml: JUnit reports)
"""

from __future__ import annotations

import glob
import os
import sys
import xml.etree.ElementTree as ET


def tier_of(report: str, classname: str) -> str:
    """The tier a test ran in: the report's name; in a report of several tiers (the tests run
    `alone`, or 'kernel or pair') the test's folder says it (tests/contract: kernel)."""
    name = os.path.basename(report)[:-4]
    if name in ("host", "kernel", "pair", "cluster"):
        return name
    folder = classname.split(".")[1] if classname.count(".") >= 2 else ""
    return folder if folder in ("pair", "cluster") else "kernel"


def main(directory: str) -> None:
    tests = []
    for report in sorted(glob.glob(os.path.join(directory, "*.xml"))):
        try:
            root = ET.parse(report).getroot()
        except (OSError, ET.ParseError) as exc:
            print(f"{report}: unreadable ({exc})")
            continue
        for case in root.iter("testcase"):
            tests.append((float(case.get("time", 0)), tier_of(report, case.get("classname", "")),
                          f"{case.get('classname', '')}::{case.get('name', '')}"))
    print("--- time by tier (wall seconds; tests; seconds inside the tests)")
    for path in sorted(glob.glob(os.path.join(directory, "*.seconds"))):
        tier = os.path.basename(path)[:-8]
        with open(path) as fh:
            wall = int(fh.read().split()[0])
        inside = [t for t in tests if t[1] in tier.split("-and-")]
        print(f"{tier:<18} {wall // 60:3d} min {wall % 60:02d} s   {len(inside):4d} tests "
              f"{sum(t[0] for t in inside):8.1f} s")
    print("--- the 20 slowest tests")
    for seconds, tier, name in sorted(tests, reverse=True)[:20]:
        print(f"{seconds:8.1f} s  {tier:<8} {name}")
    print("--- the 15 slowest test files (seconds; tests)")
    files: dict[tuple[str, str], list[float]] = {}
    for seconds, tier, name in tests:
        files.setdefault((tier, name.split("::")[0]), []).append(seconds)
    for (tier, module), times in sorted(files.items(), key=lambda f: -sum(f[1]))[:15]:
        print(f"{sum(times):8.1f} s  {tier:<8} {module} ({len(times)})")


if __name__ == "__main__":
    main(sys.argv[1])
