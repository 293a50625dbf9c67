"""The console's main view: the services, the real servers of the one selected, the peers,
the log, the filter and the status line — a ``Screen`` whose state (the filter, the last
read's age, the selection) is reactive: the panes and the status follow it. The app owns the
session, the reads and the changes; this screen shows them."""

from __future__ import annotations

import contextlib
import time

from textual import on
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Input, RichLog, Static

from ..ipvs.order import sorted_servers
from ..model import RealServer, VirtualService
from .format import fit, peers_text, plural
from .health import HealthDetail
from .history import PastKeys
from .keygroup import KeyGroup
from .keys import bindings
from .pair_keys import PairKeys
from .panes import (SET_BACK_MARK, server_columns, server_text, service_columns, service_text,
                    servers_text)
from .table_keys import TableKeys
from .widgets.field import Field
from .widgets.footer import FittingFooter
from .widgets.rowtable import RowTable


class MainScreen(Screen):
    """The first screen of the console (the app's default screen)."""

    filter_text: reactive[str] = reactive("", init=False, repaint=False)
    read_at: reactive[float] = reactive(0.0, init=False, always_update=True, repaint=False)

    BINDINGS = bindings("filter", "close_filter", "connections", "network", "toggle_dry_run",
                        "heartbeat_screen", "health_detail", "refresh")

    def compose(self) -> ComposeResult:
        """The panes inside the key groups (a group's keys are live while the focus is in it);
        the filter outside them: what it is typed into goes to it, its messages straight to
        this view."""
        app = self.app
        yield Header()
        yield Static(id="banner")
        with TableKeys(), PairKeys(), PastKeys():
            yield RowTable(service_columns(app.pair, app.trends, app.is_set_back),
                           key=lambda s: s.key, id="services")
            yield RowTable(server_columns(app.server_health, app.clock, self.selected_service,
                                          app.pair, app.trends, app.is_set_back),
                           key=lambda r: r.key, id="servers")
            yield Static("Heartbeat peers: not read yet", id="peers", markup=False)
            yield RichLog(id="log", markup=False, wrap=True)
        yield Field(placeholder="filter: part of an address, port, scheduler…", id="filter")
        yield Static(id="status")
        yield FittingFooter(first=("help", "quit"))

    def on_mount(self) -> None:
        self.query_one("#services").border_title = "Virtual services"
        self.query_one("#servers").border_title = "Real servers"
        self.query_one("#log").border_title = "Log"
        self.query_one("#filter").display = False
        self.query_one("#services").focus()
        self.app.main_shown()

    # ------------------------------------------------------------ the panes
    def fill_services(self, narrowing: bool = False) -> None:
        """Show the services that match the filter; *narrowing* (the filter only grew) looks
        only at the ones shown now."""
        text, services = self.filter_text, self.app.services
        source = self.query_one("#services", RowTable).items if narrowing else services
        shown = services if not text else [
            s for s in source if text in service_text(s) or text in servers_text(s)]
        self.query_one("#services", RowTable).set_items(shown)
        self.fill_servers()

    def fill_servers(self) -> None:
        table = self.query_one("#servers", RowTable)
        svc = self.selected_service()
        servers = sorted_servers(svc.servers) if svc else []
        if svc and self.filter_text and self.filter_text not in service_text(svc):
            servers = [r for r in servers if self.filter_text in server_text(r)]
        title = f"Real servers of {svc.name}" if svc else "Real servers"
        ha = self.app.session.ha
        if svc and ha.owner(svc):                   # checks, restarts, edited reloads
            kept = ha.kept(svc)
            every_one = svc.servers and all(rs.key in kept for rs in svc.servers)
            title += (" · keepalived keeps live weights" if every_one
                      else " · keepalived resets live changes")
            if any(self.app.is_set_back((svc.key, rs.key)) for rs in svc.servers):
                title += f" ({SET_BACK_MARK}: a restart sets it back)"
        table.border_title = title
        table.set_items(servers)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """This view's keys, like its key groups', only while it is the screen shown."""
        return self is self.app.screen

    def owner_of(self, action: str) -> DOMNode:
        """Where *action* (``weight(1)``) is carried out: the key group, this view or the app."""
        name = f"action_{action.split('(')[0]}"
        return next(node for node in (*self.query(KeyGroup), self, self.app)
                    if hasattr(node, name))

    def selected_service(self) -> VirtualService | None:
        return self.query_one("#services", RowTable).current

    def selected_server(self) -> tuple[VirtualService, RealServer] | None:
        svc = self.selected_service()
        rs = self.query_one("#servers", RowTable).current
        if svc is None or rs is None:
            self.notify("select a real server first", severity="warning")
            return None
        return svc, rs

    def servers_focused(self) -> bool:
        return self.app.focused is self.query_one("#servers")

    @on(RowTable.Highlighted, "#services")
    def service_highlighted(self) -> None:
        with contextlib.suppress(NoMatches):     # a highlight that lands while the app closes
            self.fill_servers()

    @on(RowTable.SortRequested)
    def sort_requested(self, event: RowTable.SortRequested) -> None:
        event.table.sort_by(event.column)

    # ------------------------------------------------------------ other views
    def action_network(self) -> None:
        if self.app.session.network is None:
            self.notify("no network adapter in this session", severity="warning")
            return
        from .network import NetworkScreen
        self.app.push_screen(NetworkScreen(self.app.session, self.app.services))

    def action_heartbeat_screen(self) -> None:
        from .heartbeat import HeartbeatScreen
        self.app.push_screen(HeartbeatScreen(self.app.session))

    def action_connections(self) -> None:
        from .connections import ConnectionsScreen
        self.app.push_screen(ConnectionsScreen(self.app.session, self.app.refresh_every))

    def action_health_detail(self) -> None:
        picked = self.selected_server()
        if picked is not None:
            svc, rs = picked
            self.app.push_screen(HealthDetail(f"{svc.name} → {rs.endpoint}",
                                              self.app.server_health(rs), self.app.health_source()))

    def action_toggle_dry_run(self) -> None:
        session = self.app.session
        session.dry_run = not session.dry_run
        self.app.show_banner()
        self.notify("dry-run on: nothing will be applied" if session.dry_run else "dry-run off")

    def action_refresh(self) -> None:
        self.app.poll()

    # ------------------------------------------------------------ the filter
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value, box.display = "", False
            self.query_one("#services").focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip().lower()

    def watch_filter_text(self, old: str, new: str) -> None:
        """The panes follow the filter at once (the status line's count, each second)."""
        self.fill_services(narrowing=bool(old) and new.startswith(old))

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.query_one("#services").focus()

    # ------------------------------------------------------------ status, banner, log
    def watch_read_at(self) -> None:
        self.show_status()

    def show_status(self) -> None:
        """The read's age and drift first (never cut), the role, the count, the kernel."""
        app = self.app
        info = app.info
        kernel = f"IPVS {info.version} (size={info.conn_table_size})" if info else "IPVS: not read"
        age = f"read {app.clock() - self.read_at:.0f} s ago" if self.read_at else "reading…"
        with contextlib.suppress(NoMatches):
            shown = len(self.query_one("#services", RowTable).items)
            count = (f"{shown}/{plural(len(app.services), 'service')}" if self.filter_text
                     else plural(len(app.services), "service"))
            pair = [app.pair.status()] if app.pair is not None else []
            alarm = ([f"ALARM: {plural(len(app.alarms.now), 'service')} black-holed"]
                     if app.alarms.now else [])
            status = self.query_one("#status", Static)
            width = (status.size.width or app.size.width) - 2       # its padding
            show_text(status, fit([*alarm, age, *pair, app.role, count, kernel,
                                   app.health_source()], width))
            status.set_class(bool(alarm), "alarm")

    def on_resize(self) -> None:
        self.show_status()

    def show_banner(self, parts: list[str]) -> None:
        banner = self.query_one("#banner", Static)
        show_text(banner, " · ".join(parts))
        banner.display = bool(parts)
        banner.set_class(self.app.session.read_only or bool(self.app.alarms.now), "read-only")

    def log_line(self, text: str) -> None:
        with contextlib.suppress(NoMatches):
            self.query_one("#log", RichLog).write(f"{time.strftime('%H:%M:%S')} {text}")

    def show_peers(self, cluster) -> None:
        peers = self.query_one("#peers", Static)
        show_text(peers, peers_text(cluster))
        peers.set_class(bool(cluster and cluster.running and any(
            n.status == "dead" for n in cluster.nodes)), "peer-dead")


def show_text(line: Static, text: str) -> None:
    """*text* on *line*, where it differs from what it shows: an update lays the whole screen
    out again (the banner, unchanged, was updated after every change)."""
    if line.content != text:
        line.update(text)
