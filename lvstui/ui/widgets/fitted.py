"""A DataTable whose columns are as wide as their widest cell the moment its rows are shown."""

from __future__ import annotations

from typing import Iterable, Sequence

from rich.cells import cell_len
from textual.widgets import DataTable


class FittedTable(DataTable):
    """Rows replaced all at once, each column fitted to its text before the table paints.

    Textual's DataTable measures new rows only when it is next idle, and a line it painted
    in between (a resize does that) stays cached at the header's width: a screen opened on a
    busy host showed ``172`` for ``172.26.46.119`` until the cursor moved. Widths given with
    the columns are never measured late."""

    def __init__(self, labels: Sequence[str], **kwargs):
        super().__init__(**kwargs)
        self.labels = tuple(labels)

    def on_mount(self) -> None:
        self.show_rows([])

    def show_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """The table holds *rows* (text cells); the cursor stays on its row where it can."""
        rows = [tuple(map(str, row)) for row in rows]
        cursor = self.cursor_row
        self.clear(columns=True)
        for i, label in enumerate(self.labels):
            width = max([cell_len(label)] + [cell_len(row[i]) for row in rows])
            self.add_column(label, width=width)
        self.add_rows(rows)
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
