"""The console's health column, detail and log: from a monitor it runs itself, from the state
a separate ``lvstui monitor`` publishes, and in the demo."""

from __future__ import annotations

import time

from textual.widgets import RichLog, Static

from lvstui.demo import SimulatedChecks, demo_health, reference_cluster
from lvstui.health.checks import Check
from lvstui.health.engine import Monitor, Policy
from lvstui.health.sources import LocalMonitor, PublishedHealth
from lvstui.health.state import snapshot, write_state
from lvstui.ipvs.memory import MemoryBackend
from lvstui.model import Forwarding, RealServer, parse_service
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.widgets.rowtable import RowTable

from ..health.test_health import Backend
from .apps import cells
from .wait import until

HEALTH, LATENCY, FAILURE = "Health", "Check", "Last failure"     # the real-server pane's



def frozen():
    """The console's clock stopped at the test's start: every state since then is 0 s old."""
    now = time.time()
    return lambda: now

async def web_table():
    backends = [await Backend().start() for _ in range(2)]
    table = MemoryBackend()
    svc = parse_service("10.0.0.1:80")
    table.add_service(svc)
    for b in backends:
        table.add_server(svc, RealServer("127.0.0.1", b.port, Forwarding.MASQ, weight=2))
    return backends, table, svc


def log_text(app) -> str:
    return "\n".join(line.text for line in app.query_one("#log", RichLog).lines)


async def test_console_runs_the_checks_itself_and_shows_them(tmp_path):
    (a, b), table, svc = await web_table()
    # a refused check returns at once: the timeout is long so a loaded host's slow event loop
    # reads as "refused", not "timeout after 0.5 s" (run 15)
    policy = Policy(Check("http", timeout=5), interval=0.1, fall=1, rise=1)
    health = LocalMonitor(Monitor(table, [(svc, policy)], log=lambda m: None), "in-console")
    app = LvsApp(Session(table, health=health), refresh=0.05, clock=frozen())
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            servers = app.query_one("#servers", RowTable)
            await until(pilot, lambda: cells(servers, HEALTH) == ["up 0s", "up 0s"])
            assert all(text.endswith("ms") for text in cells(servers, LATENCY))
            await b.stop()
            down = sorted([a.port, b.port]).index(b.port)
            await until(pilot, lambda: cells(servers, HEALTH)[down].startswith("DOWN"))
            await until(pilot, lambda: cells(servers, "Weight")[down] == "0/2")    # quiesced
            assert cells(servers, "State")[down] == "quiesced"       # by the check, not drained
            # a check in flight when the server stopped was reset; every later one is refused
            await until(pilot, lambda: cells(servers, FAILURE)[down] == "refused")
            await until(pilot, lambda: f"127.0.0.1:{b.port} DOWN (refused)" in log_text(app)
                        or f"127.0.0.1:{b.port} DOWN (reset)" in log_text(app))
            assert "health: in-console" in str(app.query_one("#status", Static).render())
            servers.focus()
            servers.cursor = down
            await pilot.press("i")
            await until(pilot, lambda: app.screen.query("#health-text"))
            detail = str(app.screen.query_one("#health-text", Static).render())
            assert "HTTP GET / → 200" in detail and "Last failure refused" in detail
            assert "State        DOWN" in detail
            await pilot.press("escape")
    finally:
        health.close()
        await a.stop()


async def test_console_shows_what_lvstui_monitor_publishes(tmp_path):
    (a, b), table, svc = await web_table()
    policy = Policy(Check("tcp", timeout=5), fall=1, rise=1)      # refused at once (above)
    monitor = Monitor(table, [(svc, policy)], log=lambda m: None)
    path = str(tmp_path / "health.json")
    await monitor.round(svc, policy)
    write_state(path, snapshot(monitor, "health.toml"))
    app = LvsApp(Session(table, health=PublishedHealth(path)), refresh=0.05, clock=frozen())
    async with app.run_test(size=(160, 40)) as pilot:
        servers = app.query_one("#servers", RowTable)
        await until(pilot, lambda: cells(servers, HEALTH) == ["up 0s", "up 0s"])
        await until(pilot, lambda: "lvstui monitor (pid" in str(
            app.query_one("#status", Static).render()))
        await b.stop()
        await monitor.round(svc, policy)              # the monitor, elsewhere, sees it
        write_state(path, snapshot(monitor, "health.toml", running=False))
        await until(pilot, lambda: any(c.startswith("DOWN") for c in cells(servers, HEALTH)))
        await until(pilot, lambda: "DOWN (refused)" in log_text(app))
        assert "lvstui monitor NOT RUNNING" in str(app.query_one("#status", Static).render())
    await a.stop()


async def test_without_checks_the_detail_says_how_to_get_them():
    app = LvsApp(Session(reference_cluster()), refresh=0.05, clock=frozen())
    async with app.run_test(size=(160, 40)) as pilot:
        servers = app.query_one("#servers", RowTable)
        await until(pilot, lambda: cells(servers, HEALTH) == ["—", "—"])
        servers.focus()
        await pilot.press("i")
        await until(pilot, lambda: app.screen.query("#health-text"))
        assert "lvstui monitor" in str(app.screen.query_one("#health-text", Static).render())


async def test_demo_checks_take_rs2_out_and_bring_it_back():
    now = [0.0]
    checks = SimulatedChecks(clock=lambda: now[0])
    table = reference_cluster()
    svc = table.services()[0]
    policy = Policy(Check("http"), interval=2, fall=2, rise=2)
    monitor = Monitor(table, [(svc.without_servers(), policy)], log=lambda m: None, probe=checks)
    for t in (10, 12, 45, 47, 65, 67):
        now[0] = t
        await monitor.round(svc, policy)
        weights = {rs.address: rs.weight for rs in table.find_service(svc).servers}
        assert weights == {"172.26.46.80": 1, "172.26.46.81": 0 if t in (47, 65) else 1}, t


async def test_the_demo_console_checks_its_simulated_servers():
    table = reference_cluster()
    health = demo_health(table)
    app = LvsApp(Session(table, health=health), refresh=0.05, clock=frozen())
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            servers = app.query_one("#servers", RowTable)
            await until(pilot, lambda: cells(servers, HEALTH) == ["up 0s", "up 0s"])
            assert "simulated real servers" in str(app.query_one("#status", Static).render())
    finally:
        health.close()
