"""The console: live services, their real servers, and a log of every change.

A shell over the ``Session``: reads happen in a thread worker that re-arms itself with a timer
after each poll, so polls never overlap and never block a keypress (``TableRead``); every
change is a session use case run in a worker, its result shown when it lands (``ChangeDone``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import time

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, Input, RichLog, Static

from ..ipvs.rules import sorted_servers, sorted_services
from ..model import RealServer, VirtualService
from ..session import Result, Session
from .drains import DrainWatch
from .events import ChangeDone, TableRead, may_change
from .format import director_role, peers_text, plural
from .health import HealthDetail, health_changes, health_source
from .history import PastKeys
from .pending import PendingChanges
from .pair import PairConsole, PairIndex
from .keys import ACTIONS, HELP_TEXTS, KEY_NAMES, SHOWN, TABLE_ACTIONS
from .table_keys import TableKeys
from .terminal import hang_up, terminal_gone
from .panes import server_columns, server_text, service_columns, service_text, servers_text
from .themes import register_themes
from .trends import Trends
from .widgets.rowtable import RowTable

class LvsApp(TableKeys, PendingChanges, PairConsole, PastKeys, App):
    CSS_PATH = "app.tcss"
    TITLE = "lvstui"
    BINDINGS = [Binding("question_mark", "help", "Help"), Binding("q", "quit", "Quit")] + [
        Binding(key, action, label, show=key in SHOWN) for key, action, label, _ in ACTIONS
        if key != "question_mark"]                  # ? first: the footer always keeps it

    def __init__(self, session: Session, refresh: float = 1.0, theme: str | None = None,
                 host: str | None = None, clock=time.time):
        super().__init__()
        self.session = session
        self.clock = clock                 # ages on screen (read N s ago, up 5m): injectable
        self.refresh_every = refresh
        self.wanted_theme = theme
        self.host = host or socket.gethostname()
        self.health_state = None
        self.services: list[VirtualService] = []
        self.read_at = 0.0
        self.info = None
        self.filter_text = ""
        self.role = "role unknown"
        self.drains = DrainWatch(clock)
        self.trends = Trends()
        if session.peer_opener is not None:
            self.pair = PairIndex(self.selected_service)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner")
        yield RowTable(service_columns(self.pair, self.trends), key=lambda s: s.key,
                       id="services")
        yield RowTable(server_columns(self.server_health, self.clock, self.selected_service,
                                      self.pair, self.trends), key=lambda r: r.key, id="servers")
        yield Static("Heartbeat peers: not read yet", id="peers", markup=False)
        yield RichLog(id="log", markup=False, wrap=True)
        yield Input(placeholder="filter: part of an address, port, scheduler…", id="filter")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        register_themes(self)
        if self.wanted_theme:
            self.theme = self.wanted_theme
        self.sub_title = f"{self.host} · {self.session.backend.name}"
        self.query_one("#services").border_title = "Virtual services"
        self.query_one("#servers").border_title = "Real servers"
        self.query_one("#log").border_title = "Log"
        self.query_one("#filter").display = False
        self.show_banner()
        self.set_interval(1.0, self.show_status)
        self.set_interval(1.0, self.check_confirm)
        self.set_interval(2.0, self.check_terminal)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)
        self.query_one("#services").focus()
        self.poll()
        self.start_pair()

    # ------------------------------------------------------------ reading
    @work(thread=True, exclusive=True, group="poll")
    def poll(self) -> None:
        snapshot = self.session.read(self.refresh_every)
        self.post_message(TableRead(snapshot))
        if snapshot.services is not None and self.trends.update(snapshot.services, self.clock()):
            with contextlib.suppress(RuntimeError):      # the app closing meanwhile
                self.call_from_thread(self.redraw_trends)

    def redraw_trends(self) -> None:
        """A new point of the sparklines: the panes drawn again (the rows stay)."""
        for pane in self.screen_stack[0].query(RowTable):
            pane.refresh()

    @on(TableRead)
    def show_table(self, event: TableRead) -> None:
        with contextlib.suppress(NoMatches):     # a read that lands while the app closes
            self._show_table(event)
        if self.is_running:
            self.set_timer(self.refresh_every, self.poll)

    def _show_table(self, event: TableRead) -> None:
        read = event.snapshot
        if read.error:
            if read.denied and not self.session.read_only:
                self.session.read_only = True
                self.show_banner()
            self.log_line(f"error: {read.error}")
            self.notify(read.error, severity="error", timeout=6)
        else:
            self.services, self.info = read.services, read.info
            self.read_at = self.clock()
            self.role = director_role(self.services, read.held)
            self.show_peers(read.cluster)
            self.note_health(read.health)
            for line in self.drains.check(self.services):
                self.log_line(line)
            self.fill_services()
            self.show_status()

    def note_health(self, state) -> None:
        """Keep the health read; log each real server that went down or came back."""
        before, self.health_state = self.health_state, state
        for line in health_changes(before, state, {s.key: s.name for s in self.services}):
            self.log_line(line)

    def server_health(self, rs: RealServer):
        svc = self.selected_service()
        if self.health_state is None or svc is None:
            return None
        return self.health_state.servers.get((svc.key, rs.key))

    def health_source(self) -> str:
        return health_source(self.session.health, self.health_state)

    def action_health_detail(self) -> None:
        picked = self.selected_server()
        if picked is None:
            return
        svc, rs = picked
        self.push_screen(HealthDetail(f"{svc.name} → {rs.endpoint}", self.server_health(rs),
                                      self.health_source()))

    def fill_services(self, narrowing: bool = False) -> None:
        """Show the services that match the filter; *narrowing* (the filter only grew) looks
        only at the ones shown now."""
        text = self.filter_text
        source = self.query_one("#services", RowTable).items if narrowing else self.services
        shown = self.services if not text else [
            s for s in source
            if text in service_text(s) or text in servers_text(s)]
        self.query_one("#services", RowTable).set_items(shown)
        self.fill_servers()

    def fill_servers(self) -> None:
        table = self.query_one("#servers", RowTable)
        svc = self.selected_service()
        servers = sorted_servers(svc.servers) if svc else []
        if svc and self.filter_text and self.filter_text not in service_text(svc):
            servers = [r for r in servers if self.filter_text in server_text(r)]
        table.border_title = f"Real servers of {svc.name}" if svc else "Real servers"
        table.set_items(servers)

    def selected_service(self) -> VirtualService | None:
        return self.query_one("#services", RowTable).current

    @on(RowTable.Highlighted, "#services")
    def service_highlighted(self) -> None:
        with contextlib.suppress(NoMatches):     # a highlight that lands while the app closes
            self.fill_servers()

    @on(RowTable.SortRequested)
    def sort_requested(self, event: RowTable.SortRequested) -> None:
        event.table.sort_by(event.column)

    def show_status(self) -> None:
        with contextlib.suppress(NoMatches):
            self._show_status()

    def _show_status(self) -> None:
        info = self.info
        kernel = f"IPVS {info.version} (size={info.conn_table_size})" if info else "IPVS: not read"
        age = f"read {self.clock() - self.read_at:.0f} s ago" if self.read_at else "reading…"
        shown = len(self.query_one("#services", RowTable).items)
        count = f"{shown}/{plural(len(self.services), 'service')}" if self.filter_text else \
            plural(len(self.services), "service")
        pair = f" · {self.pair.status()}" if self.pair is not None else ""
        self.query_one("#status", Static).update(     # the read age and drift first: never cut
            f"{age}{pair} · {self.role} · {count} · {kernel} · {self.health_source()}")

    def show_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        parts = []
        if self.session.unconfirmed:
            parts.append(self.pending_text())
        if self.session.read_only:
            parts.append("READ-ONLY: not root, so the table cannot be changed (run lvstui as root)")
        if self.session.dry_run:
            parts.append("DRY-RUN: changes are shown as ipvsadm commands and not applied (T)")
        parts += self.pair_banner()
        banner.update(" · ".join(parts))
        banner.display = bool(parts)
        banner.set_class(self.session.read_only, "read-only")

    def log_line(self, text: str) -> None:
        with contextlib.suppress(NoMatches):
            self.query_one("#log", RichLog).write(f"{time.strftime('%H:%M:%S')} {text}")

    def action_refresh(self) -> None:
        self.poll()

    # ------------------------------------------------------------ filter
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
        old, self.filter_text = self.filter_text, event.value.strip().lower()
        self.fill_services(narrowing=bool(old) and self.filter_text.startswith(old))

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.query_one("#services").focus()

    # ------------------------------------------------------------ selection helpers
    def selected_server(self) -> tuple[VirtualService, RealServer] | None:
        svc = self.selected_service()
        rs = self.query_one("#servers", RowTable).current
        if svc is None or rs is None:
            self.notify("select a real server first", severity="warning")
            return None
        return svc, rs

    def may_change(self) -> bool:
        return may_change(self, self.session)

    def servers_focused(self) -> bool:
        return self.focused is self.query_one("#servers")

    # ------------------------------------------------------------ carrying out a use case
    @work(thread=True, group="change")
    def run_case(self, case, *args) -> None:
        """A session use case in a worker; its result comes back as ``ChangeDone``."""
        self.post_message(ChangeDone(case(*args)))

    def show_result(self, result: Result) -> None:
        """The result's commands (or error) in the log pane; errors also notified."""
        outcome = "dry-run" if result.dry_run else "failed" if result.error else "ok"
        for command in result.commands:
            self.log_line(f"{command}  [{outcome}]")
        if result.error:
            self.log_line(f"error: {result.error}")
            self.notify(result.error, severity="error", timeout=8)
        if result.peer_error:
            self.log_line(f"peer: {result.peer_error}")
            self.notify(result.peer_error, severity="error", timeout=12)
        if result.warning:
            self.notify(result.warning, severity="warning")

    @on(ChangeDone)
    def change_done(self, event: ChangeDone) -> None:
        with contextlib.suppress(NoMatches):     # a change that lands while the app closes
            self._change_done(event.result)

    def _change_done(self, result: Result | None) -> None:
        if result is None:                                    # nothing was due
            return
        self.show_result(result)
        self.show_banner()
        if result.ok and not result.dry_run:
            self.drains.started(result.ops)
        if any(op.service is None for op in result.ops):     # table-wide: read it all
            self.poll()
        elif result.fresh:
            fresh = result.fresh
            where = {s.key: i for i, s in enumerate(self.services) if s.key in fresh}
            if len(where) == len(fresh) and all(fresh.values()):
                for key, svc in fresh.items():            # same services: swap them in place
                    self.services[where[key]] = svc
            else:
                kept = [s for s in self.services if s.key not in fresh]
                self.services = sorted_services(kept + [s for s in fresh.values() if s])
            self.fill_services()

    def action_toggle_dry_run(self) -> None:
        self.session.dry_run = not self.session.dry_run
        self.show_banner()
        self.notify("dry-run on: nothing will be applied" if self.session.dry_run
                    else "dry-run off")

    # ------------------------------------------------------------ heartbeat
    def show_peers(self, cluster) -> None:
        peers = self.query_one("#peers", Static)
        peers.update(peers_text(cluster))
        peers.set_class(bool(cluster and cluster.running and any(
            n.status == "dead" for n in cluster.nodes)), "peer-dead")

    def action_failover(self, kind: str) -> None:
        if self.session.heartbeat is None or not self.may_change():
            return
        vips = self.session.resource_vips()
        question = ("Hand the resources (VIP) to the peer director (standby)?" if kind == "standby"
                    else "Take the resources (VIP) from the peer director (takeover)?")
        self.ask_failover(kind, question, f"heartbeat's VIPs (haresources): "
                                          f"{', '.join(vips) or 'none found'}")

    # ------------------------------------------------------------ other screens
    def action_network(self) -> None:
        if self.session.network is None:
            self.notify("no network adapter in this session", severity="warning")
            return
        from .network import NetworkScreen
        self.push_screen(NetworkScreen(self.session, self.services))

    def action_heartbeat_screen(self) -> None:
        from .heartbeat import HeartbeatScreen
        self.push_screen(HeartbeatScreen(self.session))

    def action_connections(self) -> None:
        from .connections import ConnectionsScreen
        self.push_screen(ConnectionsScreen(self.session, self.refresh_every))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """The main screen's keys act only while it is the screen shown (and then the footer
        and help list them); ``q`` quits only from there (elsewhere it goes back)."""
        if action in TABLE_ACTIONS or action == "quit":
            return self.screen is self.screen_stack[0]
        return True

    def live_keys(self) -> list[tuple[str, str]]:
        """(key, what it does) for every key live on the screen shown now: the screen's own
        first (in the order of ACTIONS on the main screen), then moving about."""
        order = list(HELP_TEXTS)
        keys = [(key, active.binding) for key, active in self.screen.active_bindings.items()
                if active.enabled and active.binding.action != "help"]
        keys.sort(key=lambda kb: (order.index(kb[1].action) if kb[1].action in order else
                                  len(order) + (kb[1].priority or kb[1].show)))
        return [(key, HELP_TEXTS.get(b.action, b.description)) for key, b in keys]

    def action_help(self) -> None:
        from .help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.live_keys()))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if screen is self.screen_stack[0]:
            for key, action, label, text in ACTIONS:
                yield SystemCommand(f"{label} ({KEY_NAMES.get(key, key)})", text,
                                    lambda action=action: self.run_action(action))

    # ------------------------------------------------------------ a dead terminal
    def hang_up(self) -> None:
        """The terminal is gone: nobody can confirm any more, so unconfirmed changes revert."""
        self.session.revert_unconfirmed(now=True)
        hang_up(self)

    def check_terminal(self) -> None:
        """A terminal that vanished without a SIGHUP (stdin no longer a terminal)."""
        if not self.is_headless and terminal_gone():
            self.hang_up()
