"""What every area of the use cases shares: the session's backend, audit log and dry-run,
and the one way a change outside the table is made and audited."""

from __future__ import annotations

from typing import Callable

from ..ipvs.backend import IPVSError, NoSuchService
from ..ipvs.operations import Operation
from .results import Result


class Area:
    """One area of the use cases, reading the session's shared state (backend, audit,
    dry-run, host name) and its sibling areas through ``session`` (lvstui.session.Session,
    the layer above: not imported)."""

    def __init__(self, session):
        self.session = session

    @property
    def dry_run(self) -> bool:
        return self.session.dry_run

    def record(self, result: Result) -> Result:
        """Each command of *result* in the audit log, with its outcome."""
        outcome = "dry-run" if result.dry_run else "ok" if result.ok else result.error
        for command in result.commands:
            result.warning = self.session.audit.record(command, outcome) or result.warning
        return result

    def made(self, planned: list[str], do: Callable[[], list[str] | None],
             errors: tuple[type[Exception], ...]) -> Result:
        """A change outside the table (kernel settings, the HA manager, the host's network):
        *planned* says it before it is made (all that dry-run shows); *do()* makes it and may
        say what it did in full; one of *errors* is the reason it was not. Audited."""
        if self.dry_run:
            return self.record(Result(planned, dry_run=True))
        try:
            done = do()
        except errors as exc:
            return self.record(Result(planned, str(exc)))
        return self.record(Result(done or planned))

    def fresh(self, ops: list[Operation]) -> dict:
        """The services *ops* touched, read again (only those: fast on a large table)."""
        fresh: dict = {}
        for op in ops:
            if op.service is not None and op.service.key not in fresh:
                try:
                    fresh[op.service.key] = self.session.backend.find_service(op.service)
                except NoSuchService:
                    fresh[op.service.key] = None
                except IPVSError:
                    pass
        return fresh
