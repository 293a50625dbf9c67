"""The pair in the console, against a real ``lvstui agent`` process (the demo's peer, where one
real server is drained): both directors in the panes, drift marked and counted, changes to both or to this
director only, undo on both, the failover preflight, making either equal to the other."""

from __future__ import annotations

from textual.widgets import Static

from lvstui.demo import REAL_SERVERS
from lvstui.demo.peer import demo_peer
from lvstui.model import Timeouts
from lvstui.ui.confirm import Confirm
from lvstui.ui.pair import PairScreen
from lvstui.ui.widgets.rowtable import RowTable

from .apps import cells
from .apps import WEB, demo_app, log
from .wait import settled, until

DRAINED, LIVE = REAL_SERVERS          # the demo's peer has the first drained (and forgot)
DRAINED_RS, LIVE_RS = f"{DRAINED}:80", f"{LIVE}:80"


def peer_weight(app, address: str) -> int:
    return app.session.pair.connected().find_server(WEB, address, 80).weight


def status(app) -> str:
    return str(app.query_one("#status", Static).render())


def pair_app(tmp_path):
    """The demo console with the demo's peer: a real agent where one server is drained."""
    return demo_app(tmp_path, peer_opener=lambda: demo_peer("alice@rh1"))


async def open_pair_screen(pilot) -> PairScreen:
    app = pilot.app
    await pilot.press("P")
    await until(pilot, lambda: isinstance(app.screen, PairScreen) and app.screen.facts)
    return app.screen


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


async def test_a_peer_out_of_reach_is_tried_again_and_said_so(tmp_path, monkeypatch):
    """No single give-up: the status says the reason and that the console keeps trying; the
    peer's pane fills in once it answers."""
    import re
    import threading

    from lvstui.peer import PeerError
    monkeypatch.setattr("lvstui.ui.pair.PEER_RETRY", 0.2)
    reachable = threading.Event()

    def opener():
        if not reachable.is_set():
            raise PeerError("director2 unreachable over ssh: Connection refused")
        return demo_peer("alice@rh1")

    app = demo_app(tmp_path, peer_opener=opener)
    app.session.pair.name = "director2"
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: " tries)" in status(app))
        assert re.search(r"peer director2: director2 unreachable over ssh: Connection refused; "
                         r"retrying every 0\.2 s \([0-9]+ tries\)", status(app)), status(app)
        reachable.set()                       # the peer answers at last
        await paired(pilot)
        assert "1 difference" in status(app) and "retrying" not in status(app)
        assert "peer debian.cluster.net connected" in log(app)


async def test_both_directors_side_by_side_with_the_drift_marked(tmp_path):
    app = pair_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        assert "1 difference" in status(app)
        drained_there, same = row(app, DRAINED_RS), row(app, LIVE_RS)
        assert drained_there["Real server"].startswith("≠")
        assert (drained_there["Weight"].strip(), drained_there["W·peer"].strip()) == ("1", "0")
        assert not same["Real server"].startswith("≠")
        assert cells(app.query_one("#services", RowTable), "Service")[0].startswith("≠")


async def test_a_drain_reaches_both_and_undo_takes_it_back_on_both(tmp_path):
    app = pair_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        app.query_one("#servers", RowTable).cursor = [r.endpoint for r in app.query_one(
            "#servers", RowTable).items].index(LIVE_RS)
        await pilot.press("d")
        await until(pilot, lambda: "# on debian.cluster.net" in log(app))
        assert peer_weight(app, LIVE) == 0
        assert app.session.backend.find_server(WEB, LIVE, 80).weight == 0
        await pilot.press("u")
        await until(pilot, lambda: "# undo  # on debian.cluster.net" in log(app))
        assert peer_weight(app, LIVE) == 1
        assert app.session.backend.find_server(WEB, LIVE, 80).weight == 1


async def test_this_director_only_changes_here_and_the_drift_shows_it(tmp_path):
    app = pair_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        await pilot.press("b")
        assert "THIS DIRECTOR ONLY" in str(app.query_one("#banner", Static).render())
        app.query_one("#servers", RowTable).cursor = [r.endpoint for r in app.query_one(
            "#servers", RowTable).items].index(LIVE_RS)
        await pilot.press("plus")
        await settled(pilot)
        assert peer_weight(app, LIVE) == 1
        assert "this director only" in log(app)
        await until(pilot, lambda: "2 differences" in status(app))
        assert row(app, LIVE_RS)["Real server"].startswith("≠")


async def test_the_preflight_comes_before_standby(tmp_path):
    app = pair_app(tmp_path)
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
    app = pair_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        await open_pair_screen(pilot)
        text = str(app.screen.query_one("#pair-facts", Static).render())
        assert f"ipvsadm -e -t 172.26.46.119:80 -r {DRAINED_RS} -g -w 1" in text
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: peer_weight(app, DRAINED) == 1)
        await until(pilot, lambda: "nothing: they agree" in str(
            app.screen.query_one("#pair-facts", Static).render()))


async def test_timeouts_and_sync_daemons_on_both_from_the_pair_screen(tmp_path):
    app = pair_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        pair_screen = await open_pair_screen(pilot)
        await pilot.press("t")
        await until(pilot, lambda: app.screen is not pair_screen)
        app.screen.query_one("#value").value = "600 0 200"
        await pilot.press("enter")
        await settled(pilot)
        peer = app.session.pair.connected()
        assert app.session.backend.timeouts() == peer.state().timeouts == Timeouts(600, 120, 200)
        await pilot.press("m")
        await until(pilot, lambda: app.screen is not pair_screen)
        await pilot.press("enter")                            # eth0, as offered
        await settled(pilot)
        assert [(d.state, d.interface) for d in app.session.backend.daemons()] == [
            ("master", "eth0")]
        assert [(d.state, d.interface) for d in peer.state().daemons] == [("backup", "eth0")]
        await until(pilot, lambda: "backup eth0" in str(
            pair_screen.query_one("#pair-facts", Static).render()))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await settled(pilot)
        assert app.session.backend.daemons() == [] and peer.state().daemons == []
        assert "--stop-daemon backup  # on debian.cluster.net" in log(app)


async def test_a_delete_asks_naming_both_directors_unless_this_one_only(tmp_path):
    app = pair_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await paired(pilot)
        await pilot.press("delete")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "on this director and debian.cluster.net?" in str(
            app.screen.query_one("#question", Static).render())
        await pilot.press("n", "b", "delete")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "debian" not in str(app.screen.query_one("#question", Static).render())


async def test_plus_on_a_server_that_differs_on_the_peer_asks_how(tmp_path):
    """RS1 weight 1 here, 0 on the peer: + asks — both to 2, or each by itself (1 -> 2 here,
    0 -> 1 there) — naming both values; Escape does neither."""
    from lvstui.ui.confirm import Choice
    app = pair_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await paired(pilot)
        servers = app.query_one("#servers", RowTable)
        servers.cursor = [r.endpoint for r in servers.items].index(DRAINED_RS)
        await pilot.press("plus")
        await until(pilot, lambda: isinstance(app.screen, Choice))
        assert app.screen.question == f"{DRAINED_RS} has weight 1 here and 0 on debian.cluster.net:"
        assert [label for _, label, _ in app.screen.options] == [
            "both to 2", "each by itself: 1 -> 2 here, 0 -> 1 on debian.cluster.net"]
        await pilot.press("escape")                                   # neither
        await settled(pilot)
        assert (app.session.backend.find_server(WEB, DRAINED, 80).weight,
                peer_weight(app, DRAINED)) == (1, 0)
        await pilot.press("plus")
        await until(pilot, lambda: isinstance(app.screen, Choice))
        await pilot.press("e")                                        # each by itself
        await until(pilot, lambda: "# on debian.cluster.net" in log(app))
        assert (app.session.backend.find_server(WEB, DRAINED, 80).weight,
                peer_weight(app, DRAINED)) == (2, 1)
        await pilot.press("plus")
        await until(pilot, lambda: isinstance(app.screen, Choice))
        await pilot.press("b")                                        # both to the new value
        await until(pilot, lambda: peer_weight(app, DRAINED) == 3)
        assert app.session.backend.find_server(WEB, DRAINED, 80).weight == 3
