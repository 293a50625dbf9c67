"""The difference between two tables as operations: ``diff(live, wanted)`` turns a wanted
table into the few operations that make the live one equal to it; each ``Operation`` renders
as the ipvsadm command that does the same, applies itself to a backend, and knows its inverse
(for rollback and undo); ``apply`` makes them all or none."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ..model import RealServer, ValidationError, VirtualService, format_endpoint
from .backend import Backend, IPVSError, gc_paused
from .order import sorted_servers, sorted_services
from .switches import server_options, service_options, service_spec


class Kind(StrEnum):
    """What an operation does (ipvsadm's switch for it in ``SWITCH``)."""

    ADD_SERVICE = "add-service"
    EDIT_SERVICE = "edit-service"
    DELETE_SERVICE = "delete-service"
    ADD_SERVER = "add-server"
    EDIT_SERVER = "edit-server"
    DELETE_SERVER = "delete-server"
    ZERO = "zero"
    FLUSH = "flush"


SWITCH = {Kind.ADD_SERVICE: "-A", Kind.EDIT_SERVICE: "-E", Kind.DELETE_SERVICE: "-D",
          Kind.ADD_SERVER: "-a", Kind.EDIT_SERVER: "-e", Kind.DELETE_SERVER: "-d",
          Kind.ZERO: "-Z", Kind.FLUSH: "-C"}
TABLE_WIDE = (Kind.ZERO, Kind.FLUSH)


@dataclass
class Operation:
    """One change, as ipvsadm would make it. *service* is None for a table-wide one (zero
    every counter, flush); *before* is the live entry an edit or delete replaces (for a
    flush: every service)."""

    kind: Kind
    service: VirtualService | None
    server: RealServer | None = None
    before: object = None

    def __post_init__(self):
        self.kind = Kind(self.kind)

    def command(self) -> str:
        switch = SWITCH[self.kind]
        if self.service is None:
            return f"ipvsadm {switch}"
        spec = service_spec(self.service)
        if self.kind in (Kind.ADD_SERVICE, Kind.EDIT_SERVICE):
            return f"ipvsadm {switch} {spec} {service_options(self.service)}"
        if self.kind in (Kind.DELETE_SERVICE, Kind.ZERO):
            return f"ipvsadm {switch} {spec}"
        rs = self.server
        target = f"ipvsadm {switch} {spec} -r {format_endpoint(rs.address, rs.port)}"
        return target if self.kind == Kind.DELETE_SERVER else f"{target} {server_options(rs)}"

    def apply(self, backend: Backend) -> None:
        {Kind.ADD_SERVICE: lambda: backend.add_service(self.service),
         Kind.EDIT_SERVICE: lambda: backend.edit_service(self.service),
         Kind.DELETE_SERVICE: lambda: backend.delete_service(self.service),
         Kind.ADD_SERVER: lambda: backend.add_server(self.service, self.server),
         Kind.EDIT_SERVER: lambda: backend.edit_server(self.service, self.server),
         Kind.DELETE_SERVER: lambda: backend.delete_server(self.service, self.server),
         Kind.ZERO: lambda: backend.zero(self.service),
         Kind.FLUSH: backend.flush,
         }[self.kind]()

    def inverse(self) -> list[Operation]:
        """The operations that undo this one (a deleted service comes back with its servers,
        a flushed table with every service; zeroed counters do not come back)."""
        svc, rs = self.service, self.server
        if self.kind == Kind.ADD_SERVICE:
            return [Operation(Kind.DELETE_SERVICE, svc)]
        if self.kind == Kind.EDIT_SERVICE:
            return [Operation(Kind.EDIT_SERVICE, self.before, before=svc)]
        if self.kind == Kind.DELETE_SERVICE:
            return _recreate(self.before or svc)
        if self.kind == Kind.FLUSH:
            return [op for old in self.before or [] for op in _recreate(old)]
        if self.kind == Kind.ADD_SERVER:
            return [Operation(Kind.DELETE_SERVER, svc, rs)]
        if self.kind == Kind.EDIT_SERVER:
            return [Operation(Kind.EDIT_SERVER, svc, self.before, before=rs)]
        if self.kind == Kind.DELETE_SERVER:
            return [Operation(Kind.ADD_SERVER, svc, self.before or rs)]
        return []


def _recreate(old: VirtualService) -> list[Operation]:
    return ([Operation(Kind.ADD_SERVICE, old.without_servers())]
            + [Operation(Kind.ADD_SERVER, old, s) for s in reversed(old.servers)])


class ApplyError(IPVSError):
    """A step failed; the steps before it were taken back."""


def apply(backend: Backend, ops: list[Operation], on_applied=None) -> None:
    """Apply *ops* in order; on a failure undo every applied one, newest first, and raise.
    *on_applied* hears the operations as the table confirms them (in batches)."""
    applied, failure = backend.apply_operations(ops, on_applied)
    if failure is None:
        return
    index, exc = failure
    failed_undo = []
    for done in reversed(applied):
        for undo in done.inverse():
            try:
                undo.apply(backend)
            except (IPVSError, ValidationError) as undo_exc:
                failed_undo.append(f"{undo.command()}: {undo_exc}")
    note = (f"; {len(applied)} other change(s) rolled back" if not failed_undo else
            f"; rollback incomplete: {'; '.join(failed_undo)}")
    raise ApplyError(f"step {index + 1} ({ops[index].command()}) failed: {exc}{note}") from exc


@gc_paused
def diff(live: list[VirtualService], wanted: list[VirtualService],
         keep_thresholds: frozenset = frozenset()) -> list[Operation]:
    """The operations that turn *live* into *wanted*, deletions first.

    *keep_thresholds* holds (service key, server key) pairs whose thresholds the wanted table did
    not state (``ipvsadm -S`` does not write them): the live values are kept for those.
    """
    live_by_key = {s.key: s for s in live}
    wanted_keys = {s.key for s in wanted}
    server_deletes, service_deletes, changes = [], [], []
    for svc in sorted_services(live):
        if svc.key not in wanted_keys:
            service_deletes.append(Operation("delete-service", svc, before=svc))
    for want in wanted:
        have = live_by_key.get(want.key)
        if have is None:
            changes.append(Operation("add-service", want.without_servers()))
            changes += [Operation("add-server", want, rs) for rs in want.servers]
            continue
        if not have.same_config(want):
            changes.append(Operation("edit-service", want.without_servers(), before=have))
        wanted_servers = {rs.key for rs in want.servers}
        for rs in sorted_servers(have.servers):
            if rs.key not in wanted_servers:
                server_deletes.append(Operation("delete-server", have, rs, before=rs))
        for rs in want.servers:
            old = have.server(*rs.key)
            if old is None:
                changes.append(Operation("add-server", want, rs))
                continue
            if (want.key, rs.key) in keep_thresholds:
                rs = replace(rs, upper_threshold=old.upper_threshold,
                             lower_threshold=old.lower_threshold)
            if not old.same_config(rs):
                changes.append(Operation("edit-server", want, rs, before=old))
    return server_deletes + service_deletes + changes
