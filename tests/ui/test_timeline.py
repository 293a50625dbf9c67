"""The incident timeline in the console: recorded changes newest first with their source, and
Enter on one bringing back the table as it was just before it (previewed, asked, undoable)."""

from __future__ import annotations

from textual.widgets import Static

from lvstui.history import History, Recorder
from lvstui.ipvs.rules import save
from lvstui.ui.confirm import Confirm
from lvstui.ui.history import AsOfScreen
from lvstui.ui.widgets.rowtable import RowTable

from .apps import WEB, demo_app, timeline_rows
from .wait import settled, until


class Clock:
    t = 1_000_000.0

    def __call__(self):
        return self.t


async def test_the_timeline_and_the_table_before_a_change(tmp_path):
    app = demo_app(tmp_path, history_path=str(tmp_path / "history.db"))
    session, table, clock = app.session, app.session.backend, Clock()
    history = History(session.record.path, writer=True)
    recorder = Recorder(table, history, session.audit.path, hostname="rh1", clock=clock)
    recorder.tick()
    before = save(table.services())
    clock.t += 5
    rs = table.services()[0].servers[0]
    session.table.drain(WEB, rs)                                     # lvstui's, audited
    recorder.tick()
    clock.t += 5
    table.set_weight(WEB, *table.services()[0].servers[1].key, 9)   # someone else's
    recorder.tick()
    history.close()
    async with app.run_test(size=(120, 30)) as pilot:
        rows = await timeline_rows(app, pilot)
        assert [source for _, source, _ in rows][:2] == ["external", "root@rh1"]
        table_view = app.screen.query_one("#timeline", RowTable)
        table_view.cursor = 1                                   # the drain
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AsOfScreen) and app.screen.past)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        details = str(app.screen.query_one("#details", Static).render())
        assert f"-r {rs.endpoint} -g -w 1" in details and "-w 1" in details
        await pilot.press("y")
        await until(pilot, lambda: save(table.services()) == before)
        await settled(pilot)
        assert session.journal.undo_stack                               # the restore can be undone
