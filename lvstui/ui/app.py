"""The console: live services, their real servers, and a log of every change.

A shell over the ``Session``: reads happen in a thread worker that re-arms itself with a timer
after each poll, so polls never overlap and never block a keypress (``TableRead``); every
change is a session use case queued to the session's one change thread (``session.changes``:
in the order asked, never two at once), its result shown when it lands (``ChangeDone``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
import time

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches

from ..ipvs.order import sorted_services
from ..model import RealServer, VirtualService
from ..session import Result, Session
from .alarms import BlackHoleWatch
from .confirm import Confirm
from .drains import DrainWatch
from .events import ChangeDone, TableRead, may_change
from .format import director_role
from .health import health_changes, health_source
from .keys import ACTIONS, HELP_TEXTS, KEY_NAMES, bindings
from .main import MainScreen
from .pair import PairIndex
from .pending import Unconfirmed
from .terminal import hang_up, terminal_gone
from .themes import register_themes
from .trends import Trends
from .widgets.rowtable import RowTable

HANG_UP_WAIT = 60.0      # seconds the changes queued before a hang-up may take to finish


class LvsApp(App):
    """The console: the session, its latest read, its use-case queue and the banner; the main
    view (MainScreen) and its key groups show them and act on them."""

    CSS_PATH = "app.tcss"
    TITLE = "lvstui"
    BINDINGS = [*bindings("help"), Binding("q", "quit", "Quit")]
    pair: PairIndex | None = None

    def __init__(self, session: Session, refresh: float = 1.0, theme: str | None = None,
                 host: str | None = None, clock=time.time):
        super().__init__()
        self.session = session
        self.clock = clock                 # ages on screen (read N s ago, up 5m): injectable
        self.refresh_every = refresh
        self.wanted_theme = theme
        self.host = host or socket.gethostname()
        self.health_state = None
        self.set_back: set = set()       # keys a restart of the HA manager would set back
        self.services: list[VirtualService] = []
        self.info = None
        self.role = "role unknown"
        self.drains = DrainWatch(clock)
        self.alarms = BlackHoleWatch()
        self.trends = Trends()
        self.unconfirmed = Unconfirmed(self)
        session.changes.deliver = lambda result: self.post_message(ChangeDone(result))
        if session.pair.opener is not None:
            self.pair = PairIndex(lambda: self.main.selected_service())

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        """The main view (the first screen: the one the table's keys act on); NoMatches
        once the console is closing (the handlers of a late read or result suppress it)."""
        if not self.screen_stack:
            raise NoMatches("the console is closing: no main view")
        return self.screen_stack[0]

    def on_mount(self) -> None:
        register_themes(self)
        if self.wanted_theme:
            self.theme = self.wanted_theme
        self.sub_title = f"{self.host} · {self.session.backend.name}"
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)

    def main_shown(self) -> None:
        """The main view is mounted: the banner, the first read, the timers (the peer's
        reads: its key group, PairKeys)."""
        self.show_banner()
        self.set_interval(1.0, self.main.show_status)
        self.set_interval(1.0, self.unconfirmed.check)
        self.set_interval(2.0, self.check_terminal)
        self.poll()

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
        with contextlib.suppress(NoMatches):     # the app closing meanwhile
            for pane in self.main.query(RowTable):
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
            self.main.log_line(f"error: {read.error}")
            self.notify(read.error, severity="error", timeout=6)
        else:
            self.services, self.info, self.set_back = read.services, read.info, read.set_back
            self.role = director_role(self.services, read.held)
            self.main.show_peers(read.cluster)
            self.note_health(read.health)
            for line in self.drains.check(self.services):
                self.main.log_line(line)
            self.note_alarms()
            self.main.fill_services()
            self.main.read_at = self.clock()

    def note_alarms(self) -> None:
        """A service black-holed (or serving again): logged, audited, the banner redrawn."""
        lines = self.alarms.check(self.services)
        for line in lines:
            self.main.log_line(line)
            self.session.alarm(line)
        if lines:
            self.show_banner()
            if self.alarms.now:
                self.notify(lines[0], severity="error", timeout=12)

    def note_health(self, state) -> None:
        """Keep the health read; log each real server that went down or came back."""
        before, self.health_state = self.health_state, state
        for line in health_changes(before, state, self.services):
            self.main.log_line(line)

    def server_health(self, rs: RealServer):
        """The health of *rs* in the selected service (None: no health read, or none of
        it). Asked by three columns of every row drawn: without a health read it asks the
        panes nothing."""
        if self.health_state is None:
            return None
        svc = self.main.selected_service()
        return self.health_state.servers.get((svc.key, rs.key)) if svc is not None else None

    def is_set_back(self, key) -> bool:
        """Whether a restart of the HA manager would set this entry back (its key: a
        service's, or a (service, real server) pair)."""
        return key in self.set_back

    def health_source(self) -> str:
        return health_source(self.session.health, self.health_state)

    def show_banner(self) -> None:
        """What the operator must not miss, above the panes: a black-holed service first,
        unconfirmed changes, read-only, dry-run, the pair's state."""
        parts = self.alarms.banner()
        if self.session.journal.unconfirmed:
            parts.append(self.unconfirmed.text())
        if self.session.read_only:
            parts.append("READ-ONLY: not root, so the table cannot be changed (run lvstui as root)")
        if self.session.dry_run:
            parts.append("DRY-RUN: changes are shown as ipvsadm commands and not applied (T)")
        if self.pair is not None:
            parts += self.pair.banner(self.session.pair.both)
        self.main.show_banner(parts)

    def pair_scope(self) -> str:
        """`` on this director and PEER`` when a change here also goes to the peer."""
        return self.pair.scope(self.session.pair.both) if self.pair is not None else ""

    def may_change(self) -> bool:
        return may_change(self, self.session)

    # ------------------------------------------------------------ carrying out a use case
    def run_case(self, case, *args, then=None) -> None:
        """A session use case, queued to the change thread; its result comes back as
        ``ChangeDone`` (and to *then*, on that thread)."""
        self.session.changes.submit(case, *args, then=then)

    def show_result(self, result: Result) -> None:
        """The result's commands (or error) in the log pane; errors also notified."""
        outcome = "dry-run" if result.dry_run else "failed" if result.error else "ok"
        for command in result.commands:
            self.main.log_line(f"{command}  [{outcome}]")
        if result.error:
            self.main.log_line(f"error: {result.error}")
            self.notify(result.error, severity="error", timeout=8)
        if result.peer_error:
            self.main.log_line(f"peer: {result.peer_error}")
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
        if result.ask:                                        # asked first, made on yes
            self.push_screen(Confirm(result.ask, result.detail), lambda yes: self.run_case(
                result.confirmed) if yes else result.declined and self.run_case(result.declined))
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
            self.main.fill_services()

    async def action_quit(self) -> None:
        self.unconfirmed.quit()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """``q`` quits only from the main view (elsewhere it goes back)."""
        return self.screen is self.screen_stack[0] if action == "quit" else True

    def live_keys(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every action live on the screen shown now, each once."""
        from .help import live_keys
        main = self.screen is self.screen_stack[0]
        return live_keys(self.screen, HELP_TEXTS if main else getattr(self.screen, "KEY_HELP", {}))

    def action_help(self) -> None:
        from .help import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.live_keys()))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if screen is self.screen_stack[0]:
            for key, action, label, text in ACTIONS:
                yield SystemCommand(f"{label} ({KEY_NAMES.get(key, key)})", text,
                                    lambda action=action: self.run_action(
                                        action, screen.owner_of(action)))

    # ------------------------------------------------------------ a dead terminal
    def hang_up(self) -> None:
        """The terminal is gone: nobody can confirm any more, so unconfirmed changes revert
        (after the changes already queued, on the change thread)."""
        reverted = threading.Event()
        self.run_case(self.session.journal.revert_unconfirmed, True, then=lambda _: reverted.set())
        reverted.wait(HANG_UP_WAIT)
        hang_up(self)

    def check_terminal(self) -> None:
        """A terminal that vanished without a SIGHUP (stdin no longer a terminal)."""
        if not self.is_headless and terminal_gone():
            self.hang_up()
