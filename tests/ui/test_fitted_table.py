"""The network and heartbeat screens' tables: every column as wide as its widest cell as soon
as the rows are shown, before the table has had an idle moment to measure them."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.widgets import DataTable

from lvstui.ui.widgets.fitted import FittedTable

ROWS = [("172.26.46.119", "TCP 172.26.46.119:80", "yes, on eth0:0", "12")]
LABELS = ("VIP", "Services", "On this host", "Live conns")


class OneTable(App):
    def __init__(self, table: DataTable):
        super().__init__()
        self.table = table

    def compose(self):
        yield self.table


def widths_right_after(table: DataTable, show) -> list[int]:
    """The columns' widths in the same turn as *show(table)*: no idle between."""
    async def run() -> list[int]:
        async with OneTable(table).run_test(size=(100, 10)) as pilot:
            await pilot.pause()
            show(table)
            return [c.get_render_width(table) for c in table.ordered_columns]
    return asyncio.run(run())


def test_columns_fit_their_cells_at_once():
    widths = widths_right_after(FittedTable(LABELS), lambda t: t.show_rows(ROWS))
    widest = [max(len(label), len(cell)) for label, cell in zip(LABELS, ROWS[0])]
    assert widths == [w + 2 for w in widest]          # one cell of padding either side


def test_control_a_plain_datatable_is_as_narrow_as_its_header_until_idle():
    def show(table):
        table.add_columns(*LABELS)
        table.add_rows(ROWS)
    widths = widths_right_after(DataTable(), show)
    assert widths == [len(label) + 2 for label in LABELS]


def test_the_cursor_stays_on_its_row_and_an_empty_table_keeps_its_header():
    async def run():
        table = FittedTable(("A", "B"), cursor_type="row")
        async with OneTable(table).run_test() as pilot:
            table.show_rows([("1", "x"), ("2", "y"), ("3", "z")])
            table.move_cursor(row=2)
            table.show_rows([("1", "x"), ("2", "y")])
            at_end = table.cursor_row
            table.show_rows([])
            await pilot.pause()
            return at_end, table.row_count, [str(c.label) for c in table.ordered_columns]
    assert asyncio.run(run()) == (1, 0, ["A", "B"])
