"""The pair in the console, against a real ``lvstui agent`` process (the demo's peer, where RS2
is drained): both directors in the panes, drift marked and counted, changes to both or to this
director only, undo on both, the failover preflight, making either equal to the other."""

from __future__ import annotations

from textual.widgets import Static

from lvstui.demo import REAL_SERVERS
from lvstui.demo.peer import demo_peer
from lvstui.ui.confirm import Confirm
from lvstui.ui.pair import PairScreen
from lvstui.ui.widgets.rowtable import RowTable

from .test_console import cells
from .test_three_am import WEB, demo_app, log
from .wait import settled, until

RS1, RS2 = (f"{a}:80" for a in REAL_SERVERS)


def peer_weight(app, address: str) -> int:
    return app.session.connected_peer().find_server(WEB, address, 80).weight


def status(app) -> str:
    return str(app.query_one("#status", Static).render())


async def paired(pilot):
    app = pilot.app
    await until(pilot, lambda: app.pair.known and app.services, 20)
    await pilot.press("tab")                  # the real servers pane
    await settled(pilot)


def row(app, endpoint: str) -> dict:
    table = app.query_one("#servers", RowTable)
    names = [c.title for c in table.columns]
    for i in range(len(table.items)):
        text = table.row_text(i)
        if text[0].strip().endswith(endpoint):
            return dict(zip(names, text))
    raise AssertionError(f"{endpoint} not shown")


async def test_both_directors_side_by_side_with_the_drift_marked(tmp_path):
    app = demo_app(tmp_path, peer_opener=lambda: demo_peer("alice@rh1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        assert "1 difference" in status(app)
        drained_there, same = row(app, RS2), row(app, RS1)
        assert drained_there["Real server"].startswith("≠")
        assert (drained_there["Weight"].strip(), drained_there["W·peer"].strip()) == ("1", "0")
        assert not same["Real server"].startswith("≠")
        assert cells(app.query_one("#services", RowTable), "Service")[0].startswith("≠")


async def test_a_drain_reaches_both_and_undo_takes_it_back_on_both(tmp_path):
    app = demo_app(tmp_path, peer_opener=lambda: demo_peer("alice@rh1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        app.query_one("#servers", RowTable).cursor = [r.endpoint for r in app.query_one(
            "#servers", RowTable).items].index(RS1)
        await pilot.press("d")
        await settled(pilot)
        assert peer_weight(app, REAL_SERVERS[0]) == 0
        assert app.session.backend.find_server(WEB, REAL_SERVERS[0], 80).weight == 0
        assert f"# on debian.cluster.net" in log(app)
        await pilot.press("u")
        await settled(pilot)
        assert peer_weight(app, REAL_SERVERS[0]) == 1
        assert app.session.backend.find_server(WEB, REAL_SERVERS[0], 80).weight == 1


async def test_this_director_only_changes_here_and_the_drift_shows_it(tmp_path):
    app = demo_app(tmp_path, peer_opener=lambda: demo_peer("alice@rh1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        await pilot.press("b")
        assert "THIS DIRECTOR ONLY" in str(app.query_one("#banner", Static).render())
        app.query_one("#servers", RowTable).cursor = [r.endpoint for r in app.query_one(
            "#servers", RowTable).items].index(RS1)
        await pilot.press("plus")
        await settled(pilot)
        assert peer_weight(app, REAL_SERVERS[0]) == 1
        assert "this director only" in log(app)
        await until(pilot, lambda: "2 differences" in status(app))
        assert row(app, RS1)["Real server"].startswith("≠")


async def test_the_preflight_comes_before_standby(tmp_path):
    app = demo_app(tmp_path, peer_opener=lambda: demo_peer("alice@rh1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        details = str(app.screen.query_one("#details", Static).render())
        assert "Preflight:" in details
        assert "debian.cluster.net differs in 1 place(s)" in details
        assert "sync daemon is not running as backup: established connections will drop" \
            in details
        await pilot.press("n")


async def test_the_pair_screen_makes_the_peer_equal_after_asking(tmp_path):
    app = demo_app(tmp_path, peer_opener=lambda: demo_peer("alice@rh1"))
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PairScreen) and app.screen.facts)
        text = str(app.screen.query_one("#pair-facts", Static).render())
        assert f"ipvsadm -e -t 172.26.46.119:80 -r {RS2} -g -w 1" in text
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: peer_weight(app, REAL_SERVERS[1]) == 1)
        await until(pilot, lambda: "nothing: they agree" in str(
            app.screen.query_one("#pair-facts", Static).render()))
