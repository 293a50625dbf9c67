"""The past in the console: the incident timeline (every recorded change, health verdict and
failover, newest first, filterable by server or by who) and the read-only view of the table as
of a moment (its traffic then, the difference to now as ipvsadm commands, brought back through
the same previewed restore as a rules file)."""

from __future__ import annotations

from dataclasses import dataclass

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ..cases.record import server_row
from ..history import HistoryError
from ..ipvs import IPVSError
from ..ipvs.order import sorted_servers
from ..ipvs.switches import service_spec
from ..model import ValidationError, format_time
from ..session import Session
from .confirm import Confirm
from .format import human
from .keygroup import KeyGroup
from .keys import bindings
from .widgets.footer import FittingFooter
from .widgets.rowtable import Column, RowTable
from .widgets.field import Field

COLUMNS = [Column("Time", 19, lambda c: format_time(c[0]), lambda c: c[0]),
           Column("Source", 22, lambda c: c[1], lambda c: c[1]),
           Column("Change or event", 70, lambda c: c[2], lambda c: c[2])]


class PastKeys(KeyGroup):
    """The main screen's keys into the past: H the timeline, g the plot of the selected
    service or real server, [ the table as of a minute ago."""

    BINDINGS = bindings("timeline", "plot", "as_of")

    def action_timeline(self) -> None:
        self.app.push_screen(TimelineScreen(self.session))

    def action_plot(self) -> None:
        """The history of the selected real server (servers pane focused) or service."""
        from .plots import PlotScreen
        svc = self.main.selected_service()
        if svc is None:
            return
        rs = self.main.query_one("#servers", RowTable).current
        clock = self.console.clock
        if self.main.servers_focused() and rs is not None:
            self.app.push_screen(PlotScreen(self.session, server_row(service_spec(svc),
                                                                     rs.endpoint),
                                            f"{svc.name} -> {rs.endpoint}", clock))
        else:
            self.app.push_screen(PlotScreen(self.session, service_spec(svc), svc.name, clock))

    def action_as_of(self) -> None:
        clock = self.console.clock
        self.app.push_screen(AsOfScreen(self.session, clock() - 60, clock=clock))


@dataclass
class EntriesRead(Message, bubble=False):
    """The timeline's entries read (or why not)."""

    entries: list
    error: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EntriesRead)


class TimelineScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("slash", "filter", "Filter"), ("r", "reload", "Refresh")]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.entries: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Field(placeholder="filter: a server, who (user, monitor, external), health…",
                    id="timeline-filter")
        yield RowTable(COLUMNS, key=lambda c: c, id="timeline")
        yield Static("reading the history…", id="timeline-status", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#timeline").border_title = "Changes and events, newest first"
        self.query_one("#timeline-filter").display = False
        self.query_one("#timeline").focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="timeline")
    def action_reload(self) -> None:
        try:
            self.post_message(EntriesRead(self.session.record.entries()))
        except HistoryError as exc:
            self.post_message(EntriesRead([], str(exc)))

    @on(EntriesRead)
    def show(self, event: EntriesRead) -> None:
        self.entries = event.entries
        self.refilter()
        self.query_one("#timeline-status", Static).update(
            event.error or f"{len(event.entries)} recorded in {self.session.record.path} · "
                           "Enter: the table just before one")

    def refilter(self) -> None:
        text = self.query_one("#timeline-filter", Input).value.strip().lower()
        self.query_one("#timeline", RowTable).set_items(
            [c for c in self.entries
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
        """Enter on an entry: the table just before it."""
        entry = self.query_one("#timeline", RowTable).current
        if entry is not None:
            self.app.push_screen(AsOfScreen(self.session, entry[0] - 0.001, entry))


@dataclass
class PastRead(Message, bubble=False):
    """The table at a past moment read (or why not)."""

    past: object = None
    error: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PastRead)


def _row_name(row) -> str:
    svc, rs = row
    return svc.name if rs is None else f"  -> {rs.endpoint}"


PAST_COLUMNS = [
    Column("Service / real server", 30, _row_name),
    Column("Forward", 8, lambda r: r[1].forwarding.value if r[1] else r[0].scheduler),
    Column("Weight", 6, lambda r: str(r[1].weight) if r[1] else "", right=True),
    Column("Conn/s", 7, lambda r: human((r[1] or r[0]).stats.cps), right=True),
    Column("In B/s", 8, lambda r: human((r[1] or r[0]).stats.inbps, "B"), right=True),
    Column("Out B/s", 8, lambda r: human((r[1] or r[0]).stats.outbps, "B"), right=True),
    Column("Active", 7, lambda r: str(r[1].active_conns if r[1] else
                                      sum(s.active_conns for s in r[0].servers)), right=True),
    Column("InAct", 7, lambda r: str(r[1].inactive_conns if r[1] else
                                     sum(s.inactive_conns for s in r[0].servers)), right=True),
]


class AsOfScreen(Screen):
    """The table as of a moment, read-only: step through time, see the way back from now, bring
    it back (asked, audited, undoable)."""

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                Binding("left_square_bracket", "step(-60)", "-1 min"),
                Binding("right_square_bracket", "step(60)", "+1 min"),
                Binding("left_curly_bracket", "step(-600)", "-10 min"),
                Binding("right_curly_bracket", "step(600)", "+10 min"),
                ("r", "restore", "Bring back")]

    def __init__(self, session: Session, t: float, entry=None, clock=time.time):
        super().__init__()
        self.session, self.t, self.entry, self.clock = session, t, entry, clock
        self.past = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="asof-banner", markup=False)
        yield RowTable(PAST_COLUMNS, key=lambda r: (r[0].key, r[1] and r[1].key), id="asof-table")
        yield Static(id="asof-diff", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#asof-diff").border_title = "From now to then"
        self.query_one("#asof-table").focus()
        self.load()

    @work(thread=True, exclusive=True, group="as-of")
    def load(self) -> None:
        try:
            self.post_message(PastRead(self.session.record.table_at(self.t)))
        except (HistoryError, IPVSError, ValidationError) as exc:
            self.post_message(PastRead(error=str(exc)))

    @on(PastRead)
    def show(self, event: PastRead) -> None:
        when = format_time(self.t)
        banner = self.query_one("#asof-banner", Static)
        table = self.query_one("#asof-table", RowTable)
        diff = self.query_one("#asof-diff", Static)
        self.past = event.past
        if event.error:
            banner.update(f"AS OF {when} · read-only · {event.error}")
            table.set_items([])
            diff.update("")
            return
        past = event.past
        about = f" · before {self.entry[1]}: {self.entry[2]}" if self.entry else ""
        banner.update(f"AS OF {when} · read-only{about}"
                      + ("" if past.sampled else " · no traffic sampled then"))
        table.set_items([(svc, rs) for svc in past.services
                         for rs in (None, *sorted_servers(svc.servers))])
        diff.update("\n".join(op.command() for op in past.ops) if past.ops else
                    "the table now is the table then")

    def action_step(self, seconds: float) -> None:
        self.t = min(self.t + seconds, self.clock())
        self.entry = None
        self.load()

    def action_restore(self) -> None:
        past = self.past
        if past is None or not past.ops:
            self.notify("nothing to bring back: the table now is the table then")
            return
        when = format_time(past.t)
        details = (f"To get there from now ({len(past.ops)} step(s)):\n"
                   + "\n".join(op.command() for op in past.ops))

        def answer(yes: bool) -> None:
            if yes:
                self.app.pop_screen()
                self.app.run_case(self.session.rules.restore, past.ops, f"the history, as of {when}")
        self.app.push_screen(Confirm(f"Bring back the table as it was at {when}?", details),
                             answer)
