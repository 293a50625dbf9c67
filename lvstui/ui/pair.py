"""The pair in the console: the peer director read in its own worker (a slow or dead peer
never slows the local view), its weights and connections beside this director's, drift marks,
"this director only", and the pair screen (the pair's keys on the main screen: pair_keys)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from .widgets.footer import FittingFooter
from ..model import SyncDaemon, Timeouts, ValidationError, parse_int
from ..session import PairFacts, PeerView, Session
from .confirm import Confirm
from .format import plural
from .forms import Prompt

PEER_RETRY = 5.0          # seconds between attempts while the peer cannot be read


class PairIndex:
    """The peer's last read, indexed for the panes' columns (*selected* gives the service
    whose real servers are shown)."""

    def __init__(self, selected):
        self.selected = selected
        self.view: PeerView | None = None
        self.services: dict = {}
        self.failed = 0           # reads failed in a row (the console keeps trying)

    def update(self, view: PeerView) -> None:
        self.view = view
        self.services = {s.key: s for s in view.services or []}
        self.failed = self.failed + 1 if view.error else 0

    @property
    def known(self) -> bool:
        return self.view is not None and self.view.error is None

    def service_drifts(self, svc) -> bool:
        return self.known and svc.key in self.view.differing[0]

    def server_drifts(self, rs) -> bool:
        svc = self.selected()
        return self.known and svc is not None and (svc.key, rs.key) in self.view.differing[1]

    def _server(self, rs):
        svc = self.selected()
        there = self.services.get(svc.key) if svc is not None and self.known else None
        return there.server(*rs.key) if there is not None else None

    def server_value(self, rs, value) -> int:
        """*value* of the peer's entry for this real server; -1 when the peer has none."""
        there = self._server(rs)
        return -1 if there is None else value(there)

    def service_value(self, svc, value) -> int:
        there = self.services.get(svc.key) if self.known else None
        return -1 if there is None else value(there)

    @staticmethod
    def shown(number: int) -> str:
        """A column's text: ``—`` where the peer has no such entry."""
        return "—" if number < 0 else str(number)

    @property
    def name(self) -> str:
        return self.view.name if self.view else "the peer"

    def banner(self, both: bool) -> list[str]:
        """What the banner says of the pair: changes kept here, or a read-only peer."""
        if not both:
            return [f"THIS DIRECTOR ONLY: changes do not reach {self.name} (b: both)"]
        if self.known and not self.view.writable:
            return [f"PEER READ-ONLY: {self.name}'s agent is not root; changes stay here"]
        return []

    def scope(self, both: bool) -> str:
        """`` on both directors`` when a change here also goes to the peer (for questions)."""
        return f" on this director and {self.name}" if both else ""

    def status(self) -> str:
        view = self.view
        if view is None:
            return "peer: connecting…"
        if view.error:
            return (f"peer {view.name}: {view.error}; retrying every {PEER_RETRY:g} s"
                    + (f" ({self.failed} tries)" if self.failed > 1 else ""))
        return (f"peer {view.name}: " + (plural(len(view.drift), "difference") if view.drift
                                         else "equal")
                + ("" if view.writable else " (read-only)"))


@dataclass
class PairRead(Message, bubble=False):
    """Both directors side by side (None: no peer)."""

    facts: PairFacts | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PairRead)


class PairScreen(Screen):
    """Both directors side by side; make either equal to the other (previewed, asked)."""

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("greater_than_sign", "make_equal('peer')", "Peer = here"),
                ("less_than_sign", "make_equal('here')", "Here = peer"),
                ("t", "timeouts", "Timeouts"), ("m", "sync_start", "Sync on"),
                ("x", "sync_stop", "Sync off"), ("r", "reload", "Refresh")]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.facts: PairFacts | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("reading both directors…", id="pair-facts", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#pair-facts").border_title = "The pair"
        self.action_reload()

    @work(thread=True, exclusive=True, group="pair")
    def action_reload(self) -> None:
        self.post_message(PairRead(self.session.pair_view.facts()))

    @on(PairRead)
    def show(self, event: PairRead) -> None:
        self.facts = event.facts
        self.query_one("#pair-facts", Static).update(facts_text(self.session.hostname,
                                                                event.facts))

    def action_make_equal(self, which: str) -> None:
        facts = self.facts
        if facts is None or facts.peer.error:
            self.notify("the peer is not read: nothing to compare", severity="warning")
            return
        ops = facts.to_peer if which == "peer" else facts.from_peer
        name, here = facts.peer.name, self.session.hostname
        if not ops:
            self.notify(f"{name} and {here} already agree")
            return
        target, source = (name, here) if which == "peer" else (here, name)
        case = self.session.pair.sync if which == "peer" else self.session.pair.pull
        self.app.push_screen(
            Confirm(f"Make {target} equal to {source}: {plural(len(ops), 'change')} on {target}?",
                    "\n".join(op.command() for op in ops)),
            lambda yes: yes and self.run_sync(case))

    def run_sync(self, case, *args) -> None:
        """A change of both directors, on the console's change thread; then the pair is read
        again."""
        self.app.run_case(case, *args,
                          then=lambda _: self.app.call_from_thread(self.action_reload))

    def action_timeouts(self) -> None:
        """tcp, tcpfin and udp timeouts on both directors (0 keeps one as it is)."""
        now = self.facts.timeouts if self.facts else None
        self.app.push_screen(
            Prompt("Timeouts on both directors: TCP TCPFIN UDP (seconds; 0 keeps one)",
                   _timeouts(now) if now else "", parse_timeouts, "900 120 300"),
            lambda wanted: wanted is not None and self.run_sync(self.session.pair_view.set_timeouts,
                                                                wanted))

    def action_sync_start(self) -> None:
        """Connection sync: master here, backup on the peer, on the interface asked for."""
        peer = self.facts.peer.name if self.facts else "the peer"
        self.app.push_screen(
            Prompt(f"Sync daemons: master on {self.session.hostname}, backup on {peer}; "
                   "multicast interface", "eth0", parse_interface),
            lambda interface: interface and self.run_sync(self.session.pair_view.sync_start,
                                                          interface))

    def action_sync_stop(self) -> None:
        peer = self.facts.peer.name if self.facts else "the peer"
        self.app.push_screen(
            Confirm(f"Stop the connection sync daemons on {self.session.hostname} and {peer}?",
                    "After a failover, established connections will drop."),
            lambda yes: yes and self.run_sync(self.session.pair_view.sync_stop))


def facts_text(here: str, facts: PairFacts | None) -> str:
    """The pair screen's text: the facts here and there, then the differences as commands."""
    if facts is None:
        return "no peer director in this session (--peer HOST)"
    view = facts.peer
    if view.error:
        return f"{view.name}: {view.error}"
    state = view.state
    rows = [("", here, view.name),
            ("sync daemons", _daemons(facts.daemons), _daemons(state.daemons)),
            ("timeouts tcp/tcpfin/udp", _timeouts(facts.timeouts), _timeouts(state.timeouts)),
            ("connections", _count(facts.connections), _count(state.connections)),
            ("services", str(facts.services), str(len(view.services or []))),
            ("heartbeat resources", _resources(facts.heartbeat), _resources(state.heartbeat)),
            ("health", _health(facts.health), _health(state.health))]
    width = max(len(r[1]) for r in rows) + 2
    lines = [f"{label:<24}{a:<{width}}{b}" for label, a, b in rows]
    lines += ["", f"To make {view.name} equal to {here} (>):"]
    lines += [f"  {op.command()}" for op in facts.to_peer] or ["  nothing: they agree"]
    lines += ["", f"To make {here} equal to {view.name} (<):"]
    lines += [f"  {op.command()}" for op in facts.from_peer] or ["  nothing: they agree"]
    return "\n".join(lines)


def _daemons(daemons) -> str:
    """Each sync daemon in ipvsadm's words (-L --daemon), shortened."""
    if daemons is None:
        return "not readable"
    return "; ".join(f"{d.state} {d.interface} syncid {d.sync_id} maxlen {d.max_len} "
                     f"{d.group}:{d.port} ttl {d.ttl}" for d in daemons) or "none"


def _timeouts(t) -> str:
    return f"{t.tcp}/{t.tcpfin}/{t.udp}" if t is not None else "not readable"


def _count(n) -> str:
    return "not readable" if n is None else str(n)


def _resources(hb) -> str:
    if not hb:
        return "not watched"
    return hb["resources"] or "—" if hb["running"] else "heartbeat not running"


def parse_timeouts(text: str) -> Timeouts:
    words = text.split()
    if len(words) != 3:
        raise ValidationError("three numbers: TCP TCPFIN UDP (seconds; 0 keeps one as it is)")
    return Timeouts(*(parse_int(f"{name} timeout", word, 0, 2**31 - 1)
                      for name, word in zip(("tcp", "tcpfin", "udp"), words)))


def parse_interface(text: str) -> str:
    SyncDaemon("master", text.strip()).validate()
    return text.strip()


def _health(h) -> str:
    if not h:
        return "none published"
    return f"{h['source']}: {h['down']} of {h['servers']} down"
