"""Every console action on the memory backend, through Pilot: the happy path and the refusals."""

from __future__ import annotations

import pytest
from textual.widgets import Input, RichLog

from lvstui.demo import Traffic, reference_cluster
from lvstui.ipvs.rules import save
from lvstui.model import RealServer, parse_service
from lvstui.ui.confirm import Confirm, TypedConfirm
from lvstui.ui.forms import Prompt, ServerForm, ServiceForm
from lvstui.ui.widgets.rowtable import RowTable

from .wait import settled, until

WEB = parse_service("172.26.46.119:80")


def log(app):
    return [line.text for line in app.query_one("#log", RichLog).lines]


def weights(table):
    return {rs.address: rs.weight for rs in table.find_service(WEB).servers}


@pytest.fixture
def table():
    t = reference_cluster()
    dns = parse_service("udp 10.0.0.2:53")
    dns.scheduler = "rr"
    t.add_service(dns)
    t.add_server(dns, RealServer("10.0.0.53", 53, weight=2))
    return t


async def test_filter_narrows_services_and_servers(table, console):
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"46.81")
        await settled(pilot)
        services = app.query_one("#services", RowTable)
        assert [s.name for s in services.items] == ["TCP 172.26.46.119:80"]
        assert [r.address for r in app.query_one("#servers", RowTable).items] == ["172.26.46.81"]
        app.query_one("#filter", Input).value = "udp"
        await pilot.press("enter")
        await settled(pilot)
        assert [s.name for s in services.items] == ["UDP 10.0.0.2:53"]


async def test_clicking_a_title_sorts_and_again_reverses(table, console):
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        services = app.query_one("#services", RowTable)
        await pilot.click("#services", offset=(2, 1))       # the "Service" title
        await settled(pilot)
        first = [s.name for s in services.items]
        await pilot.click("#services", offset=(2, 1))
        await settled(pilot)
        assert [s.name for s in services.items] == list(reversed(first))
        assert "▼" in app.export_screenshot()               # the title shows the direction


async def test_add_service_form_validates_as_you_type(table, console):
    app = console(table)
    async with app.run_test(size=(120, 44)) as pilot:
        await settled(pilot)
        await pilot.press("a")
        await settled(pilot)
        form = app.screen
        assert isinstance(form, ServiceForm)
        await pilot.press(*"10.0.0.300:80")
        await settled(pilot)
        assert "invalid IP address" in str(form.query_one("#form-error").render())
        assert form.query_one("#ok").disabled
        form.query_one("#where", Input).value = "10.0.0.30:8080"
        await settled(pilot)
        assert not form.query_one("#ok").disabled
        await pilot.press("enter")
        await settled(pilot)
        assert parse_service("10.0.0.30:8080").key in {s.key for s in table.services()}
        assert any("ipvsadm -A -t 10.0.0.30:8080 -s wlc  [ok]" in x for x in log(app))


async def test_add_and_edit_real_server(table, console):
    app = console(table)
    async with app.run_test(size=(120, 44)) as pilot:
        await settled(pilot)
        app.query_one("#servers").focus()
        await pilot.press("a")
        await settled(pilot)
        assert isinstance(app.screen, ServerForm)
        app.screen.query_one("#address", Input).value = "172.26.46.82"
        app.screen.query_one("#weight", Input).value = "heavy"
        await settled(pilot)
        assert "invalid weight" in str(app.screen.query_one("#form-error").render())
        app.screen.query_one("#weight", Input).value = "4"
        await settled(pilot)
        await pilot.click("#ok")
        await settled(pilot)
        assert weights(table)["172.26.46.82"] == 4
        await pilot.press("e")                             # the cursor row: 172.26.46.80
        await settled(pilot)
        app.screen.query_one("#upper", Input).value = "500"
        await settled(pilot)
        await pilot.click("#ok")
        await settled(pilot)
        assert table.find_server(WEB, "172.26.46.80", 80).upper_threshold == 500


async def test_delete_asks_and_no_keeps(table, console):
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("delete")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "It has 2 real servers." in app.screen.details
        await pilot.press("n")
        await settled(pilot)
        assert len(table.services()) == 2
        await pilot.press("delete", "y")
        await settled(pilot)
        assert [s.name for s in table.services()] == ["UDP 10.0.0.2:53"]
        await pilot.press("u")                             # undo brings it back with servers
        await settled(pilot)
        assert weights(table) == {"172.26.46.80": 1, "172.26.46.81": 1}


async def test_flush_asks_for_the_service_count_typed(table, console):
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("F")
        await settled(pilot)
        assert "all 2 virtual services" in app.screen.details
        assert "Type 2 to confirm" in str(app.screen.query_one("#type-word").render())
        await pilot.press("y", "enter")                   # y is not an answer here
        await settled(pilot)
        assert isinstance(app.screen, TypedConfirm) and len(table.services()) == 2
        await pilot.press("escape")
        await settled(pilot)
        assert len(table.services()) == 2
        await pilot.press("F", "3", "enter")              # a wrong count does nothing
        await settled(pilot)
        assert isinstance(app.screen, TypedConfirm) and len(table.services()) == 2
        await pilot.press("backspace", "2", "enter")
        await settled(pilot)
        assert table.services() == []
        assert any("ipvsadm -C  [ok]" in x for x in log(app))


async def test_dry_run_shows_and_changes_nothing(table, console):
    app = console(table, dry_run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "DRY-RUN" in str(app.query_one("#banner").render())
        app.query_one("#servers").focus()
        await pilot.press("plus", "d")
        await settled(pilot)
        assert weights(table) == {"172.26.46.80": 1, "172.26.46.81": 1}
        assert any("ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.80:80 -g -w 2  [dry-run]" in x
                   for x in log(app))
        await pilot.press("T", "plus")
        await settled(pilot)
        assert weights(table)["172.26.46.80"] == 2


async def test_read_only_explains_and_changes_nothing(table, console):
    app = console(table, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "READ-ONLY" in str(app.query_one("#banner").render())
        app.query_one("#servers").focus()
        for key in ("plus", "d", "a", "delete", "F", "w"):
            await pilot.press(key)
        await settled(pilot)
        assert not isinstance(app.screen, (Confirm, ServerForm, Prompt))
        assert weights(table) == {"172.26.46.80": 1, "172.26.46.81": 1}
        assert any("refused: read-only" in line for line in log(app))


async def test_draining_the_last_live_server_asks(table, console):
    table.set_weight(WEB, "172.26.46.81", 80, 0)
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        app.query_one("#servers").focus()
        await pilot.press("d")
        await settled(pilot)
        assert isinstance(app.screen, Confirm) and "last live real server" in app.screen.question
        await pilot.press("y")
        await settled(pilot)
        assert weights(table) == {"172.26.46.80": 0, "172.26.46.81": 0}


async def test_set_weight_prompt_and_bigger_steps(table, console):
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        app.query_one("#servers").focus()
        await pilot.press("w")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = "-3"
        await settled(pilot)
        assert app.screen.query_one("#ok").disabled
        app.screen.query_one("#value", Input).value = "30"
        await pilot.press("enter")
        await settled(pilot)
        assert weights(table)["172.26.46.80"] == 30
        await pilot.press("greater_than_sign")
        await settled(pilot)
        assert weights(table)["172.26.46.80"] == 40


async def test_zero_save_and_load_with_preview(table, tmp_path, console):
    traffic = Traffic(table)
    traffic.tick()
    app = console(table)
    rules = tmp_path / "ipvs.rules"
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("z")
        await settled(pilot)
        assert table.find_service(WEB).stats.conns == 0
        await pilot.press("s")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = str(rules)
        await pilot.press("enter")
        await settled(pilot)
        assert rules.read_text() == save(table.services())
        rules.write_text(rules.read_text().replace("-r 172.26.46.81:80 -g -w 1",
                                                   "-r 172.26.46.81:80 -g -w 6"))
        await pilot.press("l")
        await settled(pilot)
        app.screen.query_one("#value", Input).value = str(rules)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, Confirm)
        assert app.screen.details == "ipvsadm -e -t 172.26.46.119:80 -r 172.26.46.81:80 -g -w 6"
        await pilot.press("y")
        await settled(pilot)
        assert weights(table)["172.26.46.81"] == 6


async def test_connections_screen_filters(table, console):
    Traffic(table).tick()
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("c")
        await settled(pilot)
        conns = app.screen.query_one("#connections", RowTable)
        total = len(conns.items)
        assert total > 0
        await pilot.press("slash", *"46.81")
        await settled(pilot)
        assert 0 < len(conns.items) < total
        assert all(c.destination == "172.26.46.81" for c in conns.items)


async def test_help_palette_and_themes(table, console):
    app = console(table, theme="lvstui-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.theme == "lvstui-contrast"
        assert {"lvstui-dark", "lvstui-light", "lvstui-contrast"} <= set(app.available_themes)
        await pilot.press("question_mark")
        await settled(pilot)
        help_text = str(app.screen.query("Static").last().render())
        assert "drain: weight 0" in help_text
        assert "o  sort by the next column" in help_text and "O  reverse the sort" in help_text
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Drain (d)" in titles and "Flush (F)" in titles
        assert len(titles) == len(set(titles))            # each entry once


async def test_keyboard_sort_cycles_columns(table, console):
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        services = app.query_one("#services", RowTable)
        order = [s.name for s in services.items]
        await pilot.press("o")                               # by Service: tcp before udp
        assert services.sort_column == 0
        assert [s.name for s in services.items] == ["TCP 172.26.46.119:80", "UDP 10.0.0.2:53"]
        await pilot.press("O")                               # reversed
        assert [s.name for s in services.items] == ["UDP 10.0.0.2:53", "TCP 172.26.46.119:80"]
        for _ in range(len(services.columns)):
            await pilot.press("o")
        assert services.sort_column is None                   # back to ipvsadm's order
        assert [s.name for s in services.items] == order


async def test_an_edit_keeps_a_change_made_meanwhile_and_a_deleted_server_is_said(table, console):
    """The form was opened on the screen's entry; someone changed the thresholds since."""
    from dataclasses import replace
    app = console(table, refresh=3600)
    async with app.run_test(size=(120, 44)) as pilot:
        await settled(pilot)
        app.query_one("#servers").focus()
        await pilot.press("e")                             # the cursor row: 172.26.46.80
        await settled(pilot)
        app.screen.query_one("#weight", Input).value = "7"
        live = table.find_server(WEB, "172.26.46.80", 80)
        table.edit_server(WEB, replace(live, upper_threshold=300, lower_threshold=30))
        await settled(pilot)
        await pilot.click("#ok")
        await settled(pilot)
        now = table.find_server(WEB, "172.26.46.80", 80)
        assert (now.weight, now.upper_threshold, now.lower_threshold) == (7, 300, 30)
        table.delete_server(WEB, now)
        await pilot.press("plus")
        await settled(pilot)
        assert any("deleted since the screen showed it; nothing changed" in line
                   for line in log(app))
        assert table.find_service(WEB).server("172.26.46.80", 80) is None


async def test_keys_arriving_in_one_read_edit_a_field_in_the_order_typed(table, console):
    """Over a laggy SSH link keys arrive together: "1" erased and "30" typed is 30, not a
    value with the erase applied after the digits (Textual runs an Input's editing keys as
    bindings, after the printable keys of the same read: textual#6605)."""
    from textual import events
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        app.query_one("#servers").focus()
        await pilot.press("w")
        await settled(pilot)
        field = app.screen.query_one("#value", Input)
        assert field.value == "1"
        for key, char in (("end", None), ("backspace", "\x7f"), ("3", "3"), ("0", "0"),
                          ("left", None), ("backspace", "\x7f"), ("4", "4")):
            app.post_message(events.Key(key, char))            # one read: no wait between
        await settled(pilot)
        assert field.value == "40"


async def test_a_service_left_with_no_live_server_raises_the_alarm(table, console, tmp_path):
    """Drain the last live server (asked, and answered yes): the VIP is black-holed — a red
    banner, a log line and an audit line; a weight again ends it, said the same ways."""
    table.set_weight(WEB, "172.26.46.81", 80, 0)
    app = console(table)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert not app.alarms.now
        app.query_one("#servers").focus()
        await pilot.press("d", "y")
        await until(pilot, lambda: "NO LIVE SERVER: TCP 172.26.46.119:80" in str(
            app.query_one("#banner").render()))
        assert app.query_one("#banner").has_class("read-only")          # red
        assert any("ALARM: TCP 172.26.46.119:80 has no real server" in x for x in log(app))
        await pilot.press("u")
        await until(pilot, lambda: not app.query_one("#banner").display)
        assert any("alarm over: TCP 172.26.46.119:80" in x for x in log(app))
    audit = (tmp_path / "audit.log").read_text()
    assert "result=alarm ALARM: TCP 172.26.46.119:80 has no real server" in audit
    assert "result=alarm alarm over: TCP 172.26.46.119:80" in audit
