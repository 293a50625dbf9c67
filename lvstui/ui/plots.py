"""A service's or real server's history as a plot: connections/s, bytes/s or active
connections over 15 min to 7 days (the finest samples the record keeps for the range), the
changes (▲), health verdicts (●), failovers (◆) and the states seen when recording began (○)
about it marked under the time axis (two kinds at one moment side by side); zoom
with + and -, pan with ← and →, back to now with n; f: the next series."""

from __future__ import annotations

from dataclasses import dataclass

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from ..cases.record import FIELDS
from ..history import HistoryError
from ..model import format_time
from ..session import Session
from .format import human
from .trends import BARS
from .widgets.footer import FittingFooter
from .widgets.rowtable import Column, RowTable

RANGES = [(15 * 60, "15 min"), (3600, "1 h"), (6 * 3600, "6 h"), (86400, "24 h"),
          (7 * 86400, "7 d")]
SERIES = [("connections/s", lambda v: v[FIELDS.index("cps")], ""),
          ("bytes/s in + out", lambda v: v[FIELDS.index("inbps")] + v[FIELDS.index("outbps")],
           "B"),
          ("active connections", lambda v: v[FIELDS.index("active")], "")]
MARKS = {"health": "●", "failover": "◆", "seen": "○"}   # any other source made a change: ▲
AXIS = 8                                           # columns for the value axis


def columns_of(points, since: float, until: float, width: int, value) -> list[float | None]:
    """The highest value in each of *width* columns from *since* to *until*; a sample covers
    the columns until the next one is due (None: the recorder was not running then)."""
    out: list[float | None] = [None] * width
    per_column = ((until - since) or 1) / width
    spacing = (points[-1][0] - points[0][0]) / (len(points) - 1) if len(points) > 1 else 0
    for t, values in points:
        v = value(values)
        first = int((t - since) / per_column)
        for col in range(max(first, 0), min(max(int((t + spacing - since) / per_column),
                                                 first + 1), width)):
            out[col] = v if out[col] is None else max(out[col], v)
    return out


def draw(points, marks, since: float, until: float, width: int, height: int,
         series: int) -> Text:
    """The plot as text: bars in eighths, the marks' row, the time axis."""
    title, value, unit = SERIES[series]
    width, height = max(width - AXIS, 10), max(height - 2, 2)
    cols = columns_of(points, since, until, width, value)
    top = max((v for v in cols if v is not None), default=0) or 1
    text = Text()
    for row in range(height, 0, -1):
        label = human(top, unit) if row == height else "0" if row == 1 else ""
        text.append(f"{label:>{AXIS - 1}} ", style="dim")
        for v in cols:
            level = 0 if v is None else v / top * height
            text.append("█" if level >= row else BARS[int((level - row + 1) * 8)]
                        if level > row - 1 and level > 0 else " ")
        text.append("\n")
    marker = [" "] * width
    for t, who, _ in marks:
        col = int((t - since) / ((until - since) or 1) * width)
        mark = MARKS.get(who, "▲")
        for at in (col, col + 1, col - 1):       # a second kind of mark at one moment: beside
            if 0 <= at < width and marker[at] in (" ", mark):
                marker[at] = mark
                break
    text.append(" " * AXIS + "".join(marker) + "\n", style="bold yellow")
    left, right = format_time(since), format_time(until)
    text.append(" " * AXIS + left + right.rjust(max(width - len(left), 0)), style="dim")
    return text


@dataclass
class PlotRead(Message, bubble=False):
    """A row's samples and marks from *since* to *until* (or why not)."""

    since: float
    until: float | None
    points: list
    marks: list
    error: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlotRead)


class PlotScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("plus", "zoom(-1)", "Zoom in"), ("minus", "zoom(1)", "Zoom out"),
                ("left", "pan(-1)", "Earlier"), ("right", "pan(1)", "Later"),
                ("n", "now", "Now"), ("f", "next_series", "Series")]

    def __init__(self, session: Session, name: str, title: str, clock=time.time):
        super().__init__()
        self.session, self.row, self.title, self.clock = session, name, title, clock
        self.range, self.series, self.until = 0, 0, None      # until None: up to now
        self.read: PlotRead | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plot", markup=False)
        yield RowTable([Column("Time", 19, lambda m: format_time(m[0])),
                        Column("Source", 14, lambda m: m[1]),
                        Column("Change or event", 70, lambda m: m[2])],
                       key=lambda m: m, id="plot-marks")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.load()

    def window(self) -> tuple[float, float]:
        span = RANGES[self.range][0]
        until = self.until if self.until is not None else self.clock()
        return until - span, until

    @work(thread=True, exclusive=True, group="plot")
    def load(self) -> None:
        since, until = self.window()
        try:
            points, marks = self.session.record.plot(self.row, since, until)
            self.post_message(PlotRead(since, until, points, marks))
        except HistoryError as exc:
            self.post_message(PlotRead(since, until, [], [], str(exc)))

    @on(PlotRead)
    def got(self, event: PlotRead) -> None:
        self.read = event
        self.query_one("#plot-marks", RowTable).set_items(list(reversed(event.marks)))
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        read, plot = self.read, self.query_one("#plot", Static)
        if read is None:
            return
        span = RANGES[self.range][1]
        when = f"last {span}" if self.until is None else f"{span} to {format_time(read.until)}"
        plot.border_title = f"{self.title} · {SERIES[self.series][0]} · {when}"
        if read.error or not read.points:
            plot.update(read.error or f"no samples of {self.row} in this range")
            return
        plot.update(draw(read.points, read.marks, read.since, read.until,
                         plot.content_size.width, plot.content_size.height, self.series))

    def action_zoom(self, step: int) -> None:
        self.range = min(max(self.range + step, 0), len(RANGES) - 1)
        self.load()

    def action_pan(self, direction: int) -> None:
        since, until = self.window()
        later = until + direction * (until - since) / 2
        self.until = None if later >= self.clock() else later
        self.load()

    def action_now(self) -> None:
        self.until = None
        self.load()

    def action_next_series(self) -> None:
        self.series = (self.series + 1) % len(SERIES)
        self.redraw()
