"""Start-up of the one file (dist/lvstui-VERSION.pyz, run by Debian's /usr/bin/python3) next to
the venv's ``lvstui``, side by side in one run: ``lvstui list --demo`` as a whole process, and
the console's first frame (tmux, 80x24: until the demo's real servers are on screen). Cold: the
zipapp's first run with an empty HOME (it unpacks its dependencies once); warm: the next runs.

    .venv/bin/python bench/startup.py [--repeat 5]      (after scripts/build.sh)
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


def list_time(command: list[str], home: str) -> float:
    start = time.perf_counter()
    subprocess.run(command + ["list", "--demo"], check=True, stdout=subprocess.DEVNULL,
                   env={"HOME": home, "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - start


def first_frame(command: list[str], home: str) -> float:
    name = f"lvstui-start-{os.getpid()}"
    line = " ".join(["env", "-i", f"HOME={home}", "TERM=xterm-256color", *command, "--demo"])
    start = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", line],
                   check=True)
    try:
        while True:
            text = subprocess.run(["tmux", "capture-pane", "-p", "-t", name],
                                  capture_output=True, text=True).stdout
            if "172.26.46.81:80" in text:
                return time.perf_counter() - start
            if time.perf_counter() - start > 60:
                raise RuntimeError(f"no first frame:\n{text}")
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    from lvstui import __version__
    pyz = os.path.join(ROOT, "dist", f"lvstui-{__version__}.pyz")
    if not os.path.exists(pyz):
        print(f"{pyz}: run scripts/build.sh first", file=sys.stderr)
        return 2
    venv = [os.path.join(ROOT, ".venv", "bin", "lvstui")]
    zipapp = ["/usr/bin/python3", pyz]
    warm_home = tempfile.mkdtemp(prefix="lvstui-home-")
    rows = []
    for what, measure in (("lvstui list --demo", list_time), ("console first frame", first_frame)):
        cold = statistics.median(measure(zipapp, tempfile.mkdtemp(prefix="lvstui-home-"))
                                 for _ in range(args.repeat))
        measure(zipapp, warm_home)
        warm = statistics.median(measure(zipapp, warm_home) for _ in range(args.repeat))
        base = statistics.median(measure(venv, warm_home) for _ in range(args.repeat))
        rows += [(f"{what}: zipapp cold", cold, base), (f"{what}: zipapp warm", warm, base)]
    print(f"{'measure (median of ' + str(args.repeat) + ')':<40} {'zipapp':>8} {'venv':>8} "
          f"{'ratio':>6}")
    for name, a, b in rows:
        print(f"{name:<40} {a:>7.3f}s {b:>7.3f}s {a / b:>5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
