"""The incident timeline: every recorded change, newest first (time, source, ipvsadm command);
Enter on one brings back the table as it was just before it — the difference to now previewed
as ipvsadm commands, asked, applied as a restore (audited, undoable)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ..history import HistoryError
from ..history.store import format_time
from ..ipvs import IPVSError
from ..model import ValidationError
from ..session import Session
from .confirm import Confirm
from .widgets.rowtable import Column, RowTable

COLUMNS = [Column("Time", 19, lambda c: format_time(c[0]), lambda c: c[0]),
           Column("Source", 22, lambda c: c[1], lambda c: c[1]),
           Column("Change", 70, lambda c: c[2], lambda c: c[2])]


class ChangesRead(Message):
    def __init__(self, changes, error=None):
        super().__init__()
        self.changes, self.error = changes, error


class AsOfRead(Message):
    def __init__(self, change, ops=None, error=None):
        super().__init__()
        self.change, self.ops, self.error = change, ops, error


class TimelineScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("slash", "filter", "Filter"), ("r", "reload", "Refresh")]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.changes: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: time, source (user, monitor, external), command…",
                    id="timeline-filter")
        yield RowTable(COLUMNS, key=lambda c: c, id="timeline")
        yield Static("reading the history…", id="timeline-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Changes, newest first"
        self.query_one("#timeline-filter").display = False
        self.query_one("#timeline").focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="timeline")
    def action_reload(self) -> None:
        try:
            self.post_message(ChangesRead(self.session.history_changes()))
        except HistoryError as exc:
            self.post_message(ChangesRead([], str(exc)))

    @on(ChangesRead)
    def show(self, event: ChangesRead) -> None:
        self.changes = event.changes
        self.refilter()
        self.query_one("#timeline-status", Static).update(
            event.error or f"{len(event.changes)} change(s) recorded in "
                           f"{self.session.history_path} · Enter: the table just before one")

    def refilter(self) -> None:
        text = self.query_one("#timeline-filter", Input).value.strip().lower()
        self.query_one("#timeline", RowTable).set_items(
            [c for c in self.changes
             if not text or text in f"{format_time(c[0])} {c[1]} {c[2]}".lower()])

    def action_filter(self) -> None:
        box = self.query_one("#timeline-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#timeline-filter")
    def filter_changed(self) -> None:
        self.refilter()

    @on(Input.Submitted, "#timeline-filter")
    def filter_done(self) -> None:
        self.query_one("#timeline").focus()

    @on(RowTable.Selected, "#timeline")
    def selected(self) -> None:
        """Enter on a change: the table just before it."""
        change = self.query_one("#timeline", RowTable).current
        if change is not None:
            self.read_as_of(change)

    @work(thread=True, group="timeline")
    def read_as_of(self, change) -> None:
        try:
            self.post_message(AsOfRead(change, self.session.as_of(change[0] - 0.001)))
        except (HistoryError, IPVSError, ValidationError) as exc:
            self.post_message(AsOfRead(change, error=str(exc)))

    @on(AsOfRead)
    def offer(self, event: AsOfRead) -> None:
        when = format_time(event.change[0])
        if event.error:
            self.notify(event.error, severity="error")
            return
        if not event.ops:
            self.notify(f"the table now is the table as it was before {when}")
            return
        details = (f"{event.change[1]}: {event.change[2]}\n\nTo get there from now "
                   f"({len(event.ops)} step(s)):\n" + "\n".join(op.command() for op in event.ops))
        self.app.push_screen(
            Confirm(f"Bring back the table as it was just before {when}?", details),
            lambda yes: yes and self.app.run_case(self.session.restore, event.ops,
                                                  f"the history, before {when}"))
