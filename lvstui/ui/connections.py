"""The connection table (``ipvsadm -Lc``): filterable, virtual, fine with 100k entries."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ..ipvs import IPVSError
from ..session import Session
from .panes import CONNECTION_COLUMNS, connection_text
from .widgets.footer import FittingFooter
from .widgets.rowtable import RowTable
from .widgets.field import Field


@dataclass
class ConnectionsRead(Message, bubble=False):
    """The table and, made in the worker, the text the filter matches each entry against."""

    connections: list
    texts: list
    error: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ConnectionsRead)


class ConnectionsScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("slash", "filter", "Filter"),
                ("r", "reload", "Refresh")]

    def __init__(self, session: Session, refresh: float = 1.0):
        super().__init__()
        self.session, self.refresh_every = session, refresh
        self.connections, self.texts = [], []
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Field(placeholder="filter: client, VIP, real server, state…", id="conn-filter")
        yield RowTable(CONNECTION_COLUMNS, key=lambda c: (c.protocol, c.client, c.client_port,
                                                          c.virtual, c.virtual_port),
                       id="connections")
        yield Static(id="conn-status")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#connections").border_title = "Connections (ipvsadm -Lc)"
        self.query_one("#connections").focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="connections")
    def action_reload(self) -> None:
        try:
            connections = self.session.table.connections()
            self.post_message(ConnectionsRead(connections,
                                              [connection_text(c) for c in connections]))
        except (IPVSError, OSError) as exc:
            self.post_message(ConnectionsRead([], [], str(exc)))

    @on(ConnectionsRead)
    def show(self, event: ConnectionsRead) -> None:
        if event.error:
            self.app.notify(event.error, severity="error")
        self.connections, self.texts = event.connections, event.texts
        self.apply_filter()
        self.set_timer(max(self.refresh_every, 1.0), self.action_reload)

    def apply_filter(self) -> None:
        text = self.filter_text
        shown = self.connections if not text else [
            c for c, t in zip(self.connections, self.texts) if text in t]
        self.query_one("#connections", RowTable).set_items(shown)
        self.query_one("#conn-status", Static).update(
            f"{len(shown)} of {len(self.connections)} connections")

    def action_filter(self) -> None:
        self.query_one("#conn-filter").focus()

    @on(Input.Changed, "#conn-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip().lower()
        self.apply_filter()

    @on(Input.Submitted, "#conn-filter")
    def filter_done(self) -> None:
        self.query_one("#connections").focus()
