"""A virtual table: renders only the rows on screen (Textual's Line API), for 100k-row tables.

Rows are model objects; each column turns one into text only when its line is painted, so a
refresh costs the same for ten rows or a hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    cell: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None
    right: bool = False


class RowTable(ScrollView, can_focus=True):
    """A header line, then one line per item; a cursor row; click a title to sort by it."""

    COMPONENT_CLASSES = {"rowtable--header", "rowtable--cursor", "rowtable--sorted"}
    BINDINGS = [
        Binding("up", "move(-1)", "previous row", show=False),
        Binding("down", "move(1)", "next row", show=False),
        Binding("pageup", "page(-1)", "a page up", show=False),
        Binding("pagedown", "page(1)", "a page down", show=False),
        Binding("home", "move_to(0)", "first row", show=False),
        Binding("end", "move_to(-1)", "last row", show=False),
        Binding("left", "scroll_left", "scroll to the left", show=False),
        Binding("right", "scroll_right", "scroll to the right (more columns)", show=False),
        Binding("enter", "select", "select the row", show=False),
        Binding("o", "next_sort", "sort by the next column", show=False),
        Binding("O", "reverse_sort", "reverse the sort", show=False),
    ]

    cursor = reactive(0)

    class Highlighted(Message):
        def __init__(self, table: RowTable, item: Any):
            super().__init__()
            self.table, self.item = table, item

        @property
        def control(self) -> RowTable:
            return self.table

    class Selected(Highlighted):
        """Enter (or a click on the cursor row) on an item."""

    class SortRequested(Message):
        def __init__(self, table: RowTable, column: int):
            super().__init__()
            self.table, self.column = table, column

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(self, columns: list[Column], key: Callable[[Any], Any], **kwargs):
        super().__init__(**kwargs)
        self.columns = columns
        self.key = key
        self.items: list = []
        self.unsorted: list = []        # as given, before any column sort
        self.sort_column: int | None = None
        self.sort_reverse = False
        self._line_width = sum(c.width + 1 for c in columns)

    # ------------------------------------------------------------ data
    def set_items(self, items: list) -> None:
        """Show *items* (already filtered), sorted by the chosen column; the cursor stays on the
        same item (by key) where it still is there."""
        current = self.current
        self.unsorted = items
        if self.sort_column is not None and self.columns[self.sort_column].sort_key:
            items = sorted(items, key=self.columns[self.sort_column].sort_key,
                           reverse=self.sort_reverse)
        self.items = items
        self.virtual_size = Size(self._line_width, len(items) + 1)
        index = 0
        if current is not None:
            wanted = self.key(current)
            if self.cursor < len(items) and self.key(items[self.cursor]) == wanted:
                index = self.cursor
            else:
                index = next((i for i, item in enumerate(items) if self.key(item) == wanted),
                             min(self.cursor, max(0, len(items) - 1)))
        self.set_reactive(RowTable.cursor, index)
        self._keep_visible()
        self.refresh()
        if self.current is None or current is None or self.key(self.current) != self.key(current):
            self.post_message(self.Highlighted(self, self.current))

    @property
    def current(self) -> Any:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def row_text(self, index: int) -> list[str]:
        item = self.items[index]
        return [c.cell(item) for c in self.columns]

    def sort_by(self, column: int) -> None:
        """Sort by *column*; the same column again reverses the order."""
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.set_items(self.unsorted)

    # ------------------------------------------------------------ painting
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            text = self._header()
            style = self.get_component_rich_style("rowtable--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self.items):
                return Strip.blank(width, self.rich_style)
            item = self.items[index]
            text = " ".join(self._fit(c.cell(item), c) for c in self.columns)
            style = (self.get_component_rich_style("rowtable--cursor")
                     if index == self.cursor and self.has_focus
                     else self.get_component_rich_style("rowtable--sorted")
                     if index == self.cursor else self.rich_style)
        strip = Strip([Segment(text, style)], len(text))
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _header(self) -> str:
        titles = []
        for i, c in enumerate(self.columns):
            mark = ("▼" if self.sort_reverse else "▲") if i == self.sort_column else ""
            titles.append(self._fit(c.title + mark, c))
        return " ".join(titles)

    @staticmethod
    def _fit(text: str, column: Column) -> str:
        if len(text) > column.width:
            return text[:column.width - 1] + "…"
        return text.rjust(column.width) if column.right else text.ljust(column.width)

    # ------------------------------------------------------------ moving
    def watch_cursor(self, old: int, new: int) -> None:
        self._keep_visible()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def _keep_visible(self) -> None:
        rows = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False)

    def action_move(self, delta: int) -> None:
        if self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 2))

    def action_move_to(self, index: int) -> None:
        if self.items:
            self.cursor = index % len(self.items)

    def action_next_sort(self) -> None:
        """Sort by the next sortable column (none after the last: back to the table's order)."""
        sortable = [i for i, c in enumerate(self.columns) if c.sort_key]
        later = [i for i in sortable if self.sort_column is None or i > self.sort_column]
        self.sort_column, self.sort_reverse = (later[0] if later else None), False
        self.set_items(self.items if self.sort_column is not None else self.unsorted)

    def action_reverse_sort(self) -> None:
        if self.sort_column is not None:
            self.sort_by(self.sort_column)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x, edge = offset.x + self.scroll_offset.x, 0
            for i, c in enumerate(self.columns):
                edge += c.width + 1
                if x < edge:
                    self.post_message(self.SortRequested(self, i))
                    return
            return
        index = self.scroll_offset.y + offset.y - 1
        if 0 <= index < len(self.items):
            if index == self.cursor:
                self.action_select()
            self.cursor = index

    def on_resize(self) -> None:
        self._keep_visible()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
