"""The past in the console, on the demo's recorded hour (a failover and back, RS1's weight
changed by someone's ipvsadm, RS2 down and quiesced by the monitor, then back): the plot of a
service or a real server with its changes and events marked, zoom and pan; the read-only view
of the table as of a moment, stepping through time, and bringing it back; health and failover
events in the timeline."""

from __future__ import annotations

from textual.widgets import Static

from lvstui.demo.past import record_past
from lvstui.ipvs.rules import save
from lvstui.ui.confirm import Confirm
from lvstui.ui.history import AsOfScreen
from lvstui.ui.plots import PlotScreen
from lvstui.ui.widgets.rowtable import RowTable

from .apps import demo_app
from .apps import timeline_rows
from .wait import settled, until

NOW = 1_800_000_000.0


def past_app(tmp_path):
    app = demo_app(tmp_path, history_path=str(tmp_path / "history.db"))
    app.clock = lambda: NOW
    record_past(app.session.record.path, app.session.backend, "director1", NOW)
    return app


def plot_text(app) -> str:
    return str(app.screen.query_one("#plot", Static).render())


async def test_a_real_servers_plot_with_its_events_zoom_and_pan(tmp_path):
    app = past_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settled(pilot)
        app.query_one("#servers").focus()
        app.query_one("#servers", RowTable).cursor = 1            # RS2 (172.26.46.81)
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, PlotScreen) and app.screen.read)
        screen = app.screen
        assert screen.row == "-t 172.26.46.119:80 -r 172.26.46.81:80"
        assert "█" in plot_text(app)                 # the last 15 min
        await pilot.press("minus")                                # 1 h
        await until(pilot, lambda: "last 1 h" in screen.query_one("#plot").border_title)
        await until(pilot, lambda: "█" in plot_text(app))
        marks = [(int((NOW - t) // 60), who, what.split(": ", 1)[-1])
                 for t, who, what in screen.query_one("#plot-marks", RowTable).items]
        rs2 = "-t 172.26.46.119:80 -r 172.26.46.81:80"       # newest first; RS1's not shown
        assert marks == [(28, "monitor", f"ipvsadm -e {rs2} -g -w 1"), (28, "health", "up"),
                         (40, "monitor", f"ipvsadm -e {rs2} -g -w 0"),
                         (40, "health", "DOWN (HTTP 503)"),
                         (55, "failover", "director1: resources all"),
                         (58, "failover", "director1: resources none"),
                         (60, "seen", "up")], marks    # where things stood when recording began
        assert {"▲", "●", "◆"} <= set(plot_text(app))
        # while RS2 was quiesced its bars are empty: the columns of those 12 minutes blank
        bars = plot_text(app).splitlines()[-3]
        assert " " * 10 in bars.strip()
        await pilot.press("f")
        await until(pilot, lambda: "bytes/s" in screen.query_one("#plot").border_title)
        await pilot.press("left")
        await until(pilot, lambda: " to " in screen.query_one("#plot").border_title)
        await pilot.press("n")
        await until(pilot, lambda: "last 1 h" in screen.query_one("#plot").border_title)


async def test_the_table_as_of_a_moment_stepped_and_brought_back(tmp_path):
    app = past_app(tmp_path)
    table = app.session.backend
    async with app.run_test(size=(120, 36)) as pilot:
        await settled(pilot)
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: isinstance(app.screen, AsOfScreen) and app.screen.past)
        screen = app.screen
        banner = screen.query_one("#asof-banner", Static)
        assert "AS OF" in str(banner.render()) and "read-only" in str(banner.render())
        assert "the table now is the table then" in str(screen.query_one("#asof-diff").render())
        for _ in range(3):                               # 31 min ago: RS2 quiesced
            await pilot.press("left_curly_bracket")
        await until(pilot, lambda: screen.past and screen.past.t == NOW - 60 - 1800)
        rows = screen.query_one("#asof-table", RowTable)
        weights = [rows.row_text(i)[2].strip() for i in range(len(rows.items))]
        assert weights == ["", "2", "0"], weights           # RS1 at 2, RS2 at 0 then
        diff = str(screen.query_one("#asof-diff").render())
        assert "-r 172.26.46.81:80 -g -w 0" in diff and "-r 172.26.46.80:80 -g -w 2" in diff
        assert any(c.strip() not in ("0", "0B/s") for c in rows.row_text(1)[3:6])   # traffic
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: [rs.weight for rs in table.services()[0].servers
                                    if rs.address == "172.26.46.81"] == [0])
        await settled(pilot)
        assert app.session.journal.undo_stack                         # undoable as any restore


async def test_health_and_failover_events_in_the_timeline(tmp_path):
    app = past_app(tmp_path)
    before = save(app.session.backend.services())
    async with app.run_test(size=(120, 30)) as pilot:
        rows = await timeline_rows(app, pilot)
        sources = [who for _, who, _ in rows]
        assert {"external", "monitor", "health", "failover"} <= set(sources)
        assert "heartbeat: director1: resources none" in [what for _, _, what in rows]
        await pilot.press("slash")
        for key in "DOWN":
            await pilot.press(key)
        await until(pilot, lambda: len(app.screen.query_one("#timeline", RowTable).items) == 1)
        await pilot.press("enter")              # back to the list, then Enter on the event
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AsOfScreen) and app.screen.past)
        assert "before health" in str(app.screen.query_one("#asof-banner", Static).render())
        assert save(app.session.backend.services()) == before      # read-only: nothing changed
