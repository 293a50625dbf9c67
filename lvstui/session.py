"""The use cases, free of any UI: the one place where a change is made, checked, applied to the
table, read back and recorded. The console and the CLI both call a ``Session``, so a change
made from either is worded, audited and undone the same way.

Every method returns a ``Result`` (what was done, as ipvsadm / ip / sysctl / heartbeat
commands, and the error if any) instead of raising: the caller only shows it.
"""

from __future__ import annotations

import difflib
from collections import Counter
import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterator

from .audit import AuditLog
from .ipvs.backend import (Backend, IPVSError, NoSuchServer, NoSuchService, NotPermitted)
from .ipvs.listing import listing_parts, needs_counters
from .ipvs.rules import (Kind, Operation, apply, diff, diff_by_lines, parse_rules, save,
                         sorted_services)
from .model import (Info, RealServer, SyncDaemon, Timeouts, ValidationError, VirtualService,
                    edited)
from .history import DEFAULT_DB as HISTORY_DB
from .system import SettingError

if TYPE_CHECKING:
    from .ha.config import HaConfig
    from .peer import Peer, PeerState
# Heartbeat, the history and the peer are imported where they are used: a command that
# only lists the table starts without them.

SECRET = re.compile(r"^(\s*\d+\s+(?:sha1|md5)\s+)(\S+)", re.MULTILINE)
FOLLOW_TIMEOUT = 30.0
RULES_PATH = "/etc/ipvsadm.rules"      # what Debian's ipvsadm package loads at boot
LINE_DIFF_FROM = 1000                  # lines: a larger rules file is compared line by line
KERNEL_ERRORS = (IPVSError, ValidationError)


@dataclass
class Result:
    """What a use case did: its commands, the error that stopped it, whether it was only
    shown (dry-run), and the services it touched as the table holds them now (None: gone)."""

    commands: list[str] = field(default_factory=list)
    error: str | None = None
    dry_run: bool = False
    ops: list[Operation] = field(default_factory=list)
    fresh: dict = field(default_factory=dict)
    detail: str = ""                  # a sentence for the operator (how long a failover took)
    warning: str | None = None        # the audit log could not be written
    peer_ops: list[Operation] | None = None   # what the peer did with it (None: not sent)
    peer_error: str | None = None     # made here, but not on the peer: why

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Snapshot:
    """One read: the table, which of its VIPs this host holds, heartbeat, health."""

    services: list[VirtualService] | None
    info: Info | None
    error: str | None = None
    denied: bool = False
    held: set | None = None
    cluster: object = None
    health: object = None


@dataclass
class PastTable:
    """The table at a moment of the record, its traffic then (when sampled), and the
    operations that bring it back from now."""

    t: float
    services: list[VirtualService]
    ops: list[Operation]
    sampled: bool


@dataclass
class NetworkView:
    """This host's addresses (address -> label), a DR profile's settings as they stand, and
    the live connections per VIP."""

    vips: dict = field(default_factory=dict)
    states: list = field(default_factory=list)
    conns: Counter = field(default_factory=Counter)
    error: str | None = None


@dataclass
class Proposal:
    """A heartbeat-file edit checked on a fresh read: the files it changes and their diff
    (secrets masked), or why it is refused."""

    what: str
    files: list = field(default_factory=list)
    diff: str = ""
    refused: str | None = None


@dataclass
class PeerView:
    """One read of the peer: its table, its surroundings, and the drift: the operations that
    would make it equal to this director (empty: the two agree)."""

    name: str
    services: list[VirtualService] | None = None
    state: PeerState | None = None
    drift: list[Operation] = field(default_factory=list)
    error: str | None = None
    writable: bool = False
    differing: tuple[set, set] = (set(), set())  # service keys, (service, server) keys
    took: float = 0.0                 # seconds the read took (connecting aside)


@dataclass
class PairFacts:
    """Both directors side by side: sync daemons, timeouts, connections (here / there), and
    the commands that would make either equal to the other."""

    peer: PeerView
    daemons: list[SyncDaemon] | None = None
    timeouts: Timeouts | None = None
    connections: int | None = None
    services: int = 0
    heartbeat: dict | None = None
    health: dict | None = None
    to_peer: list[Operation] = field(default_factory=list)
    from_peer: list[Operation] = field(default_factory=list)


PeerOps = list | Callable[[], list] | None


class Change(list):
    """The operations of one change here, and (``peer``) those it made on the peer."""

    def __init__(self, ops: list[Operation], peer: list[Operation] | None = None):
        super().__init__(ops)
        self.peer: list[Operation] | None = peer or []     # None: still on its way


def _inverse(ops: list[Operation]) -> list[Operation]:
    """The operations that take *ops* back, the last one first."""
    return [inv for op in reversed(ops) for inv in op.inverse()]


def masked(text: str) -> str:
    """authkeys with its secrets as ********."""
    return SECRET.sub(lambda m: m[1] + "********", text)


class Session:
    """The backend(s), network, heartbeat, health source and audit log of one console or CLI
    run; its dry-run and read-only state, its undo stack and drain memory."""

    def __init__(self, backend: Backend, *, network=None, heartbeat=None, health=None,
                 audit: AuditLog | None = None, dry_run: bool = False, read_only: bool = False,
                 ha_dir: str = "/etc/ha.d", hostname: str | None = None, traffic=None,
                 rules_path: str = RULES_PATH, confirm_within: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 peer_opener: Callable[[], Peer] | None = None,
                 history_path: str = HISTORY_DB):
        self.backend, self.network, self.heartbeat = backend, network, heartbeat
        self.health, self.traffic = health, traffic
        self.audit = audit or AuditLog()
        self.dry_run, self.read_only = dry_run, read_only
        self.ha_dir = ha_dir
        self.rules_path = rules_path                # the last rules file saved or loaded
        self.hostname = hostname or os.uname().nodename
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []
        self.drained: dict[tuple, int] = {}        # (service key, server key) -> weight before
        self.confirm_within, self.clock = confirm_within, clock
        self.unconfirmed: list[Change] = []     # commit confirmed: to revert unless
        self.revert_at = 0.0                             # confirmed by then (clock time)
        self.peer_opener, self.peer = peer_opener, None  # the other director (lvstui agent)
        self.peer_later: Callable[[Result], None] | None = None   # hears the peer's parts
        self._peer_jobs: queue.Queue = queue.Queue()
        self._peer_thread: threading.Thread | None = None
        self._peer_lock = threading.Lock()
        self.peer_name = ""
        self.both = True                # changes go to the peer too (False: this director only)
        self.history_path, self.recording = history_path, None

    # ------------------------------------------------------------ state
    def why_not(self) -> str | None:
        """Why nothing may change in this session, or None."""
        if self.read_only:
            return ("read-only: lvstui is not running as root, so it cannot change the IPVS "
                    "table")
        return None

    def read(self, elapsed: float = 0.0) -> Snapshot:
        """The table and what surrounds it (the demo's traffic moves on by *elapsed*)."""
        try:
            if self.traffic is not None:
                self.traffic.tick(elapsed)
            services = sorted_services(self.backend.services())
            held = self._held_vips()
            cluster = self.heartbeat.state() if self.heartbeat is not None else None
            health = self.health.read() if self.health is not None else None
            return Snapshot(services, self.backend.info(), held=held, cluster=cluster,
                            health=health)
        except NotPermitted as exc:
            return Snapshot(None, None, str(exc), denied=True)
        except (IPVSError, OSError) as exc:
            return Snapshot(None, None, str(exc))

    def rules_text(self) -> str:
        """The table as ``ipvsadm -Sn`` writes it."""
        return save(self.backend.services_without_counters())

    def listing(self, mode: str | None = None, exact: bool = False,
                service: VirtualService | None = None) -> Iterator[str]:
        """The table as ``ipvsadm -Ln`` prints it (mode: one of listing.MODES), a service at a
        time as it is read; *service* alone as ``ipvsadm -Ln -t VIP:PORT`` does (NoSuchService
        at once when it is not there)."""
        if service is not None:
            return listing_parts([self.backend.find_service(service)], None, mode, exact)
        info = self.backend.info()
        services = self.backend.each_service(sorted_services, counters=needs_counters(mode))
        return listing_parts(services, info, mode, exact)

    def set_timeouts(self, wanted: Timeouts) -> Result:
        """``ipvsadm --set``: a 0 keeps that timeout as it is."""
        command = f"ipvsadm --set {wanted.tcp} {wanted.tcpfin} {wanted.udp}"
        return self._made([command], lambda: self.backend.set_timeouts(wanted), KERNEL_ERRORS)

    def start_daemon(self, daemon: SyncDaemon) -> Result:
        command = (f"ipvsadm --start-daemon {daemon.state} --mcast-interface {daemon.interface} "
                   f"--syncid {daemon.sync_id} --sync-maxlen {daemon.max_len} --mcast-group "
                   f"{daemon.group} --mcast-port {daemon.port} --mcast-ttl {daemon.ttl}")
        return self._made([command], lambda: self.backend.start_daemon(daemon), KERNEL_ERRORS)

    def stop_daemon(self, state: str) -> Result:
        return self._made([f"ipvsadm --stop-daemon {state}"],
                          lambda: self.backend.stop_daemon(state), KERNEL_ERRORS)

    def connections(self) -> list:
        """The kernel's connection table (``ipvsadm -Lc``); IPVSError or OSError."""
        return self.backend.connections()

    # ------------------------------------------------------------ the table
    def change(self, make_ops: Callable[[], list[Operation]], undoable: bool = True,
               note: str = "", peer_ops: PeerOps = None) -> Result:
        """Build the operations (on the kernel's entries now), apply them all or none, audit
        each, read back the services they touched, remember them for undo. With a peer
        attached (and ``both``) the same change is made there too: *peer_ops* when given
        (undo, redo: a list, or a function giving it when the peer's turn comes), else the
        operations built again on the peer's own entries. With ``peer_later`` set (the
        console), the peer's part runs after, in order, on the session's own thread."""
        ops: list[Operation] = []
        error = None
        try:
            ops = make_ops()
            if not self.dry_run:
                apply(self.backend, ops)
        except (IPVSError, ValidationError) as exc:
            error = str(exc)
        only_here = self.peer_opener is not None and (
            peer_ops == [] or (peer_ops is None and not self.both))
        local_note = note + ("  # this director only" if only_here and ops else "")
        result = Result([op.command() + local_note for op in ops], error, self.dry_run, ops,
                        self._fresh(ops))
        self._record(result)
        change = Change(ops)
        if (ops or peer_ops) and error is None and not only_here and self.peer_opener:
            self._send_to_peer(result, peer_ops, note, change)
        if ops and error is None and not self.dry_run and undoable:
            self.remember(change)
        return result

    def _send_to_peer(self, result: Result, peer_ops: PeerOps, note: str,
                      change: Change) -> None:
        if self.peer_later is None:
            self._to_peer(result, peer_ops, note)
            change.peer = result.peer_ops or []
            return
        change.peer = None                                 # on its way
        result.detail = f"on its way to {self.peer_name or 'the peer'}"
        if self._peer_thread is None:
            self._peer_thread = threading.Thread(target=self._peer_worker, daemon=True,
                                                 name="lvstui-peer-changes")
            self._peer_thread.start()
        self._peer_jobs.put((Result(ops=result.ops, dry_run=result.dry_run), peer_ops, note,
                             change))

    def _peer_worker(self) -> None:
        """The peer's part of each change, in the order they were made here."""
        while True:
            job = self._peer_jobs.get()
            if job is None:
                return
            result, peer_ops, note, change = job
            self._to_peer(result, peer_ops, note)
            change.peer = result.peer_ops or []
            self.peer_later(Result(result.commands, dry_run=result.dry_run,
                                   peer_ops=result.peer_ops, peer_error=result.peer_error))

    def _to_peer(self, result: Result, peer_ops: PeerOps, note: str) -> None:
        """The change made here, made on the peer (audited here and there); a failure there
        leaves it made here, with the reason in ``peer_error``."""
        from .peer.mirror import mirrored
        name = self.peer_name or "the peer"
        ops = peer_ops() if callable(peer_ops) else peer_ops
        if ops == []:
            return
        try:
            peer = self.connected_peer()
            name = peer.name
            if ops is None:
                ops = mirrored(result.ops, peer)
            if not self.dry_run:
                peer.apply(ops)
        except (IPVSError, ValidationError) as exc:
            reason = str(exc) if str(exc).startswith(name) else f"{name}: {exc}"
            result.peer_error = (f"{reason}; made on this director only (Ctrl+R: retry on {name}, "
                                 "u: take it back here)")
            for op in ops or result.ops:
                self.audit.record(f"{op.command()}{note}  # on {name}", f"failed: {reason}")
            return
        result.peer_ops = ops
        commands = [f"{op.command()}{note}  # on {name}" for op in ops]
        result.commands += commands
        self._record(Result(commands, dry_run=self.dry_run))

    def connected_peer(self) -> Peer:
        """The connected peer (connecting when needed); PeerError when there is none."""
        with self._peer_lock:
            if self.peer is None or not self.peer.alive:
                self._drop_link()
                self.peer = self.peer_opener()
                self.peer_name = self.peer.name
            return self.peer

    def _drop_link(self) -> None:
        if self.peer is not None:
            self.peer.close()
            self.peer = None

    def remember(self, ops: Change) -> None:
        """A new change: undoable; what was undone before it can no longer be redone. With
        ``confirm_within``: unconfirmed, and the time to confirm starts again."""
        self.redo_stack.clear()
        self._done(ops)

    def _done(self, ops: list[Operation]) -> None:
        self.undo_stack.append(ops)
        if self.confirm_within is not None:
            self.unconfirmed.append(ops)
            self.revert_at = self.clock() + self.confirm_within

    # ------------------------------------------------------------ commit confirmed
    def confirm(self) -> Result:
        """Keep the changes made since the last confirmation."""
        if not self.unconfirmed:
            return Result(error="no change waits for confirmation")
        count, self.unconfirmed = len(self.unconfirmed), []
        return self._record(Result([f"confirm: {count} change(s) kept"]))

    def revert_unconfirmed(self, now: bool = False) -> Result | None:
        """When the time to confirm has run out (or *now*: the operator is gone), every
        unconfirmed change is taken back, newest first; None when there is nothing to do."""
        if not self.unconfirmed or (not now and self.clock() < self.revert_at):
            return None
        pending, self.unconfirmed = self.unconfirmed, []
        self.undo_stack = [ops for ops in self.undo_stack if all(ops is not p for p in pending)]
        inverse = _inverse([op for ops in pending for op in ops])
        return self.change(lambda: inverse, undoable=False, note="  # not confirmed: reverted",
                           peer_ops=lambda: _inverse([op for ops in pending
                                                      for op in ops.peer or []]))

    def undo(self) -> Result:
        """Take back the newest change not yet undone (deep: each u goes one further back)."""
        if not self.undo_stack:
            return Result(error="nothing to undo")
        last = self.undo_stack.pop()
        inverse = _inverse(last)
        result = self.change(lambda: inverse, undoable=False, note="  # undo",
                             peer_ops=lambda: _inverse(last.peer or []))
        if result.ok and not self.dry_run:
            self.redo_stack.append(last)
            self.unconfirmed = [ops for ops in self.unconfirmed if ops is not last]
        else:
            self.undo_stack.append(last)
        return result

    def redo(self) -> Result:
        """Make again the change undone last."""
        if not self.redo_stack:
            return Result(error="nothing to redo")
        last = self.redo_stack.pop()
        result = self.change(lambda: list(last), undoable=False, note="  # redo",
                             peer_ops=lambda: list(last.peer or []))
        if result.ok and not self.dry_run:
            self._done(last)
        else:
            self.redo_stack.append(last)
        return result

    def live_server(self, svc: VirtualService, rs: RealServer) -> RealServer:
        """The kernel's entry now (a change is built on it, never on a screen's last read)."""
        try:
            return self.backend.find_server(svc, *rs.key)
        except (NoSuchServer, NoSuchService):
            raise NoSuchServer(svc, rs, "it was deleted since the screen showed it; "
                                        "nothing changed") from None

    def live_service(self, svc: VirtualService) -> VirtualService:
        try:
            return self.backend.find_service(svc)
        except NoSuchService:
            raise NoSuchService(svc, "it was deleted since the screen showed it; "
                                     "nothing changed") from None

    def set_weight(self, svc: VirtualService, rs: RealServer,
                   weight_of: Callable[[int], int]) -> Result:
        def ops():
            live = self.live_server(svc, rs)
            return [Operation(Kind.EDIT_SERVER, svc, replace(live, weight=weight_of(live.weight)),
                              before=live)]
        return self.change(ops)

    def drain(self, svc: VirtualService, rs: RealServer) -> Result:
        """Weight 0, the weight before remembered for ``undrain``."""
        result = self.set_weight(svc, rs, lambda w: 0)
        if result.ok and result.ops and not self.dry_run:
            self.drained[(svc.key, rs.key)] = result.ops[0].before.weight
        return result

    def undrain(self, svc: VirtualService, rs: RealServer) -> Result:
        weight = self.drained.pop((svc.key, rs.key), None)
        if weight is None:
            return Result(error=f"{rs.endpoint} was not drained here: set its weight instead")
        return self.set_weight(svc, rs, lambda w: weight)

    def add(self, svc: VirtualService, rs: RealServer | None = None) -> Result:
        if rs is None:
            return self.change(lambda: [Operation(Kind.ADD_SERVICE, svc)])
        return self.change(lambda: [Operation(Kind.ADD_SERVER, svc, rs)])

    def edit_server(self, svc: VirtualService, base: RealServer, new: RealServer) -> Result:
        """*new* is *base* as the operator edited it: only the settings changed are sent."""
        def ops():
            live = self.live_server(svc, base)
            return [Operation(Kind.EDIT_SERVER, svc, edited(base, new, live), before=live)]
        return self.change(ops)

    def edit_service(self, base: VirtualService, new: VirtualService) -> Result:
        def ops():
            live = self.live_service(base).without_servers()
            return [Operation(Kind.EDIT_SERVICE, edited(base, new, live), before=live)]
        return self.change(ops)

    def delete(self, svc: VirtualService, rs: RealServer | None = None) -> Result:
        if rs is None:
            return self.change(lambda: [Operation(Kind.DELETE_SERVICE, svc,
                                                  before=self.live_service(svc))])
        return self.change(lambda: [Operation(Kind.DELETE_SERVER, svc, rs,
                                              before=self.live_server(svc, rs))])

    def zero(self, svc: VirtualService | None = None) -> Result:
        """Zero the counters of one service, or of the whole table (not undoable)."""
        return self.change(lambda: [Operation(Kind.ZERO, svc)], undoable=False)

    def flush(self) -> Result:
        """Delete every service; undo puts them all back."""
        return self.change(lambda: [Operation(Kind.FLUSH, None,
                                              before=self.backend.services())])

    def save(self, path: str) -> Result:
        """The table as an ipvsadm rules file, written atomically."""
        from .files import atomic_write
        command = f"ipvsadm -Sn > {path}"
        try:
            text = self.rules_text()
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            atomic_write(path, text)
        except (IPVSError, OSError) as exc:
            return self._record(Result([command], str(exc)))
        self.rules_path = path
        return self._record(Result([command]))

    @staticmethod
    def file_exists(path: str) -> bool:
        return os.path.exists(path)

    def plan_restore(self, text: str, emptying: bool = True) -> list[Operation]:
        """The operations that make the table equal to a rules file (ValidationError for a bad
        file, IPVSError for an unreadable table): for a large file that differs a little from
        the table, found from the differing lines alone. A file that would delete every live
        service (empty, or none of them in it) is refused unless *emptying* (a broken pipe or
        a wrong file must not empty production)."""
        live = self.backend.services_without_counters()
        ops = diff_by_lines(live, text) if text.count("\n") > LINE_DIFF_FROM else None
        if ops is None:
            rules = parse_rules(text)
            ops = diff(live, rules.services, rules.keep_thresholds)
            empty = not rules.services
        else:
            empty = False
        deleted = sum(op.kind is Kind.DELETE_SERVICE for op in ops)
        if live and deleted == len(live) and not emptying:
            what = ("holds no virtual service" if empty else
                    "holds none of the live virtual services")
            raise ValidationError(f"the rules file {what}: restoring it would delete all "
                                  f"{len(live)} live service(s) (--yes to do it)")
        return ops

    def restore(self, ops: list[Operation], source: str) -> Result:
        """Every step audited as the table confirms it, between a start and an end line: a
        restore killed half-way leaves the steps it applied; run again, it does the rest."""
        commands = [op.command() for op in ops]
        if self.dry_run:
            return Result(commands, dry_run=True, ops=ops)
        plan = f"lvstui restore {source}: {len(ops)} step(s)"
        self.audit.record(plan, "start")
        try:
            apply(self.backend, ops,
                  lambda done: [self.audit.record(op.command(), "ok") for op in done])
        except IPVSError as exc:
            self.audit.record(plan, f"failed: {exc}")
            return Result(commands, str(exc), ops=ops, fresh=self._fresh(ops))
        self.audit.record(plan, "done")
        if ops:
            self.remember(Change(ops))
        return Result(commands, ops=ops, fresh=self._fresh(ops))

    # ------------------------------------------------------------ the pair
    def peer_read(self, here: list[VirtualService] | None = None) -> PeerView | None:
        """The peer's table and state, and its drift from *here* (this director's services;
        read now when not given). None without a peer; never raises."""
        from .peer.mirror import drift, drift_marks
        if self.peer_opener is None:
            return None
        try:
            peer = self.connected_peer()
            started = time.monotonic()
            services = sorted_services(peer.table())
            state = peer.state()
            here = self.backend.services() if here is None else here
        except (IPVSError, ValidationError, OSError) as exc:
            self._drop_link()
            return PeerView(self.peer_name or "peer", error=str(exc))
        ops = drift(here, services)
        return PeerView(peer.name, services, state, ops, writable=peer.why_not() is None,
                        differing=drift_marks(ops), took=time.monotonic() - started)

    def pair_facts(self) -> PairFacts | None:
        """This director and the peer side by side (None without a peer)."""
        try:
            here = self.backend.services()
        except (IPVSError, OSError) as exc:
            return PairFacts(PeerView(self.peer_name or "peer", error=f"this director: {exc}"))
        view = self.peer_read(here)
        if view is None:
            return None
        facts = PairFacts(view, to_peer=view.drift,
                          from_peer=diff(here, view.services) if view.services else [],
                          services=len(here), heartbeat=self.heartbeat_summary(),
                          health=self.health_summary())
        for name, read in (("daemons", self.backend.daemons), ("timeouts", self.backend.timeouts),
                           ("connections", lambda: len(self.backend.connections()))):
            try:
                setattr(facts, name, read())
            except (IPVSError, OSError):
                pass
        return facts

    def default_peer(self) -> str | None:
        """The other node of heartbeat's ha.cf (the peer when none is named), or None."""
        from .ha.config import HaConfig
        try:
            ha_cf = HaConfig.read(self.ha_dir).ha_cf
        except OSError:
            return None
        me = self.hostname.lower()
        others = [n for n in (ha_cf.nodes() if ha_cf else []) if n.lower() != me]
        return others[0] if len(others) == 1 else None

    def health_summary(self) -> dict | None:
        """Where health comes from and how many real servers are down (None: no source)."""
        state = self.health.read() if self.health is not None else None
        if state is None:
            return None
        return {"source": state.source, "running": state.running,
                "servers": len(state.servers),
                "down": sum(1 for h in state.servers.values() if not h.up)}

    def heartbeat_summary(self) -> dict | None:
        if self.heartbeat is None:
            return None
        st = self.heartbeat.state()
        return {"running": st.running, "me": st.me, "resources": st.resources,
                "error": st.error}

    def pair_timeouts(self, wanted: Timeouts) -> Result:
        """``ipvsadm --set`` here and on the peer (a 0 keeps that timeout as it is)."""
        here = self.set_timeouts(wanted)
        if not here.ok or self.dry_run:
            return here
        return self._on_peer(here, lambda peer: peer.set_timeouts(wanted))

    def pair_sync_start(self, interface: str, sync_id: int = 255) -> Result:
        """Connection sync: master here, backup on the peer (the active director sends)."""
        here = self.start_daemon(SyncDaemon("master", interface, sync_id))
        if not here.ok or self.dry_run:
            return here
        return self._on_peer(here, lambda peer: peer.start_daemon(
            SyncDaemon("backup", interface, sync_id)))

    def pair_sync_stop(self) -> Result:
        """Stop the sync daemons running here and on the peer."""
        result = Result()
        try:
            running = [d.state for d in self.backend.daemons()]
        except (IPVSError, OSError) as exc:
            return Result(error=str(exc))
        for state in running:
            one = self.stop_daemon(state)
            result.commands += one.commands
            result.error = result.error or one.error
        try:
            there = [d.state for d in self.connected_peer().state().daemons or []]
        except (IPVSError, ValidationError) as exc:
            result.peer_error = str(exc)
            return result
        for state in there:
            result = self._on_peer(result, lambda peer, state=state: peer.stop_daemon(state))
        return result

    def _on_peer(self, result: Result, do) -> Result:
        """*do(peer)* after *result* (made here); its commands added and audited, or its
        failure in ``peer_error``."""
        try:
            peer = self.connected_peer()
            commands = [f"{c}  # on {peer.name}" for c in do(peer)]
        except (IPVSError, ValidationError) as exc:
            result.peer_error = str(exc)
            return result
        self._record(Result(commands))
        result.commands += commands
        return result

    def _sync_fact(self, view: PeerView, kind: str) -> str:
        """Whether the director that gets the VIP has the connections (a backup sync daemon)."""
        try:
            daemons, where = ((view.state.daemons, view.name) if kind == "standby" else
                              (self.backend.daemons(), self.hostname))
        except (IPVSError, OSError):
            daemons, where = None, self.hostname
        if daemons is None:
            return f"{where}'s sync daemons cannot be read"
        if not any(d.state == "backup" for d in daemons):
            return (f"{where}'s sync daemon is not running as backup: established connections "
                    "will drop")
        return f"{where}'s sync daemons: " + ", ".join(f"{d.state} on {d.interface}"
                                                      for d in daemons)

    def close_peer(self) -> None:
        """The session ends: the peer's pending parts finish, then the link closes."""
        from .peer.link import REQUEST_TIMEOUT
        if self._peer_thread is not None:
            self._peer_jobs.put(None)
            self._peer_thread.join(timeout=REQUEST_TIMEOUT)
            self._peer_thread = None
        self._drop_link()

    def set_both(self, both: bool) -> None:
        """Changes from now on go to both directors, or to this one only."""
        self.both = both

    def sync_peer(self) -> Result:
        """Make the peer equal to this director (only the differences; the agent rolls back
        its applied steps on a failure); undo takes it back there."""
        from .peer.mirror import drift
        try:
            peer = self.connected_peer()
            ops = drift(self.backend.services(), peer.table())
        except (IPVSError, ValidationError) as exc:
            return self._record(Result([f"make {self.peer_name or 'the peer'} equal to "
                                        f"{self.hostname}"], str(exc)))
        commands = [f"{op.command()}  # on {peer.name}" for op in ops]
        if self.dry_run or not ops:
            return Result(commands or [f"# {peer.name} already equals {self.hostname}"],
                          dry_run=self.dry_run, peer_ops=ops)
        try:
            peer.apply(ops)
        except (IPVSError, ValidationError) as exc:
            return self._record(Result(commands, str(exc)))
        self.remember(Change([], ops))
        return self._record(Result(commands, peer_ops=ops))

    def pull_from_peer(self) -> Result:
        """Make this director equal to the peer (the reverse of ``sync_peer``), here only."""
        try:
            there = self.connected_peer().table()
        except (IPVSError, ValidationError) as exc:
            return Result(error=str(exc))
        return self.change(lambda: diff(self.backend.services(), there), peer_ops=[],
                           note=f"  # from {self.peer_name}")

    def retry_peer(self) -> Result:
        """Make on the peer the last change that reached only this director."""
        last = self.undo_stack[-1] if self.undo_stack else None
        if last is not None and last.peer is None:
            return Result(error="the last change is still on its way to the peer")
        if not last or last.peer:
            return Result(error="the last change is on both directors: nothing to retry")
        result = Result(ops=list(last))
        self._to_peer(result, None, "  # retry")
        if result.peer_error is None:
            last.peer = result.peer_ops
        return replace(result, error=result.peer_error)

    def preflight(self, kind: str) -> list[str]:
        """What the operator should know before a manual failover, one fact per line: the
        peer's drift, its sync daemon, its health source, its connections."""
        view = self.peer_read()
        if view is None:
            return ["no peer attached: its table and sync daemon are not known"]
        if view.error:
            return [f"{view.name} cannot be read: {view.error}"]
        facts = [f"{view.name} differs in {len(view.drift)} place(s)" if view.drift
                 else f"{view.name} holds the same table as {self.hostname}"]
        facts.append(self._sync_fact(view, kind))
        health = view.state.health
        facts.append(f"{view.name}'s health checks: " + (
            "none published" if not health else
            f"{health['source']} ({'running' if health['running'] else 'not running'}), "
            f"{health['down']} of {health['servers']} down"))
        facts.append(f"{view.name} holds {view.state.connections} connection(s)")
        return facts

    # ------------------------------------------------------------ history
    def start_recording(self, every: float) -> None:
        """Record the table's changes while this session runs, unless a recorder already
        writes the history (then it is only read)."""
        from .history.recorder import Recording
        from .history.store import HistoryError
        try:
            self.recording = Recording.start(self.backend, self.history_path, self.audit.path,
                                             every, self.hostname, observe=self.observed)
        except HistoryError:
            self.recording = None

    def observed(self) -> dict:
        """The states the recorder keeps as events (health, heartbeat, VIPs), read without
        the table."""
        from .history.events import observed_states
        return observed_states(self.health.read() if self.health is not None else None,
                               self.heartbeat.state() if self.heartbeat is not None else None,
                               self.resource_vips(), self._held_vips())

    def _held_vips(self) -> set | None:
        """The addresses this host holds (None: no network adapter, or it cannot be read)."""
        if self.network is None:
            return None
        try:
            return set(self.network.vips())
        except (SettingError, OSError):
            return None

    def stop_recording(self) -> None:
        if self.recording is not None:
            self.recording.stop()
            self.recording = None

    def history_entries(self) -> list[tuple[float, str, str]]:
        """Every recorded change and event, newest first: (time, who made it or the event's
        kind, the ipvsadm command or what happened); HistoryError when there is no history."""
        from .history.store import History
        history = History(self.history_path)
        try:
            entries = history.changes() + [(t, kind, f"{subject}: {text}")
                                           for t, kind, subject, text in history.events()]
        finally:
            history.close()
        return sorted(entries, key=lambda e: e[0], reverse=True)

    def past_table(self, t: float) -> PastTable:
        """The table as it was at *t* with its traffic then, and the operations that bring it
        back (HistoryError outside the record, IPVSError when the table cannot be read)."""
        from .history.samples import with_samples
        from .history.store import History
        history = History(self.history_path)
        try:
            text, samples = history.table_at(t), history.samples_at(t)
        finally:
            history.close()
        services = sorted_services(parse_rules(text).services)
        with_samples(services, samples)
        return PastTable(t, services, self.plan_restore(text, emptying=True), bool(samples))

    def history_plot(self, name: str, since: float, until: float) -> tuple[list, list]:
        """Row *name*'s samples from *since* to *until* (time, FIELDS), and the changes and
        events about it or about failover then (time, who or kind, what)."""
        from .history.samples import touches
        from .history.store import History
        history = History(self.history_path)
        try:
            points = history.series(name, since, until)
            marks = [c for c in history.changes(since, until) if touches(name, c[2])] + [
                (t, kind, f"{subject}: {text}") for t, kind, subject, text
                in history.events(since, until) if kind == "failover" or touches(name, subject)]
        finally:
            history.close()
        return points, sorted(marks)

    # ------------------------------------------------------------ heartbeat
    def resource_vips(self) -> list[str]:
        """The addresses heartbeat moves between the directors (its haresources)."""
        from .ha.config import HaConfig
        try:
            resources = HaConfig.read(self.ha_dir).haresources
        except OSError:
            return []
        return resources.addresses() if resources is not None else []

    def failover(self, kind: str, vip: str | None = None,
                 timeout: float = FOLLOW_TIMEOUT) -> Result:
        """hb_standby / hb_takeover, then the VIP heartbeat moves (*vip*, else the first of its
        haresources) followed until it has moved (or *timeout*)."""
        from .ha import HeartbeatError
        from .ha.failover import follow
        command = f"hb_{kind}"
        vip = vip or next(iter(self.resource_vips()), None)
        want_here = kind == "takeover"
        if vip and self.network is not None and not self.dry_run:
            try:
                here = vip in self.network.vips()
            except (SettingError, OSError):
                here = None
            if here is want_here:
                detail = (f"this director {'already holds' if here else 'does not hold'} the "
                          f"VIP {vip}: nothing to move")
                return Result([f"{command}: {detail}"], detail=detail)
        if self.dry_run:
            return self._record(Result([command], dry_run=True))
        try:
            (self.heartbeat.standby if kind == "standby" else self.heartbeat.takeover)()
        except (HeartbeatError, AttributeError) as exc:
            return self._record(Result([command], str(exc)))
        self._record(Result([command]))
        if vip is None or self.network is None:
            return Result([command])
        took = follow(lambda: vip in self.network.vips(), want_here, timeout=timeout)
        where = "here" if want_here else "to the peer"
        detail = (f"the VIP {vip} moved {where} after {took:.2f} s" if took is not None
                  else f"the VIP {vip} has not moved {where} within {timeout:g} s")
        line = f"{command}: {detail}"
        followed = self._record(Result([line], None if took is not None else detail))
        return Result([command, line], followed.error, detail=detail)

    def ha_read(self):
        """(config, findings) of the heartbeat files; OSError when ha.cf cannot be read."""
        from .ha.config import HaConfig, check
        config = HaConfig.read(self.ha_dir)
        return config, check(config, self.hostname)

    def ha_propose(self, what: str, edit: Callable[[HaConfig], None]) -> Proposal:
        """*edit* applied to a fresh read of the files and checked: refused when it brings an
        error heartbeat would refuse to start with."""
        from .ha.config import HaConfig, check
        try:
            config = HaConfig.read(self.ha_dir)
            files = [f for f in (config.ha_cf, config.haresources, config.authkeys) if f]
            before = {f.path: f.text() for f in files}
            old = {(x.path, x.message) for x in check(config, self.hostname)
                   if x.level == "error"}
            edit(config)
        except (OSError, KeyError, ValueError) as exc:
            return Proposal(what, refused=str(exc))
        changed = [f for f in files if f.text() != before[f.path]]
        new = [x for x in check(config, self.hostname)
               if x.level == "error" and (x.path, x.message) not in old]
        if new:
            return Proposal(what, refused="refused: " + "; ".join(str(x) for x in new))
        text = "".join("".join(difflib.unified_diff(
            masked(before[f.path]).splitlines(True), masked(f.text()).splitlines(True),
            f.path, f.path)) for f in changed)
        return Proposal(what, changed, text)

    def ha_write(self, proposal: Proposal) -> Result:
        if proposal.refused:
            return self._record(Result([proposal.what], proposal.refused))
        if self.dry_run:
            return self._record(Result([proposal.what], dry_run=True))
        try:
            for f in proposal.files:
                f.save()
        except OSError as exc:
            return self._record(Result([proposal.what], f"{exc.filename}: {exc.strerror}"))
        return self._record(Result([proposal.what]))

    def ha_reload_command(self) -> str:
        return self.heartbeat.reload_command if self.heartbeat else "heartbeat -r"

    def ha_reload(self) -> Result:
        from .ha import HeartbeatError
        def reload() -> None:
            if self.heartbeat is None:
                raise HeartbeatError("no heartbeat in this session")
            self.heartbeat.reload()
        return self._made([self.ha_reload_command()], reload, (HeartbeatError,))

    # ------------------------------------------------------------ the host's network
    def network_view(self, role: str) -> NetworkView:
        try:
            conns = Counter(c.virtual for c in self.backend.connections())
        except (IPVSError, OSError):
            conns = Counter()
        try:
            return NetworkView(self.network.vips(), self.network.states(role), conns)
        except (SettingError, OSError) as exc:
            return NetworkView(conns=conns, error=str(exc))

    def network_change(self, planned: list[str], do: Callable[[], list[str] | None]) -> Result:
        """A change of this host's network (sysctls, VIPs)."""
        return self._made(planned, do, (SettingError, OSError, ValueError))

    def plan_restore_file(self, path: str) -> list[Operation]:
        with open(path) as fh:
            text = fh.read()
        self.rules_path = path
        return self.plan_restore(text)

    # ------------------------------------------------------------ inside
    def _fresh(self, ops: list[Operation]) -> dict:
        """The services *ops* touched, read again (only those: fast on a large table)."""
        fresh: dict = {}
        for op in ops:
            if op.service is not None and op.service.key not in fresh:
                try:
                    fresh[op.service.key] = self.backend.find_service(op.service)
                except NoSuchService:
                    fresh[op.service.key] = None
                except IPVSError:
                    pass
        return fresh

    def _made(self, planned: list[str], do: Callable[[], list[str] | None],
              errors: tuple[type[Exception], ...]) -> Result:
        """A change outside the table (kernel settings, heartbeat, the host's network):
        *planned* says it before it is made (all that dry-run shows); *do()* makes it and may
        say what it did in full; one of *errors* is the reason it was not. Audited."""
        if self.dry_run:
            return self._record(Result(planned, dry_run=True))
        try:
            done = do()
        except errors as exc:
            return self._record(Result(planned, str(exc)))
        return self._record(Result(done or planned))

    def _record(self, result: Result) -> Result:
        outcome = "dry-run" if result.dry_run else "ok" if result.ok else result.error
        for command in result.commands:
            result.warning = self.audit.record(command, outcome) or result.warning
        return result
