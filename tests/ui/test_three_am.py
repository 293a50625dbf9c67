"""The console as a new on-call engineer meets it at 3 a.m. (issue 12): no key acts on a screen
that is not shown, failover follows heartbeat's VIP, deep undo and redo, guard rails in the
operator's words, health and weight together, drain until zero, commit confirmed."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from lvstui.audit import AuditLog
from lvstui.demo import SimulatedNetwork, Traffic, reference_cluster
from lvstui.health.checks import Check, CheckResult
from lvstui.health.engine import Monitor, Policy
from lvstui.health.sources import LocalMonitor
from lvstui.ipvs.rules import save
from lvstui.model import parse_service
from lvstui.session import Session
from lvstui.ui.app import LvsApp
from lvstui.ui.confirm import Confirm
from lvstui.ui.connections import ConnectionsScreen
from lvstui.ui.forms import Prompt, ServerForm, ServiceForm
from lvstui.ui.health import HealthDetail
from lvstui.ui.heartbeat import HeartbeatScreen
from lvstui.ui.help import HelpScreen
from lvstui.ui.keys import ACTIONS
from lvstui.ui.network import NetworkScreen
from lvstui.ui.widgets.rowtable import RowTable

from .apps import WEB, audit, cells, demo_app, log
from .wait import settled, until

# ------------------------------------------------------------------ keys
SUB_SCREENS = [("n", NetworkScreen), ("p", HeartbeatScreen), ("c", ConnectionsScreen),
               ("question_mark", HelpScreen), ("i", HealthDetail)]


@pytest.mark.parametrize("opener, screen_class", SUB_SCREENS,
                         ids=[cls.__name__ for _k, cls in SUB_SCREENS])
async def test_no_main_screen_key_acts_on_a_sub_screen(tmp_path, opener, screen_class):
    app = demo_app(tmp_path, refresh=1.0)         # no read is waited for: keys only
    table = app.session.backend
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("tab")                       # a real server selected, as for d or +
        await pilot.press(opener)
        await settled(pilot)
        assert isinstance(app.screen, screen_class)
        sub = app.screen
        own = {b[0] if isinstance(b, tuple) else b.key for b in type(sub).BINDINGS}
        before = save(table.services())
        pressed = []
        for key, _action, _label, _text in ACTIONS:
            if key in own or key == "question_mark":
                continue
            await pilot.press(key)
            pressed.append(key)
            await pilot.pause()
            assert app.screen is sub, f"{key} left the {screen_class.__name__}"
        await settled(pilot)
        assert save(table.services()) == before
        assert app.session.journal.undo_stack == [] and "ipvsadm" not in log(app)
        assert {"plus", "d", "minus", "F", "delete"} - own <= set(pressed)
        footer = " ".join(b.binding.description for b in sub.active_bindings.values()
                          if b.enabled)
        assert "Drain" not in footer and "+1" not in footer


def test_a_key_means_one_thing_on_every_screen():
    """A key bound on a sub-screen and on the main screen does the same kind of thing."""
    main = {key: action.split("(")[0] for key, action, _l, _t in ACTIONS}
    main["q"] = "quit"
    same = {("add", "add"), ("edit", "edit"), ("delete", "remove"), ("filter", "filter"),
            ("refresh", "reload"), ("quit", "app.pop_screen"), ("quit", "dismiss"),
            ("close_filter", "app.pop_screen"), ("close_filter", "dismiss"),
            ("close_filter", "cancel"), ("close_filter", "answer"),
            ("help", "dismiss"), ("health_detail", "dismiss"),
            ("close_filter", "cancel")}
    for screen in (NetworkScreen, HeartbeatScreen, ConnectionsScreen, HelpScreen, HealthDetail,
                   Confirm, ServiceForm):
        for binding in screen.BINDINGS:
            key, action = (binding[:2] if isinstance(binding, tuple) else
                           (binding.key, binding.action))
            action = action.split("(")[0]
            if screen is Confirm and key in "yn":       # a yes/no question: y and n, as always
                continue
            if key in main:
                assert (main[key], action) in same, f"{screen.__name__}: {key} is {action} " \
                                                     f"there, {main[key]} on the main screen"


async def test_help_lists_the_keys_live_on_the_screen_it_was_opened_from(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("n")
        await settled(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        text = str(app.screen.query("Static").last().render())
        assert "Next profile" in text and "Apply profile" in text
        assert "drain" not in text and "weight" not in text
        await pilot.press("escape", "escape")
        await settled(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        text = str(app.screen.query("Static").last().render())
        assert "drain: weight 0" in text and "Next profile" not in text
        titles = [c.title for c in app.get_system_commands(app.screen_stack[0])]
        assert len(titles) == len(set(titles))
        lines = [line.split(None, 1) for line in text.splitlines() if line.strip()][1:]
        texts = [words[1] for words in lines if len(words) == 2]
        assert len(texts) == len(set(texts))                     # each action once
        assert ["q/ctrl+q", "Quit"] in lines                     # one line, lvstui's key first
        framework = texts.index("Focus Next")                   # Textual's own come last
        assert texts.index("read the table now") < texts.index("previous row") < framework
        await pilot.press("escape", "p")
        await settled(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        text = str(app.screen.query("Static").last().render())
        first = [line.split(None, 1)[0] for line in text.splitlines()[:5]]
        assert first == ["e", "a", "Del", "R", "q/Esc"], text    # the heartbeat screen's own
        assert "add a node or a media line" in text and "add a service" not in text


async def test_escape_closes_the_filter_and_counts_are_words(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "· 1 service ·" in str(app.query_one("#status", Static).render())
        await pilot.press("slash", *"zzz")
        await settled(pilot)
        assert app.query_one("#services", RowTable).items == []
        await pilot.press("escape")
        await settled(pilot)
        assert not app.query_one("#filter", Input).display
        assert len(app.query_one("#services", RowTable).items) == 1
        await pilot.press("c")
        await settled(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#conn-filter")


# ------------------------------------------------------------------ failover
async def test_failover_follows_heartbeats_vip_and_agrees_with_the_header(tmp_path):
    table = reference_cluster()
    other = parse_service("10.0.0.50:80")              # sorted before the heartbeat VIP
    table.add_service(other)
    app = demo_app(tmp_path, table)
    async with app.run_test(size=(160, 40)) as pilot:
        await settled(pilot)
        assert "resources here: all" in str(app.query_one("#peers", Static).render())
        await pilot.press("t")                         # takeover while holding everything
        await settled(pilot)
        assert "172.26.46.119" in app.screen.details and "10.0.0.50" not in app.screen.details
        await pilot.press("y")
        await until(pilot, lambda: "already holds the VIP 172.26.46.119: nothing to move"
                    in log(app))
        assert "failed" not in log(app) and "hb_takeover" not in audit(app)
        await pilot.press("h", "y")
        await until(pilot, lambda: "the VIP 172.26.46.119 moved to the peer after" in log(app))
        assert "VIP 10.0.0.50" not in log(app)             # (its alarm: no real server)
        await until(pilot, lambda: "resources here: none" in str(
            app.query_one("#peers", Static).render()))
        await pilot.press("t", "y")
        await until(pilot, lambda: "the VIP 172.26.46.119 moved here after" in log(app))


# ------------------------------------------------------------------ undo, redo
async def test_undo_goes_back_step_by_step_and_redo_forward(tmp_path):
    app = demo_app(tmp_path)
    table = app.session.backend
    weights = lambda: [r.weight for r in sorted(table.find_service(WEB).servers,  # noqa: E731
                                                key=lambda r: r.address)]
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("tab")
        for key in ("plus", "plus", "greater_than_sign"):
            await pilot.press(key)
            await settled(pilot)
        assert weights() == [13, 1]
        for expected in ([3, 1], [2, 1], [1, 1]):
            await pilot.press("u")
            await settled(pilot)
            assert weights() == expected
        await pilot.press("u")
        await settled(pilot)
        assert "nothing to undo" in log(app)
        await pilot.press("U")
        await settled(pilot)
        assert weights() == [2, 1]
        await pilot.press("F")
        await settled(pilot)
        await pilot.press("1", "enter")                 # flush: typed count
        await settled(pilot)
        assert table.services() == []
        await pilot.press("u")
        await settled(pilot)
        assert weights() == [2, 1]
        await pilot.press("u")
        await settled(pilot)
        assert weights() == [1, 1]
    text = audit(app)
    assert "-w 2  # undo" in text.replace("-w 1  # undo", "-w 2  # undo") and "# redo" in text


# ------------------------------------------------------------------ guard rails
async def test_guard_rails_speak_the_operators_words(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        await pilot.press("tab", "w")
        await settled(pilot)
        assert isinstance(app.screen, Prompt)
        app.screen.query_one("#value", Input).value = "70000"
        await settled(pilot)
        error = str(app.screen.query_one("#form-error", Static).render())
        assert "weight must be between 0 and 65535" in error
        assert app.screen.query_one("#ok").disabled
        await pilot.press("escape")
        await pilot.press("a")
        await settled(pilot)
        form = app.screen
        assert isinstance(form, ServerForm)
        form.query_one("#address", Input).value = "172.26.46.90:8080"
        await settled(pilot)
        assert "Route keeps the service's port" in str(form.query_one("#form-error").render())
        form.query_one("#address", Input).value = "172.26.46.90"
        form.query_one("#upper", Input).value = "100"
        form.query_one("#lower", Input).value = "200"
        await settled(pilot)
        assert "lower threshold 200 is above the upper threshold 100" in str(
            form.query_one("#form-error").render())
        form.query_one("#address", Input).value = "999.1.1.1"
        await settled(pilot)
        error = form.query_one("#form-error")
        assert "999.1.1.1" in str(error.render())
        assert error.region.bottom <= 24 and error.region.height > 0    # seen at 80x24
        assert 0 < form.query_one("#ok").region.bottom <= 24


async def test_deleting_the_last_service_and_emptying_loads_want_the_word(tmp_path):
    app = demo_app(tmp_path)
    table = app.session.backend
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("delete", "y")
        await settled(pilot)
        assert len(table.services()) == 1                # y is a letter in the typed field
        await pilot.press("escape")
        rules = tmp_path / "other.rules"
        rules.write_text("-A -t 10.1.1.1:80 -s rr\n")
        await pilot.press("l")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = str(rules)
        await pilot.press("enter")
        await settled(pilot)
        assert "It deletes 1 of the 1 virtual services" in app.screen.details
        await pilot.press(*"1", "enter")
        await settled(pilot)
        assert [s.name for s in table.services()] == ["TCP 10.1.1.1:80"]
        await pilot.press("u")                          # a restore is undone as one change
        await settled(pilot)
        assert [s.name for s in table.services()] == ["TCP 172.26.46.119:80"]


async def test_save_defaults_to_the_boot_file_asks_before_overwriting_remembers(tmp_path):
    app = demo_app(tmp_path)
    assert Session(reference_cluster()).rules.path == "/etc/ipvsadm.rules"
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("s")
        await settled(pilot)
        assert app.screen.query_one("#value", Input).value == app.session.rules.path
        other = str(tmp_path / "mine.rules")
        app.screen.query_one("#value", Input).value = other
        await pilot.press("enter")
        await settled(pilot)
        assert open(other).read() == save(app.session.backend.services())
        await pilot.press("s")
        await settled(pilot)
        assert app.screen.query_one("#value", Input).value == other     # remembered
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "exists: overwrite" in app.screen.question
        await pilot.press("n")
        await settled(pilot)
    assert audit(app).count("ipvsadm -Sn >") == 1


# ------------------------------------------------------------------ health and weight
def monitor_with_rs2_down(table):
    async def probe(check, host, port):
        up = host != "172.26.46.81"
        return CheckResult(up, "ok" if up else "HTTP 503", 0.001)
    policy = Policy(Check("http"), interval=0.05, fall=1, rise=1)
    return LocalMonitor(Monitor(table, [(WEB, policy)], log=lambda m: None, probe=probe),
                        "in-console")


async def test_raising_a_down_servers_weight_asks_and_is_an_override(tmp_path):
    table = reference_cluster()
    health = monitor_with_rs2_down(table)
    app = demo_app(tmp_path, table, health=health)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            servers = app.query_one("#servers", RowTable)
            await until(pilot, lambda: cells(servers, "Health")[1].startswith("DOWN"))
            await until(pilot, lambda: cells(servers, "Weight") == ["1", "0/1"])   # effect/intent
            assert cells(servers, "State") == ["live", "quiesced"]
            await pilot.press("tab", "down", "plus")
            await settled(pilot)
            assert isinstance(app.screen, Confirm) and "is DOWN (HTTP 503)" in app.screen.question
            await pilot.press("n")
            await settled(pilot)
            assert table.find_server(WEB, "172.26.46.81", 80).weight == 0
            await pilot.press("plus", "y")
            await until(pilot, lambda: "override" in cells(servers, "Health")[1])
            key = (WEB.key, ("172.26.46.81", 80))
            fails = health.read().servers[key].fails
            for more in range(1, 6):                    # rounds go by: the monitor leaves it
                await until(pilot, lambda: health.read().servers[key].fails >= fails + more)
                assert table.find_server(WEB, "172.26.46.81", 80).weight == 1
    finally:
        health.close()


# ------------------------------------------------------------------ drain until zero, share
async def test_a_drain_is_followed_until_no_connection_is_left(tmp_path):
    table = reference_cluster()
    network = SimulatedNetwork()
    session = Session(table, network=network, traffic=Traffic(table),
                      audit=AuditLog(str(tmp_path / "a.log")))
    app = LvsApp(session, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        servers = app.query_one("#servers", RowTable)
        await until(pilot, lambda: int(cells(servers, "Active")[0] or 0) > 5)
        share = cells(servers, "Conn%/W%")
        assert share[0].endswith("/50") and share[1].endswith("/50")
        await pilot.press("tab", "d")
        await until(pilot, lambda: cells(servers, "Weight")[0] == "0")
        await until(pilot, lambda: "drained, no active connection left" in log(app), 20)
        assert cells(servers, "State")[0] == "drained"
        assert cells(servers, "Conn%/W%")[0].endswith("/0")


# ------------------------------------------------------------------ commit confirmed
async def test_unconfirmed_changes_revert_by_themselves(tmp_path):
    now = [1000.0]
    app = demo_app(tmp_path, confirm_within=60, clock=lambda: now[0])
    table = app.session.backend
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("tab", "plus")
        await settled(pilot)
        await pilot.press("down", "d")
        await settled(pilot)
        assert [r.weight for r in sorted(table.find_service(WEB).servers,
                                                   key=lambda r: r.address)] == [2, 0]
        assert "UNCONFIRMED: 2 changes revert in 1:00" in str(
            app.query_one("#banner").render())
        now[0] += 61
        await until(pilot, lambda: [r.weight for r in sorted(table.find_service(WEB).servers,
                                                   key=lambda r: r.address)]
                    == [1, 1])
        # the revert's audit line is written after the kernel has it: waited for, not read
        await until(pilot, lambda: "not confirmed: reverted" in audit(app))
        await pilot.press("up", "plus")
        await settled(pilot)
        await pilot.press("C")
        await settled(pilot)
        assert not app.session.journal.unconfirmed      # kept: nothing left to revert
        now[0] += 61
        await settled(pilot)
        assert [r.weight for r in sorted(table.find_service(WEB).servers,
                                                   key=lambda r: r.address)] == [2, 1]
        await until(pilot, lambda: "confirm: 1 change(s) kept" in audit(app))


async def test_quitting_with_unconfirmed_changes_asks(tmp_path):
    app = demo_app(tmp_path, confirm_within=600)
    table = app.session.backend
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("tab", "d")
        await settled(pilot)
        await pilot.press("q")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "1 unconfirmed change" in app.screen.question
        await pilot.press("n")                          # stays
        await settled(pilot)
        assert app.is_running and table.find_server(WEB, "172.26.46.80", 80).weight == 0
        await pilot.press("q", "y")
        await until(pilot, lambda: not app.is_running)
    assert table.find_server(WEB, "172.26.46.80", 80).weight == 1


async def test_the_quit_question_changes_when_the_time_reverted_the_changes(tmp_path):
    now = [1000.0]
    app = demo_app(tmp_path, confirm_within=60, clock=lambda: now[0])
    table = app.session.backend
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("tab", "d")
        await settled(pilot)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        assert "revert them first?" in app.screen.question
        now[0] += 61                                    # the time runs out, the question open
        await until(pilot, lambda: "reverted by themselves" in app.screen.question)
        assert table.find_server(WEB, "172.26.46.80", 80).weight == 1
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running)
    assert audit(app).count("not confirmed: reverted") == 1


async def test_at_80_columns_the_footer_cuts_no_key_and_keeps_the_first(tmp_path):
    """Keys that do not fit whole are left out (all of them stay in ?): the first ones, the
    palette's on the right, and none cut mid-word."""
    from textual.widgets._footer import FooterKey
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for keys in ((), ("p",)):
            await pilot.press(*keys)
            await settled(pilot)
            shown = list(app.screen.query(FooterKey))
            assert shown and all(key.region.right <= 80 for key in shown)
            assert shown[-1].key_display == "^p"
        names = [key.description for key in shown]
        assert names[:2] == ["Back", "Edit"] and "Reload heartbeat" not in names
        await pilot.resize_terminal(160, 48)
        await until(pilot, lambda: "Reload heartbeat" in
                    [key.description for key in app.screen.query(FooterKey)])
