"""The pair: the other director reached through its lvstui agent. A change made here is made
there too (in order, on one thread of its own when the console asks for it); a failure there
leaves it made here and says how to retry."""

from __future__ import annotations

import queue
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from .. import actions
from ..ipvs.backend import IPVSError
from ..ipvs.operations import Kind, Operation, diff
from ..model import ValidationError
from .area import Area
from .results import Change, PeerOps, Result

if TYPE_CHECKING:
    from ..peer import Peer

PEER_ERRORS = (IPVSError, ValidationError)


class Pair(Area):
    """The peer's link (``opener`` makes it; None: no peer), its name, ``both`` (changes go
    to both directors) and ``later`` (the console's ear for the peer's parts, which then run
    after the change here, in order)."""

    def __init__(self, session, opener: Callable[[], Peer] | None = None):
        super().__init__(session)
        self.opener, self.link = opener, None
        self.name = ""
        self.both = True
        self.later: Callable[[Result], None] | None = None
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def attached(self) -> bool:
        return self.opener is not None

    def set_both(self, both: bool) -> None:
        """Changes from now on go to both directors, or to this one only."""
        self.both = both

    def connected(self) -> Peer:
        """The connected peer (connecting when needed); PeerError when there is none."""
        with self._lock:
            if self.link is None or not self.link.alive:
                self.drop()
                self.link = self.opener()
                self.name = self.link.name
            return self.link

    def drop(self) -> None:
        """The link closed (the next request connects again)."""
        if self.link is not None:
            self.link.close()
            self.link = None

    def close(self) -> None:
        """The session ends: the peer's pending parts finish, then the link closes."""
        from ..peer.link import REQUEST_TIMEOUT
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=REQUEST_TIMEOUT)
            self._thread = None
        self.drop()

    # ------------------------------------------------------------ a change, there too
    def send(self, result: Result, peer_ops: PeerOps, note: str, change: Change) -> None:
        """The peer's part of *change* (made here as *result*): now, or queued when the
        console listens (``later``)."""
        if self.later is None:
            self.make_there(result, peer_ops, note)
            change.peer = result.peer_ops or []
            return
        change.peer = None                                 # on its way
        result.detail = f"on its way to {self.name or 'the peer'}"
        if self._thread is None:
            self._thread = threading.Thread(target=self._worker, daemon=True,
                                            name="lvstui-peer-changes")
            self._thread.start()
        self._jobs.put((Result(ops=result.ops, dry_run=result.dry_run), peer_ops, note, change))

    def _worker(self) -> None:
        """The peer's part of each change, in the order they were made here."""
        while True:
            job = self._jobs.get()
            if job is None:
                return
            result, peer_ops, note, change = job
            self.make_there(result, peer_ops, note)
            change.peer = result.peer_ops or []
            self.later(Result(result.commands, dry_run=result.dry_run,
                              peer_ops=result.peer_ops, peer_error=result.peer_error))

    def make_there(self, result: Result, peer_ops: PeerOps, note: str) -> None:
        """The change made here, made on the peer (audited here and there); a failure there
        leaves it made here, with the reason in ``peer_error``."""
        from ..peer.mirror import mirrored
        name = self.name or "the peer"
        ops = None if callable(peer_ops) else peer_ops
        if ops == []:
            return
        try:
            if callable(peer_ops):               # built when the peer's turn comes
                ops = peer_ops()
                if ops == []:
                    return
            peer = self.connected()
            name = peer.name
            if ops is None:
                ops = mirrored(result.ops, peer)
            if not self.dry_run:
                peer.apply(ops)
        except PEER_ERRORS as exc:
            reason = str(exc) if str(exc).startswith(name) else f"{name}: {exc}"
            result.peer_error = (f"{reason}; made on this director only (Ctrl+R: retry on {name}, "
                                 "u: take it back here)")
            for op in ops or result.ops:
                self.session.audit.record(f"{op.command()}{note}  # on {name}",
                                          f"failed: {reason}")
            return
        result.peer_ops = ops
        commands = [f"{op.command()}{note}  # on {name}" for op in ops]
        result.commands += commands
        self.record(Result(commands, dry_run=self.dry_run))

    def weight_ops(self, svc, rs, weight_of) -> list:
        """A weight changed on the peer's own entry (*weight_of* its weight there): the
        peer's part when each director's weight moves by itself ([] when it stays)."""
        live = self.connected().find_server(svc, *rs.key)
        weight = weight_of(live.weight)
        return [] if weight == live.weight else [
            Operation(Kind.EDIT_SERVER, svc, replace(live, weight=weight), before=live)]

    def retry(self) -> Result:
        """Make on the peer the last change that reached only this director."""
        last = self.session.journal.last
        if isinstance(last, actions.Action):
            return Result(error=f"the last action ({last.what}) is this director's own: "
                                "nothing to retry on the peer")
        if last is not None and last.peer is None:
            return Result(error="the last change is still on its way to the peer")
        if not last or last.peer:
            return Result(error="the last change is on both directors: nothing to retry")
        result = Result(ops=list(last))
        self.make_there(result, None, "  # retry")
        if result.peer_error is None:
            last.peer = result.peer_ops
        return replace(result, error=result.peer_error)

    # ------------------------------------------------------------ the two made equal
    def sync(self) -> Result:
        """Make the peer equal to this director (only the differences; the agent rolls back
        its applied steps on a failure); undo takes it back there."""
        from ..peer.mirror import drift
        me = self.session.hostname
        try:
            peer = self.connected()
            ops = drift(self.session.backend.services(), peer.table(), self.session.quiesced(),
                        peer.state().quiesced)
        except PEER_ERRORS as exc:
            return self.record(Result([f"make {self.name or 'the peer'} equal to {me}"],
                                      str(exc)))
        commands = [f"{op.command()}  # on {peer.name}" for op in ops]
        if self.dry_run or not ops:
            return Result(commands or [f"# {peer.name} already equals {me}"],
                          dry_run=self.dry_run, peer_ops=ops)
        try:
            peer.apply(ops)
        except PEER_ERRORS as exc:
            return self.record(Result(commands, str(exc)))
        self.session.journal.remember(Change([], ops))
        return self.record(Result(commands, peer_ops=ops))

    def pull(self) -> Result:
        """Make this director equal to the peer (the reverse of ``sync``), here only."""
        try:
            there = self.connected().table()
        except PEER_ERRORS as exc:
            return Result(error=str(exc))
        return self.session.table.change(lambda: diff(self.session.backend.services(), there),
                                         peer_ops=[], note=f"  # from {self.name}")
