"""The pair's keys on the main screen (a key group): the peer director read in its own worker
(a slow or dead peer never slows the local view), both/here, retry on the peer, the pair
screen, and the failover keys with their preflight."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from textual import on, work
from textual.css.query import NoMatches
from textual.message import Message

from ..cases.ha import FOLLOW_TIMEOUT
from ..cases.switchover import TRAFFIC_WAIT
from ..session import PeerView
from .confirm import Confirm
from .events import ChangeDone
from .format import plural
from .keygroup import KeyGroup
from .keys import bindings
from .pair import PEER_RETRY, PairScreen

PEER_SHARE = 5            # a peer read taking d seconds is made again after 5 d at the soonest
                          # (a large table's pair view costs the console at most ~1/5 of a core)
PEER_LONGEST = 15.0       # ... and at the latest after this many seconds
NO_PEER = "no peer director in this session (--peer HOST)"


@dataclass
class PeerRead(Message, bubble=False):
    """One read of the peer."""

    view: PeerView

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PeerRead)


class PairKeys(KeyGroup):
    BINDINGS = bindings("failover", "toggle_both", "retry_peer", "pair_screen")

    peer_timer = None

    def on_mount(self) -> None:
        """The peer's first read; each change's part on the peer lands after its part here
        (a slow or dead peer never holds the local view)."""
        if self.session.pair.opener is not None:
            self.session.pair.later = lambda result: self.app.post_message(ChangeDone(result))
            self.poll_peer()

    @work(thread=True, exclusive=True, group="peer")
    def poll_peer(self) -> None:
        here = list(self.console.services) or None    # None: not read here yet (read it now)
        self.post_message(PeerRead(self.session.pair_view.read(here)))

    @on(PeerRead)
    def peer_read(self, event: PeerRead) -> None:
        pair = self.console.pair
        before, view = pair.view, event.view
        pair.update(view)
        with contextlib.suppress(NoMatches):     # a read that lands while the app closes
            if view.error and (before is None or before.error != view.error):
                self.main.log_line(f"peer: {view.error}")
            elif not view.error and (before is None or before.error):
                self.main.log_line(f"peer {view.name} connected: " + (
                    plural(len(view.drift), "difference") if view.drift else "equal"))
            self.main.query_one("#services").refresh()
            self.main.query_one("#servers").refresh()
            self.main.show_status()
            self.console.show_banner()
        if self.app.is_running:
            if self.peer_timer is not None:
                self.peer_timer.stop()
            wait = PEER_RETRY if view.error else min(
                max(self.console.refresh_every, PEER_SHARE * view.took), PEER_LONGEST)
            self.peer_timer = self.set_timer(wait, self.poll_peer)

    def action_toggle_both(self) -> None:
        if self.console.pair is None:
            self.notify(NO_PEER, severity="warning")
            return
        self.session.pair.set_both(not self.session.pair.both)
        self.console.show_banner()
        self.main.log_line("changes go to both directors" if self.session.pair.both
                           else "changes go to this director only")

    def action_retry_peer(self) -> None:
        if self.console.pair is not None and self.may_change():
            self.run_case(self.session.pair.retry)

    def action_pair_screen(self) -> None:
        if self.console.pair is None:
            self.notify(NO_PEER, severity="warning")
            return
        self.app.push_screen(PairScreen(self.session))

    # ------------------------------------------------------------ failover
    def action_failover(self, kind: str) -> None:
        """The confirmation, after the preflight: which way the switchover will go (make
        before break, or the HA manager's plain hand-over and why) and the pair's facts."""
        if self.session.heartbeat is None or not self.may_change():
            return
        question = ("Hand the resources (VIP) to the peer director (standby)?" if kind == "standby"
                    else "Take the resources (VIP) from the peer director (takeover)?")
        self.preflight(kind, question, self.session.ha.vips_said())

    @work(thread=True, group="preflight")
    def preflight(self, kind: str, question: str, vips: str) -> None:
        plan = self.session.switchover.plan(kind)
        facts = self.session.pair_view.preflight(kind) if self.console.pair is not None else []
        if plan.refused:
            way = [f"Make before break refused: {plan.refused}.",
                   f"Yes: {plan.manager}'s plain hand-over (seconds of failed requests)."]
            plan = self.session.switchover.plain(plan)
        else:
            way = [f"Way: {plan.way}", *plan.facts]
        details = [vips, "", *way] + (["", "Preflight:", *facts] if facts else [])
        self.app.call_from_thread(self.confirm_failover, kind, question, "\n".join(details), plan)

    def confirm_failover(self, kind: str, question: str, details: str, plan) -> None:
        self.session.switchover.progress = self.switchover_progress
        self.app.push_screen(Confirm(question, details), lambda yes: yes and self.run_case(
            self.session.switchover.run, kind, plan.vip, FOLLOW_TIMEOUT, TRAFFIC_WAIT, plan))

    def switchover_progress(self, line: str) -> None:
        """Both directors' connection rates to the VIP while a switchover runs (the change
        thread says them): into the log, each second."""
        self.app.call_from_thread(self.main.log_line, f"switchover: {line}")
