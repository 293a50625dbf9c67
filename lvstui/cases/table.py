"""The IPVS table's use cases: every change is built on the kernel's entries now, applied all
or none, audited, read back and remembered in the journal (u, U, commit confirmed); with a
peer attached the pair makes it there too."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterator

from ..ipvs.backend import IPVSError, NoSuchServer, NoSuchService
from ..ipvs.listing import listing_parts, needs_counters
from ..ipvs.operations import Kind, Operation, apply
from ..ipvs.order import sorted_services
from ..model import RealServer, SyncDaemon, Timeouts, ValidationError, VirtualService, edited
from .area import Area
from .results import Change, PeerOps, Result

KERNEL_ERRORS = (IPVSError, ValidationError)


class Table(Area):
    """The table's changes (weights, drains, services and servers, zero, flush) and its
    kernel settings (timeouts, sync daemons); ``drained`` remembers the weight before a
    drain."""

    def __init__(self, session):
        super().__init__(session)
        self.drained: dict[tuple, int] = {}        # (service key, server key) -> weight before
        self.told: set[tuple] = set()             # services whose manager's word was said
        self.asking: set[tuple] = set()           # ... and whose question awaits an answer

    def owned(self, svc: VirtualService, again: Callable[[], Result],
              weight_of: RealServer | None = None) -> Result | None:
        """None when a live change of *svc*'s real servers may go ahead; else, once per
        service and session, the question first: the HA manager (keepalived) declares it,
        and sets such a change back — unless the change is the weight of a server it keeps
        (*weight_of*). Yes makes it (*again*) and is not asked again; changes of that service
        asked while the question is open are not made (keys typed ahead)."""
        where = self.session.ha.owner(svc)
        if where is None or svc.key in self.told:
            return None
        if weight_of is not None and weight_of.key in self.session.ha.kept(svc):
            return None
        if svc.key in self.asking:
            return Result(warning=f"not made: answer the question about {svc.name} first")
        self.asking.add(svc.key)

        def yes() -> Result:
            self.asking.discard(svc.key)
            self.told.add(svc.key)
            return again()

        def no() -> Result:
            self.asking.discard(svc.key)
            return Result()
        return Result(ask=f"keepalived sets the real servers of {svc.name} ({where}). Change "
                          "it live anyway?",
                      detail="The change stays until keepalived's check of that server changes "
                             "its verdict (then keepalived sets its weight from "
                             "keepalived.conf), keepalived restarts, or a reload finds the "
                             "server's lines edited. `lvstui drift --keepalived` prints what a "
                             "restart would set back; `lvstui ha prepare` adds the lines "
                             "with which keepalived keeps live weights. Asked once per service.",
                      confirmed=yes, declined=no)

    def change(self, make_ops: Callable[[], list[Operation]], undoable: bool = True,
               note: str = "", peer_ops: PeerOps = None) -> Result:
        """Build the operations (on the kernel's entries now), apply them all or none, audit
        each, read back the services they touched, remember them for undo. With a peer
        attached (and the pair's ``both``) the same change is made there too: *peer_ops* when
        given, else the operations built again on the peer's own entries."""
        pair = self.session.pair
        ops: list[Operation] = []
        error = None
        try:
            ops = make_ops()
            if not self.dry_run:
                apply(self.session.backend, ops)
        except KERNEL_ERRORS as exc:
            error = str(exc)
        only_here = pair.attached and (peer_ops == [] or (peer_ops is None and not pair.both))
        local_note = note + ("  # this director only" if only_here and ops else "")
        result = Result([op.command() + local_note for op in ops], error, self.dry_run, ops,
                        self.fresh(ops))
        if ops and error is None and not self.dry_run:
            result.warning = self.session.ha.keep(ops)    # where keepalived keeps weights
        self.record(result)
        change = Change(ops)
        if (ops or peer_ops) and error is None and not only_here and pair.attached:
            pair.send(result, peer_ops, note, change)
        if ops and error is None and not self.dry_run and undoable:
            self.session.journal.remember(change)
        return result

    def live_server(self, svc: VirtualService, rs: RealServer) -> RealServer:
        """The kernel's entry now (a change is built on it, never on a screen's last read)."""
        try:
            return self.session.backend.find_server(svc, *rs.key)
        except (NoSuchServer, NoSuchService):
            raise NoSuchServer(svc, rs, "it was deleted since the screen showed it; "
                                        "nothing changed") from None

    def live_service(self, svc: VirtualService) -> VirtualService:
        try:
            return self.session.backend.find_service(svc)
        except NoSuchService:
            raise NoSuchService(svc, "it was deleted since the screen showed it; "
                                     "nothing changed") from None

    def set_weight(self, svc: VirtualService, rs: RealServer,
                   weight_of: Callable[[int], int], each_side: bool = False) -> Result:
        """*weight_of* the kernel's weight now; on the peer the same weight — or, with
        *each_side*, *weight_of* the peer's own weight there (each moves by itself)."""
        asked = self.owned(svc, lambda: self.set_weight(svc, rs, weight_of, each_side), rs)
        if asked:
            return asked

        def ops():
            live = self.live_server(svc, rs)
            return [Operation(Kind.EDIT_SERVER, svc, replace(live, weight=weight_of(live.weight)),
                              before=live)]
        peer_ops = (lambda: self.session.pair.weight_ops(svc, rs, weight_of)) if each_side \
            else None
        return self.change(ops, peer_ops=peer_ops)

    def drain(self, svc: VirtualService, rs: RealServer, last_too: bool = True) -> Result:
        """Weight 0, the weight before remembered for ``undrain``. Unless *last_too*, the
        last live server of the service as the kernel holds it now (never as a screen last
        read it) is not drained: the result asks first."""
        asked = self.owned(svc, lambda: self.drain(svc, rs, last_too), rs)
        if asked:
            return asked
        if not last_too:
            try:
                live = [r.key for r in self.live_service(svc).servers if r.weight > 0]
            except (IPVSError, OSError) as exc:
                return Result(error=str(exc))
            if live == [rs.key]:
                return Result(ask=f"Drain {rs.endpoint}, the last live real server of "
                                  f"{svc.name}?", detail="New connections will find no server.",
                              confirmed=lambda: self.drain(svc, rs))
        result = self.set_weight(svc, rs, lambda w: 0)
        if result.ok and result.ops and not self.dry_run:
            self.drained[(svc.key, rs.key)] = result.ops[0].before.weight
        return result

    def undrain(self, svc: VirtualService, rs: RealServer) -> Result:
        weight = self.drained.pop((svc.key, rs.key), None)
        if weight is None:
            return Result(error=f"{rs.endpoint} was not drained here: set its weight instead")
        return self.set_weight(svc, rs, lambda w: weight)

    def declared_too(self, svc: VirtualService, rs: RealServer, adding: bool,
                     live: Callable[[], Result]) -> Result | None:
        """On a service the HA manager declares (keepalived.conf), adding or removing a real
        server asks first whether keepalived.conf gets it too (its diff shown, checked), so a
        reload or restart keeps it: yes makes both, the live change first; no asks as for any
        live change of that service. None where there is no such file edit to offer."""
        proposal = self.session.ha.declare(svc, rs, adding)
        if proposal is None or proposal.refused:
            return None

        def both() -> Result:
            made = live()
            if not made.ok or made.dry_run:
                return made
            written = self.session.ha.write(proposal)
            return replace(made, commands=made.commands + written.commands,
                           error=written.error)
        where = "to" if adding else "from"
        return Result(ask=f"{'Add' if adding else 'Remove'} {rs.endpoint} {where} "
                          f"keepalived.conf too, so a reload or restart keeps it?",
                      detail=f"{proposal.diff}\nn: asks whether to make it live only.",
                      confirmed=both, declined=lambda: self.owned(svc, live) or live())

    def add(self, svc: VirtualService, rs: RealServer | None = None) -> Result:
        if rs is None:
            return self.change(lambda: [Operation(Kind.ADD_SERVICE, svc)])

        def live() -> Result:
            return self.change(lambda: [Operation(Kind.ADD_SERVER, svc, rs)])
        return self.declared_too(svc, rs, True, live) or self.owned(svc, live) or live()

    def edit_server(self, svc: VirtualService, base: RealServer, new: RealServer) -> Result:
        """*new* is *base* as the operator edited it: only the settings changed are sent."""
        asked = self.owned(svc, lambda: self.edit_server(svc, base, new))
        if asked:
            return asked

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
        def live() -> Result:
            return self.change(lambda: [Operation(Kind.DELETE_SERVER, svc, rs,
                                                  before=self.live_server(svc, rs))])
        return self.declared_too(svc, rs, False, live) or self.owned(svc, live) or live()

    def zero(self, svc: VirtualService | None = None) -> Result:
        """Zero the counters of one service, or of the whole table (not undoable)."""
        return self.change(lambda: [Operation(Kind.ZERO, svc)], undoable=False)

    def flush(self) -> Result:
        """Delete every service; undo puts them all back."""
        return self.change(lambda: [Operation(Kind.FLUSH, None,
                                              before=self.session.backend.services())])

    # ------------------------------------------------------------ reading, kernel settings
    def listing(self, mode: str | None = None, exact: bool = False,
                service: VirtualService | None = None) -> Iterator[str]:
        """The table as ``ipvsadm -Ln`` prints it (mode: one of listing.MODES), a service at a
        time as it is read; *service* alone as ``ipvsadm -Ln -t VIP:PORT`` does (NoSuchService
        at once when it is not there)."""
        backend = self.session.backend
        if service is not None:
            return listing_parts([backend.find_service(service)], None, mode, exact)
        info = backend.info()
        services = backend.each_service(sorted_services, counters=needs_counters(mode))
        return listing_parts(services, info, mode, exact)

    def connections(self) -> list:
        """The kernel's connection table (``ipvsadm -Lc``); IPVSError or OSError."""
        return self.session.backend.connections()

    def set_timeouts(self, wanted: Timeouts) -> Result:
        """``ipvsadm --set``: a 0 keeps that timeout as it is."""
        command = f"ipvsadm --set {wanted.tcp} {wanted.tcpfin} {wanted.udp}"
        return self.made([command], lambda: self.session.backend.set_timeouts(wanted),
                         KERNEL_ERRORS)

    def start_daemon(self, daemon: SyncDaemon) -> Result:
        command = (f"ipvsadm --start-daemon {daemon.state} --mcast-interface {daemon.interface} "
                   f"--syncid {daemon.sync_id} --sync-maxlen {daemon.max_len} --mcast-group "
                   f"{daemon.group} --mcast-port {daemon.port} --mcast-ttl {daemon.ttl}")
        return self.made([command], lambda: self.session.backend.start_daemon(daemon),
                         KERNEL_ERRORS)

    def stop_daemon(self, state: str) -> Result:
        return self.made([f"ipvsadm --stop-daemon {state}"],
                         lambda: self.session.backend.stop_daemon(state), KERNEL_ERRORS)
