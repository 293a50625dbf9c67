"""The console's speed at 10,000 services x 10 real servers (memory backend), in one run.

    .venv/bin/python bench/console.py [--services 10000] [--servers 10] [--repeat 20]

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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psutil  # noqa: E402

from lvstui.audit import AuditLog  # noqa: E402
from lvstui.ipvs.memory import MemoryBackend  # noqa: E402
from lvstui.model import Forwarding, RealServer, parse_service  # noqa: E402
from lvstui.session import Session  # noqa: E402
from lvstui.ui.app import LvsApp  # noqa: E402
from lvstui.ui.widgets.rowtable import RowTable  # noqa: E402


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


async def measure(args) -> dict:
    table = build(args.services, args.servers)
    app = LvsApp(Session(table, audit=AuditLog(os.devnull)), refresh=float(os.environ.get("REFRESH", "1")))
    out: dict[str, list[float]] = {"move": [], "weight": [], "filter": []}
    start = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        clock = FrameClock(app)
        services = app.query_one("#services", RowTable)
        while len(services.items) < args.services:
            await pilot.pause(0.01)
        await pilot.pause()
        first_frame = time.perf_counter() - start
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
            app.action_filter()
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
        t = time.perf_counter()
        await pilot.press("c")
        conns = app.screen.query_one("#connections", RowTable)
        while len(conns.items) < args.connections:
            await pilot.pause(0.005)
        out["conn_open"] = [time.perf_counter() - t]
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
    return {"first": first_frame, "rss": rss, **out}


def connections(count: int) -> list:
    from lvstui.model import Connection
    return [Connection("tcp", f"198.51.{100 + i // 65000 % 100}.{i // 250 % 250}", 1024 + i % 60000,
                       "10.0.0.1", 80, f"172.16.{i % 10}.1", 8080, "ESTABLISHED", i % 900)
            for i in range(count)]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--services", type=int, default=10000)
    p.add_argument("--servers", type=int, default=10)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--connections", type=int, default=100_000)
    args = p.parse_args()
    r = asyncio.run(measure(args))
    print(f"{args.services} services x {args.servers} real servers (memory backend)")
    print(f"first frame                 {r['first'] * 1000:8.0f} ms   (target <= 1000 ms)")
    for name in ("move", "weight", "filter"):
        v = r[name]
        print(f"keypress -> screen, {name:<8} {statistics.median(v) * 1000:8.1f} ms median, "
              f"{max(v) * 1000:.1f} ms worst   (target <= 50 ms)")
    print(f"RSS                         {r['rss']:8.0f} MB   (target <= 150 MB)")
    print(f"connection screen, {args.connections} entries: open {r['conn_open'][0] * 1000:.0f} ms")
    for name in ("conn_move", "conn_filter"):
        v = r[name]
        print(f"keypress -> screen, {name:<11} {statistics.median(v) * 1000:6.1f} ms median, "
              f"{max(v) * 1000:.1f} ms worst")
    return 0


if __name__ == "__main__":
    sys.exit(main())
