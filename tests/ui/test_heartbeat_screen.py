"""The heartbeat screen on a scratch /etc/ha.d: findings, edits with diff preview, safe writes."""

from __future__ import annotations

import os

import pytest
from textual.widgets import DataTable, Input, RichLog, Static

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.demo import SimulatedHeartbeat
from lvstui.demo import SimulatedNetwork
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.confirm import Confirm
from lvstui.ui.forms import Prompt

from ..helpers import REFERENCE_AUTHKEYS, REFERENCE_HA_CF as HA_CF, REFERENCE_HARESOURCES

from .wait import REFRESH, settled



@pytest.fixture
def ha_dir(tmp_path):
    d = tmp_path / "ha.d"
    d.mkdir()
    (d / "ha.cf").write_text(HA_CF)
    (d / "haresources").write_text(REFERENCE_HARESOURCES)
    (d / "authkeys").write_text(REFERENCE_AUTHKEYS)
    os.chmod(d / "authkeys", 0o600)
    return d


def make_app(tmp_path, ha_dir):
    network = SimulatedNetwork()
    app = LvsApp(Session(reference_cluster(), network=network, ha_dir=str(ha_dir), heartbeat=SimulatedHeartbeat(network), audit=AuditLog(str(tmp_path / "audit.log"))), refresh=REFRESH)
    return app


def rows(app):
    table = app.screen.query_one("#hb-settings", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def log(app):
    return [line.text for line in app.query_one("#log", RichLog).lines]


async def open_screen(pilot, app):
    await settled(pilot)
    await pilot.press("p")
    await settled(pilot)


async def select(pilot, app, label):
    labels = [r[0] for r in rows(app)]
    app.screen.query_one("#hb-settings", DataTable).move_cursor(row=labels.index(label))
    await settled(pilot)


def table_of(app) -> DataTable:
    return app.screen.query_one("#hb-settings", DataTable)


async def test_shows_the_files_and_their_findings(tmp_path, ha_dir, monkeypatch):
    monkeypatch.setattr(os, "uname", lambda: os.uname_result(
        ("Linux", "rh1.cluster.net", "6", "#1", "x86_64")))
    app = make_app(tmp_path, ha_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, app)
        table = {r[0]: r for r in rows(app)}
        assert table["deadtime"][1:] == ["10", "ha.cf:3"]
        assert "node rh1.cluster.net" in table and "ucast eth1 192.168.0.1" in table
        assert table["resource of rh1.cluster.net"][1] == "172.26.46.119/24/eth0"
        assert table["auth key"][1] == "key 2 (sha1, secret ********)"
        findings = str(app.screen.query_one("#hb-findings", Static).render())
        assert "error" not in findings and "warntime (10000 ms) at or above deadtime" in findings
        cells = [str(c) for r in range(table_of(app).row_count) for c in table_of(app).get_row_at(r)]
        assert "key 2 (sha1, secret ********)" in cells             # the cells are read...
        assert not any("helloworld" in c for c in cells)           # ...and hold no secret


async def test_edit_deadtime_previews_diff_writes_and_offers_reload(tmp_path, ha_dir):
    app = make_app(tmp_path, ha_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, app)
        await select(pilot, app, "deadtime")
        await pilot.press("e")
        await settled(pilot)
        assert isinstance(app.screen, Prompt)
        app.screen.query_one("#value", Input).value = "12"
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Confirm)
        assert "-deadtime 10\n+deadtime 12" in app.screen.details
        await pilot.press("y")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "Reload heartbeat" in app.screen.question
        await pilot.press("n")
        await settled(pilot)
        assert (ha_dir / "ha.cf").read_text() == HA_CF.replace("deadtime 10", "deadtime 12")
        assert (ha_dir / "ha.cf.bak").read_text() == HA_CF
        assert any("ha.cf: deadtime 12  [ok]" in x for x in log(app))


async def test_an_edit_heartbeat_would_refuse_is_not_written(tmp_path, ha_dir):
    app = make_app(tmp_path, ha_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, app)
        await select(pilot, app, "keepalive")
        await pilot.press("e")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = "20"
        await pilot.press("enter")
        await settled(pilot)
        assert not isinstance(app.screen, Confirm)
        assert (ha_dir / "ha.cf").read_text() == HA_CF
        text = " ".join(log(app))           # long lines wrap in the log pane
        assert "refused" in text and "must be more than twice keepalive" in text


async def test_new_auth_key_is_never_shown(tmp_path, ha_dir):
    app = make_app(tmp_path, ha_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, app)
        await select(pilot, app, "auth key")
        await pilot.press("e")
        await settled(pilot)
        assert app.screen.query_one("#value", Input).password
        app.screen.query_one("#value", Input).value = "3 sha1 t0p-s3cret"
        await pilot.press("enter")
        await settled(pilot)
        assert "t0p-s3cret" not in app.screen.details and "helloworld" not in app.screen.details
        assert "+3 sha1 ********" in app.screen.details
        await pilot.press("y")
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        assert "3 sha1 t0p-s3cret" in (ha_dir / "authkeys").read_text()
        assert os.stat(ha_dir / "authkeys").st_mode & 0o777 == 0o600
        assert not any("t0p-s3cret" in x for x in log(app))
    assert "t0p-s3cret" not in (tmp_path / "audit.log").read_text()


async def test_vip_node_and_media_edits(tmp_path, ha_dir):
    app = make_app(tmp_path, ha_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_screen(pilot, app)
        await select(pilot, app, "resource of rh1.cluster.net")
        await pilot.press("e")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = "172.26.46.120/24/eth0"
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("y")
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        assert (ha_dir / "haresources").read_text() == "rh1.cluster.net 172.26.46.120/24/eth0\n"
        await pilot.press("a")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = "ucast eth2 10.0.0.2"
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("y")
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        assert "ucast eth1 192.168.0.1\nucast eth2 10.0.0.2\n" in (ha_dir / "ha.cf").read_text()
        await select(pilot, app, "ucast eth2 10.0.0.2")
        await pilot.press("delete")
        await settled(pilot)
        await pilot.press("y")
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        assert "eth2" not in (ha_dir / "ha.cf").read_text()
