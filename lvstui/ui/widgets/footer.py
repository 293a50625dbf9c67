"""Textual's footer that never cuts a key mid-word: its keys come in priority order (the
actions named *first*, then the bindings' order) and those that do not fit whole beside the
palette key are left out (all of them stay in ``?``)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class FittingFooter(Footer):
    def __init__(self, first: tuple[str, ...] = (), **kwargs):
        super().__init__(**kwargs)
        self.first = first

    def compose(self):
        keys = sorted(super().compose(), key=self._rank)     # stable: the bindings' order
        room = (self.size.width or self.app.size.width) - 1
        palette = [k for k in keys if isinstance(k, FooterKey) and k.has_class("-command-palette")]
        room -= sum(self._width(k) for k in palette)
        for widget in keys:
            if widget in palette:
                continue
            width = self._width(widget) if isinstance(widget, FooterKey) else 0
            if width > room:
                room = 0                      # a later, shorter key would be out of order
                continue
            room -= width
            yield widget
        yield from palette

    def _rank(self, widget) -> int:
        action = widget.action if isinstance(widget, FooterKey) else None
        return self.first.index(action) if action in self.first else len(self.first)

    def _width(self, key: FooterKey) -> int:
        padding = 1 if self.compact else 3
        return cell_len(key.key_display) + cell_len(key.description) + padding

    def on_resize(self) -> None:
        self.refresh(recompose=True)
