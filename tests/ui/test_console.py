"""The console on the simulated cluster, driven by Pilot."""

from __future__ import annotations

from textual.widgets import DataTable, RichLog

from lvstui.demo import Traffic, reference_cluster
from lvstui.ipvs.backend import IPVSError
from lvstui.model import RealServer, parse_service
from lvstui.ui.app import LvsApp


def cells(table: DataTable, column: int) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


async def test_shows_the_reference_cluster_and_follows_the_kernel():
    table = reference_cluster()
    app = LvsApp(table, refresh=0.05, traffic=Traffic(table))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        services = app.query_one("#services", DataTable)
        servers = app.query_one("#servers", DataTable)
        assert cells(services, 0) == ["TCP 172.26.46.119:80"]
        assert cells(services, 1) == ["wlc"]
        assert cells(servers, 0) == ["172.26.46.80:80", "172.26.46.81:80"]
        assert cells(servers, 1) == ["Route", "Route"]
        # a change made behind the console's back shows up on the next poll
        table.set_weight(parse_service("172.26.46.119:80"), "172.26.46.81", 80, 0)
        await pilot.pause(0.3)
        assert cells(servers, 2) == ["1", "0"]


async def test_selecting_a_service_shows_its_servers():
    table = reference_cluster()
    extra = parse_service("udp 10.0.0.2:53")
    extra.scheduler = "rr"
    table.add_service(extra)
    table.add_server(extra, RealServer("10.0.0.53", 53))
    app = LvsApp(table, refresh=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        services = app.query_one("#services", DataTable)
        services.focus()
        await pilot.press("down")
        await pilot.pause(0.2)
        assert cells(app.query_one("#servers", DataTable), 0) == ["10.0.0.53:53"]
        assert "UDP 10.0.0.2:53" in app.query_one("#servers", DataTable).border_title


async def test_a_failing_read_is_reported_not_fatal():
    table = reference_cluster()

    class Broken(type(table)):
        def services(self):
            raise IPVSError("not permitted to read the IPVS table: run lvstui as root")

    table.__class__ = Broken
    app = LvsApp(table, refresh=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        log = app.query_one("#log", RichLog)
        assert any("not permitted" in line.text for line in log.lines)
        assert app.is_running
