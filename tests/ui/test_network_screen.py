"""The network screen on the simulated director (the demo's network), driven by Pilot."""

from __future__ import annotations

from textual.widgets import DataTable, RichLog

from lvstui.audit import AuditLog
from lvstui.demo import Traffic, reference_cluster
from lvstui.system.sysctl import SysctlError
from lvstui.demo import SimulatedNetwork
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.confirm import Confirm

from .wait import REFRESH, settled


def rows(app, table_id):
    table = app.screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def log_text(app):
    return [line.text for line in app.query_one("#log", RichLog).lines]


async def open_network(tmp_path, network, traffic=True):
    table = reference_cluster()
    app = LvsApp(Session(table, traffic=Traffic(table) if traffic else None, audit=AuditLog(str(tmp_path / "audit.log")), network=network), refresh=REFRESH)
    return app


async def test_vips_and_director_profile_are_shown(tmp_path):
    app = await open_network(tmp_path, SimulatedNetwork())
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        assert rows(app, "#vips") == [["172.26.46.119", "TCP 172.26.46.119:80", "yes, on eth0:0",
                                       rows(app, "#vips")[0][3]]]
        settings = rows(app, "#settings")
        assert [r[0] for r in settings] == [
            "net.ipv4.ip_forward", "net.ipv4.conf.all.send_redirects",
            "net.ipv4.conf.default.send_redirects", "net.ipv4.conf.eth0.send_redirects"]
        assert all(r[3] == "yes" for r in settings)


async def test_real_server_profile_is_previewed_then_applied(tmp_path):
    network = SimulatedNetwork()
    app = await open_network(tmp_path, network)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)                   # the first read shown
        await pilot.press("n")
        await settled(pilot)
        await pilot.press("m")
        await settled(pilot)
        assert [r[3] for r in rows(app, "#settings")] == ["NO"] * 4
        await pilot.press("A")
        await settled(pilot)
        assert isinstance(app.screen, Confirm)
        assert "sysctl -w net.ipv4.conf.lo.arp_ignore=1" in app.screen.details
        await pilot.press("y")
        await settled(pilot)
        assert [r[3] for r in rows(app, "#settings")] == ["yes"] * 4
        assert network.values["net.ipv4.conf.all.arp_announce"] == "2"
        assert any("sysctl -w net.ipv4.conf.all.arp_announce=2   (was 0)  [ok]" in x
                   for x in log_text(app))
    assert "arp_announce=2" in (tmp_path / "audit.log").read_text()


async def test_toggle_flips_one_setting(tmp_path):
    network = SimulatedNetwork()
    app = await open_network(tmp_path, network)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)                   # the first read shown
        await pilot.press("n")
        await settled(pilot)
        app.screen.query_one("#settings", DataTable).focus()
        await pilot.press("space")
        await settled(pilot)
        assert network.values["net.ipv4.ip_forward"] == "1"
        assert rows(app, "#settings")[0][3] == "NO"
        await pilot.press("space")
        await settled(pilot)
        assert network.values["net.ipv4.ip_forward"] == "0"


async def test_removing_a_vip_with_live_connections_asks_first(tmp_path):
    network = SimulatedNetwork()
    app = await open_network(tmp_path, network)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        app.screen.query_one("#vips", DataTable).focus()
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "live connection(s)" in app.screen.details
        await pilot.press("n")
        await settled(pilot)
        assert "172.26.46.119" in network.addresses
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("y")
        await settled(pilot)
        assert "172.26.46.119" not in network.addresses
        assert rows(app, "#vips")[0][2] == "not active on this director"
        await pilot.press("enter")             # and back: add it, announced
        await settled(pilot)
        await pilot.press("y")
        await settled(pilot)
        assert network.addresses["172.26.46.119"] == "eth0:0"


async def test_a_refused_setting_is_reported_and_kept(tmp_path):
    class ReadOnly(SimulatedNetwork):
        def set(self, name, value):
            raise SysctlError(f"not permitted to set {name}: run lvstui as root")

    network = ReadOnly()
    app = await open_network(tmp_path, network, traffic=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)                   # the first read shown
        await pilot.press("n")
        await settled(pilot)
        app.screen.query_one("#settings", DataTable).focus()
        await pilot.press("space")
        await settled(pilot)
        assert network.values["net.ipv4.ip_forward"] == "0"
        assert any("not permitted" in x for x in log_text(app))
        assert any("sysctl -w net.ipv4.ip_forward=1  [failed]" in x for x in log_text(app))
