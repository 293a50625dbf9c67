"""A planned switchover that makes before it breaks: the director taking over adds the VIP and
announces it while the other still holds it (both hold the same table and, with the sync
daemons, the same connections), and only once traffic arrives there does the HA manager hand
over; its resource scripts find the address already in place. Refused, saying why, unless the
pair agrees, the giver's sync daemon sends (master) to the taker's (backup) and the taker holds
the synced connections; without a reachable peer, the plain hand-over through the HA manager."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .. import actions
from ..ha import HeartbeatError
from ..ipvs.backend import IPVSError
from ..model import ValidationError
from .area import Area
from .results import Result

TRAFFIC_WAIT = 3.0      # seconds the taker's counters are watched for the VIP's traffic
SYNCED_SHARE = 0.9      # of the giver's established connections the taker must hold
IN_FLIGHT = 5           # connections the taker may miss whatever the share: short ones opened
                        # since the sync daemon last sent (they end before it does; a client
                        # making a request every 50 ms keeps a few always in flight)
RECHECK_AFTER = 5.0     # seconds after which a preflight is made again before it runs
ASK_AGAIN_AFTER = 10.0  # seconds: heartbeat ignores a hand-over asked during a resource
                        # transition; asked again when its state shows none under way
PLAIN_GAP = ("the VIP answers nowhere between one director's release and the other's "
             "take-over: seconds of failed requests")


@dataclass
class SwitchPlan:
    """Which way a switchover will go: make-before-break (``early``), or the plain hand-over
    and why; *refused*: neither, and why; *facts*: the preflight, one line each."""

    kind: str
    vip: str | None
    early: bool = False
    why_plain: str = ""
    refused: str = ""
    facts: list[str] = field(default_factory=list)
    made: float = field(default_factory=time.monotonic)   # when the preflight ran
    manager: str = "heartbeat"

    @property
    def way(self) -> str:
        if self.early:
            return "make before break: the peer's VIP first, then heartbeat's hand-over" \
                if self.kind == "standby" else \
                "make before break: the VIP here first, then heartbeat's hand-over"
        return f"plain hand-over through {self.manager} ({self.why_plain}; {PLAIN_GAP})"


class Here:
    """This director as a side of the switchover."""

    def __init__(self, session):
        self.session, self.name = session, session.hostname

    def holds(self, vip: str) -> bool:
        return vip in (self.session.host.held() or ())

    def conns(self, vip: str) -> int:
        return sum(s.stats.conns for s in self.session.backend.services()
                   if not s.is_fwmark and s.address == vip)

    def established(self) -> int:
        return Counter(c.state for c in self.session.backend.connections())["ESTABLISHED"]

    def daemons(self) -> set[str]:
        return {d.state for d in self.session.backend.daemons()}

    def add(self, vip: str) -> list[str]:
        label = self.session.network.add_vip(vip, None, True)
        return [f"added {vip} on {label} of {self.name}, announced by gratuitous ARP"]

    def remove(self, vip: str) -> list[str]:
        self.session.network.remove_vip(vip)
        return [f"removed {vip} from {self.name}"]

    def announce(self, vip: str) -> list[str]:
        self.session.network.announce(vip)
        return [f"announced {vip} from {self.name}"]


class There:
    """The peer director, through its agent; *state*: a read of it already made (the
    preflight's), else each question reads it afresh."""

    def __init__(self, peer, state=None):
        self.peer, self.name, self.known = peer, peer.name, state

    def _state(self):
        return self.known or self.peer.state()

    def holds(self, vip: str) -> bool:
        return vip in (self._state().vips or ())

    def conns(self, vip: str) -> int:
        return sum(s.stats.conns for s in self.peer.services()
                   if not s.is_fwmark and s.address == vip)

    def established(self) -> int:
        return self._state().conns.get("ESTABLISHED", 0)

    def daemons(self) -> set[str]:
        return {d.state for d in self._state().daemons or []}

    def add(self, vip: str) -> list[str]:
        return [f"{self.name}: {line}" for line in self.peer.vip_add(vip)]

    def remove(self, vip: str) -> list[str]:
        return [f"{self.name}: {line}" for line in self.peer.vip_remove(vip)]

    def announce(self, vip: str) -> list[str]:
        return [f"{self.name}: {line}" for line in self.peer.announce(vip)]


SIDE_ERRORS = (IPVSError, ValidationError, OSError)


class TrafficWatch:
    """Both directors' new connections per second to the VIP while a switchover runs (their
    kernels' connection counters), said through *say* at most every *every* seconds: the
    operator sees the traffic move from the giver to the taker."""

    def __init__(self, sides: tuple, vip: str, say: Callable[[str], None] | None,
                 every: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.sides, self.vip, self.say, self.every, self.clock = sides, vip, say, every, clock
        self.last: tuple[float, list[int]] | None = None

    def tick(self, force: bool = False) -> None:
        now = self.clock()
        if self.say is None or (self.last and now - self.last[0] < self.every and not force):
            return
        try:
            counts = [side.conns(self.vip) for side in self.sides]
        except SIDE_ERRORS:
            return
        if self.last is not None and now > self.last[0]:
            seconds = now - self.last[0]
            rates = " · ".join(f"{side.name} {max(0, c - p) / seconds:.0f}"
                               for side, c, p in zip(self.sides, counts, self.last[1]))
            self.say(f"{self.vip} new connections/s: {rates}")
        self.last = (now, counts)


class Switchover(Area):
    """``session.switchover``: standby / takeover, make before break where it can; while one
    runs, *progress* (when set) hears both directors' connection rates to the VIP."""

    progress: Callable[[str], None] | None = None

    def sides(self, kind: str, peer_state=None) -> tuple:
        """(taker, giver) of a *kind* switchover (*peer_state*: the peer as just read); raises
        when the peer cannot be reached."""
        there = There(self.session.pair.connected(), peer_state)
        here = Here(self.session)
        return (there, here) if kind == "standby" else (here, there)

    def plan(self, kind: str, vip: str | None = None) -> SwitchPlan:
        """The preflight: which way the switchover will go, and the facts behind it."""
        vip = vip or next(iter(self.session.ha.vips()), None)
        plan = SwitchPlan(kind, vip)
        plan.manager = getattr(self.session.heartbeat, "name", "heartbeat")
        if plan.manager != "heartbeat":
            plan.why_plain = "make before break is built for heartbeat"
        elif vip is None:
            plan.why_plain = "heartbeat names no VIP"
        elif self.session.network is None:
            plan.why_plain = "no network adapter in this session"
        elif not self.session.pair.attached:
            plan.why_plain = "no peer director named"
        elif (named := self.session.ha.vip_interface(vip)) not in (
                None, self.session.network.interface):
            plan.why_plain = (f"heartbeat moves {vip} on {named}, lvstui's early VIP would go "
                              f"on {self.session.network.interface}")
        elif (unreadable := _unreadable(self.session.backend)) is not None:
            plan.why_plain = f"this director's IPVS table cannot be read: {unreadable}"
        else:
            try:
                self._preflight(plan)
            except SIDE_ERRORS as exc:
                self.session.pair.drop()
                plan.why_plain = f"the peer cannot be reached: {exc}"
        return plan

    def _preflight(self, plan: SwitchPlan) -> None:
        view = self.session.pair_view.read()
        if view.error:
            raise OSError(view.error)
        taker, giver = self.sides(plan.kind, view.state)
        if view.drift:
            plan.refused = (f"{view.name} differs from {self.session.hostname} in "
                            f"{len(view.drift)} place(s): lvstui sync --to {view.name} first "
                            "(the taker would serve another table)")
            return
        plan.facts.append(f"{taker.name} and {giver.name} hold the same table")
        sending, receiving = giver.daemons(), taker.daemons()
        for side, state, running in ((giver, "master", sending), (taker, "backup", receiving)):
            if state not in running:
                plan.refused = (f"{side.name}'s sync daemon does not run as {state}: the "
                                f"connections would not follow the VIP to {taker.name}")
                return
        back = "master" in receiving and "backup" in sending
        plan.facts.append(f"the sync daemons send {giver.name}'s connections to {taker.name}"
                          + ("" if back else f" (not back: a switchover back to {giver.name} "
                                             "would drop them)"))
        giving, held = giver.established(), taker.established()
        if not synced_enough(held, giving):
            plan.refused = (f"{taker.name} holds {held} of {giver.name}'s {giving} established "
                            "connections: the sync daemon has not caught up")
            return
        plan.facts.append(f"{taker.name} holds {held} synced connection(s), {giver.name} "
                          f"{giving} established")
        if not giver.holds(plan.vip):
            plan.refused = f"{giver.name} does not hold the VIP {plan.vip}: nothing to move"
            return
        plan.early = True

    @staticmethod
    def plain(plan: SwitchPlan) -> SwitchPlan:
        """The plain hand-over instead of a refused make-before-break (the operator's choice,
        asked with the refusal's reason)."""
        return SwitchPlan(plan.kind, plan.vip, why_plain=f"make before break refused: "
                                                         f"{plan.refused}", facts=plan.facts,
                          manager=plan.manager)

    def run(self, kind: str, vip: str | None = None, timeout: float = 30.0,
            traffic_wait: float = TRAFFIC_WAIT, plan: SwitchPlan | None = None) -> Result:
        """The switchover *plan* says (made now when not given): make before break, else the
        plain hand-over."""
        if plan is not None and plan.early and time.monotonic() - plan.made > RECHECK_AFTER:
            # asked a while ago (the console's question may stay open): does it still hold?
            now = self.plan(kind, plan.vip)
            if not now.early:
                why = now.refused or now.why_plain
                return self.record(Result([f"switchover ({kind})"], f"not started: since the "
                                          f"question was asked, {why}"))
        plan = plan or self.plan(kind, vip)
        if plan.refused:
            return self.record(Result([f"switchover ({kind})"], f"refused: {plan.refused}"))
        if not plan.early:
            result = self.session.ha.failover(kind, plan.vip, timeout)
            result.detail = f"{result.detail} ({plan.way})".strip()
            return result
        if self.dry_run:
            return self.record(Result([f"switchover ({kind}): {plan.way}"], dry_run=True))
        return self._early(plan, timeout, traffic_wait)

    def _early(self, plan: SwitchPlan, timeout: float, traffic_wait: float) -> Result:
        kind, vip = plan.kind, plan.vip
        taker, giver = self.sides(kind)
        watch = TrafficWatch((giver, taker), vip, self.progress)
        done: list[str] = []
        try:
            before = taker.conns(vip)
            watch.tick()
            done += taker.add(vip)
            arrived = _wait(lambda: watch.tick() or taker.conns(vip) > before, traffic_wait)
            done.append(f"{taker.name} " + ("sees the VIP's new connections" if arrived else
                                           f"saw no new connection within {traffic_wait:g} s"))
        except SIDE_ERRORS as exc:
            return self.record(Result(done, f"the early VIP on {taker.name}: {exc}"))
        try:
            manager = self.session.heartbeat
            (manager.standby if kind == "standby" else manager.takeover)()
        except (HeartbeatError, AttributeError) as exc:
            return self._rollback(taker, giver, vip, done, f"heartbeat refused: {exc}")
        done.append(f"hb_{kind}")
        started = time.monotonic()
        released = _wait(Release(manager, kind, giver, vip, watch, done), timeout)
        watch.tick(force=True)
        if not released:
            return self._rollback(taker, giver, vip, done, f"heartbeat did not hand over "
                                                            f"within {timeout:g} s")
        detail = (f"the VIP {vip} moved to {taker.name} with no gap: {giver.name} let go "
                  f"{time.monotonic() - started:.2f} s after hb_{kind}")
        self.session.journal.act(actions.failover(kind))
        self.record(Result(done + [detail]))
        return Result(done, detail=detail)

    def _rollback(self, taker, giver, vip: str, done: list[str], why: str) -> Result:
        """The HA manager did not move: the early VIP off the taker again, while the giver
        still holds it (never leave two holders, nor none)."""
        try:
            if _holds(giver, vip):
                done += taker.remove(vip)
                done += giver.announce(vip)
                why += f": the early VIP was taken back off {taker.name}; {giver.name} keeps it"
            else:
                why += f": {giver.name} let go of the VIP after all, {taker.name} keeps it"
        except SIDE_ERRORS as exc:
            why += f"; taking the early VIP back failed: {exc} (check both directors)"
        return self.record(Result(done, why))


class Release:
    """The wait for the giver to let go of the VIP (true once it has). Heartbeat drops a
    standby or takeover asked while resources are moving, saying so only in its log; when the
    giver still holds the VIP ASK_AGAIN_AFTER seconds after the last ask and heartbeat here
    shows no transition under way, it is asked again (a request during one is dropped: never
    two hand-overs)."""

    def __init__(self, manager, kind: str, giver, vip: str, watch, done: list[str]):
        self.manager, self.kind, self.giver, self.vip = manager, kind, giver, vip
        self.watch, self.done, self.asked = watch, done, time.monotonic()

    def __call__(self) -> bool:
        self.watch.tick()
        if not _holds(self.giver, self.vip):
            return True
        if time.monotonic() - self.asked < ASK_AGAIN_AFTER:
            return False
        self.asked = time.monotonic()         # heartbeat's state read once an interval, too
        if self._nothing_moving():
            try:
                (self.manager.standby if self.kind == "standby" else self.manager.takeover)()
                self.done.append(f"hb_{self.kind} again: heartbeat had begun no hand-over")
            except HeartbeatError as exc:
                self.done.append(f"hb_{self.kind} again: not asked ({exc})")
        return False

    def _nothing_moving(self) -> bool:
        try:
            state = self.manager.state()
        except (HeartbeatError, OSError):
            return False
        return state.running and state.resources not in ("", "transition")


def synced_enough(held: int, giving: int) -> bool:
    """Whether a taker holding *held* synced connections of the giver's *giving* established
    ones may take over: it misses at most a tenth of them, or only a few in flight."""
    return giving - held <= max(giving - int(giving * SYNCED_SHARE), IN_FLIGHT)


def _unreadable(backend) -> str | None:
    if backend is None:
        return "no table in this session"
    try:
        backend.daemons()
    except (IPVSError, OSError) as exc:
        return str(exc)
    return None


def _holds(side, vip: str) -> bool:
    """Whether *side* holds *vip*; an unreadable side counts as holding it (never conclude a
    release that was not seen)."""
    try:
        return side.holds(vip)
    except SIDE_ERRORS:
        return True


def _wait(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return True
        except SIDE_ERRORS:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
