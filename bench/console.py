"""The console's speed at 10,000 services x 10 real servers (memory backend), in one run.

    .venv/bin/python bench/console.py [--services 10000] [--servers 10] [--repeat 20] [--peer]
    .venv/bin/python bench/console.py --against REV [--rounds 3] [...]   this tree and REV
                                                       side by side, alternately, medians

With --peer (root: it starts sshd on loopback with keys made on the spot) the console has a
peer director: a real ``lvstui agent`` over OpenSSH holding the same table, one weight
different; the figures then include the pair view's first frame (the peer's columns and drift
drawn) and the number of ssh processes the session used.

Prints time to first frame, keypress -> repainted screen for moving the selection, changing a
weight and filtering (median and worst of --repeat), and the RSS. Targets: first frame <= 1 s,
keypress <= 50 ms, RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))    # tests too

import psutil  # noqa: E402

from lvstui.audit import AuditLog  # noqa: E402
from lvstui.ipvs.memory import MemoryBackend  # noqa: E402
from lvstui.model import Forwarding, RealServer, parse_service  # noqa: E402
from lvstui.session import Session  # noqa: E402
from lvstui.ui.app import LvsApp  # noqa: E402
from lvstui.ui.widgets.rowtable import RowTable  # noqa: E402


OPENS = 5      # the connection screen opened this many times (one open moved 1-3x with load)


def build(services: int, servers: int) -> MemoryBackend:
    table = MemoryBackend()
    for i in range(services):
        svc = parse_service(f"10.{i // 250 // 250}.{i // 250 % 250}.{i % 250 + 1}:80")
        table.add_service(svc)
        for r in range(servers):
            table.add_server(svc, RealServer(f"172.16.{r}.{i % 250 + 1}", 8080, Forwarding.MASQ))
    return table


class FrameClock:
    """Timestamps the first frame the app composes after a key once *done()* holds."""

    def __init__(self, app):
        self.app, self.done, self.at = app, None, None
        original = app._display

        def display(screen, renderable):
            if renderable is not None and self.done is not None and self.at is None \
                    and self.done():
                self.at = time.perf_counter()
            return original(screen, renderable)

        app._display = display

    async def press(self, pilot, key: str, done) -> float:
        self.done, self.at = done, None
        start = time.perf_counter()
        await pilot.press(key)
        while self.at is None:
            await pilot.pause(0.001)
        self.done = None
        return self.at - start


def peer_over_ssh(table: MemoryBackend, workdir: str):
    """sshd on loopback, an agent (memory table) behind it loaded with *table*, one weight
    changed there: (the connected Peer, sshd)."""
    from pathlib import Path

    from lvstui.ipvs.operations import Kind, Operation, diff
    from lvstui.peer import Peer
    from tests.pair.sshd import Sshd
    sshd = Sshd(Path(workdir)).start()
    lvstui = os.path.join(os.path.dirname(sys.executable), "lvstui")
    peer = Peer.over_ssh("director2", f"{lvstui} --backend memory --audit-log /dev/null",
                         str(sshd.config), "bench@here")
    services = table.services()
    for at in range(0, len(services), 500):
        peer.apply(diff([], services[at:at + 500]))
    svc = services[-1]
    rs = svc.servers[0]
    peer.apply([Operation(Kind.EDIT_SERVER, svc, type(rs)(rs.address, rs.port, rs.forwarding,
                                                           rs.weight + 4), before=rs)])
    return peer, sshd


async def measure(args) -> dict:
    table = build(args.services, args.servers)
    peer = sshd = None
    if args.peer:
        import tempfile
        peer, sshd = peer_over_ssh(table, tempfile.mkdtemp(prefix="bench-sshd-"))
    session = Session(table, audit=AuditLog(os.devnull),
                      peer_opener=(lambda: peer) if peer else None)
    app = LvsApp(session, refresh=float(os.environ.get("REFRESH", "1")))
    out: dict[str, list[float]] = {"move": [], "weight": [], "filter": []}
    start = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        clock = FrameClock(app)
        services = app.query_one("#services", RowTable)
        while len(services.items) < args.services:
            await pilot.pause(0.01)
        await pilot.pause()
        first_frame = time.perf_counter() - start
        pair_frame = None
        if peer:
            while not (app.pair.known and "1 difference" in str(
                    app.query_one("#status").render())):
                await pilot.pause(0.005)
            await pilot.pause()
            pair_frame = time.perf_counter() - start
        for _ in range(args.repeat):                      # move the selection
            wanted = services.cursor + 1
            out["move"].append(await clock.press(pilot, "down",
                                                 lambda: services.cursor == wanted))
        servers = app.query_one("#servers", RowTable)
        servers.focus()
        for _ in range(args.repeat):                      # weight +1, shown in the pane
            wanted = servers.current.weight + 1
            out["weight"].append(await clock.press(
                pilot, "plus", lambda: servers.current.weight == wanted))
        services.focus()
        for n in range(args.repeat):                      # one more character of a filter
            app.main.action_filter()
            await pilot.pause()
            app.query_one("#filter").value = "10.0.1"
            await pilot.pause()
            shown = len(services.items)
            out["filter"].append(await clock.press(
                pilot, str(n % 10), lambda: len(services.items) != shown))
            app.query_one("#filter").value = ""
            await pilot.press("enter")
            await pilot.pause()
        rss = psutil.Process().memory_info().rss / 2**20
        # the connection table with --connections entries
        table.conns = connections(args.connections)
        out["conn_open"] = []
        for turn in range(OPENS):                 # open it, wait for every row; Esc but last
            t = time.perf_counter()
            await pilot.press("c")
            conns = app.screen.query_one("#connections", RowTable)
            while len(conns.items) < args.connections:
                await pilot.pause(0.005)
            out["conn_open"].append(time.perf_counter() - t)
            if turn < OPENS - 1:
                await pilot.press("escape")
                await pilot.pause(0.3)
        out["conn_move"], out["conn_filter"] = [], []
        for _ in range(args.repeat):
            wanted = conns.cursor + 1
            out["conn_move"].append(await clock.press(pilot, "down",
                                                      lambda: conns.cursor == wanted))
        box = app.screen.query_one("#conn-filter")
        for n in range(args.repeat):
            box.focus()
            box.value = "198.51.100.1"
            await pilot.pause()
            shown = len(conns.items)
            out["conn_filter"].append(await clock.press(
                pilot, str(n % 10), lambda: len(conns.items) != shown))
            box.value = ""
            await pilot.pause()
    ssh = [p for p in psutil.Process().children(recursive=True) if p.name() == "ssh"]
    if peer:
        session.pair.close()
        sshd.stop()
    return {"first": first_frame, "pair": pair_frame, "ssh": len(ssh), "rss": rss, **out}


def connections(count: int) -> list:
    from lvstui.model import Connection
    return [Connection("tcp", f"198.51.{100 + i // 65000 % 100}.{i // 250 % 250}", 1024 + i % 60000,
                       "10.0.0.1", 80, f"172.16.{i % 10}.1", 8080, "ESTABLISHED", i % 900)
            for i in range(count)]


def against(rev: str, argv: list[str], rounds: int = 3) -> int:
    """This tree's figures beside those of revision *rev* (a git worktree of it), each bench
    in a process of its own, in *rounds* rounds that alternate which goes first: the median
    of each figure and the ratio now / then (one run of each moved by 0.7-1.4x from load
    alone on this 2-core machine)."""
    import re
    import subprocess
    import tempfile
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    there = tempfile.mkdtemp(prefix="lvstui-bench-")
    subprocess.run(["git", "-C", here, "worktree", "add", "--detach", "-q", there, rev],
                   check=True)
    runs: dict[str, dict[str, list[float]]] = {"then": {}, "now": {}}
    try:
        for turn in range(rounds):
            trees = [("then", there), ("now", here)]
            for name, tree in trees if turn % 2 == 0 else trees[::-1]:
                out = subprocess.run([sys.executable, os.path.join(tree, "bench", "console.py"),
                                      *argv], capture_output=True, text=True, check=True,
                                     cwd=tree, env={**os.environ, "PYTHONPATH": tree}).stdout
                for m in re.finditer(r"^(first frame|keypress -> screen, \w+|RSS|"
                                     r"connection screen.*?: open)\s+([\d.]+)", out, re.M):
                    runs[name].setdefault(m[1].strip(), []).append(float(m[2]))
    finally:
        subprocess.run(["git", "-C", here, "worktree", "remove", "--force", there])
    print(f"{'':<34}{rev[:12]:>12}{'this tree':>12}  now/then   (medians of {rounds} rounds)")
    for key, values in runs["then"].items():
        then, now = statistics.median(values), statistics.median(runs["now"].get(key, [0]))
        print(f"{key:<34}{then:>12.1f}{now:>12.1f}  {now / then if then else 0:8.2f}")
    return 0


def main() -> int:
    if "--against" in sys.argv:
        at = sys.argv.index("--against")
        rest = sys.argv[1:at] + sys.argv[at + 2:]
        rounds = 3
        if "--rounds" in rest:
            where = rest.index("--rounds")
            rounds = int(rest[where + 1])
            del rest[where:where + 2]
        return against(sys.argv[at + 1], rest, rounds)
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=10000)
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--connections", type=int, default=100_000)
    p.add_argument("--peer", action="store_true", help="a peer director over OpenSSH")
    args = p.parse_args()
    r = asyncio.run(measure(args))
    print(f"{args.services} services x {args.servers} real servers (memory backend)"
          + (", a peer over ssh holding the same table" if args.peer else ""))
    print(f"first frame                 {r['first'] * 1000:8.0f} ms   (target <= 1000 ms)")
    if args.peer:
        print(f"pair view's first frame     {r['pair'] * 1000:8.0f} ms   (target <= 1000 ms)")
        print(f"ssh processes at the end    {r['ssh']:8d}      (target 1)")
    for name in ("move", "weight", "filter"):
        v = r[name]
        print(f"keypress -> screen, {name:<8} {statistics.median(v) * 1000:8.1f} ms median, "
              f"{max(v) * 1000:.1f} ms worst   (target <= 50 ms)")
    print(f"RSS                         {r['rss']:8.0f} MB   (target <= 150 MB)")
    print(f"connection screen, {args.connections} entries: open "
          f"{statistics.median(r['conn_open']) * 1000:.0f} ms median of {OPENS}")
    for name in ("conn_move", "conn_filter"):
        v = r[name]
        print(f"keypress -> screen, {name:<11} {statistics.median(v) * 1000:6.1f} ms median, "
              f"{max(v) * 1000:.1f} ms worst")
    return 0


if __name__ == "__main__":
    sys.exit(main())
