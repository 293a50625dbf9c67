"""The table saved to and restored from an ipvsadm rules file (``ipvsadm -Sn`` / ``-R``):
atomic writes, a restore planned as the few operations that make the table equal to the file,
every step audited as the kernel confirms it."""

from __future__ import annotations

import os

from ..files import atomic_write
from ..ipvs.backend import IPVSError
from ..ipvs.operations import Kind, Operation, apply, diff
from ..ipvs.rules import diff_by_lines, parse_rules, save
from ..model import ValidationError
from .area import Area
from .results import Change, Result

RULES_PATH = "/etc/ipvsadm.rules"      # what Debian's ipvsadm package loads at boot
LINE_DIFF_FROM = 1000                  # lines: a larger rules file is compared line by line


class RulesFile(Area):
    """Save and restore; ``path`` is the last rules file saved or loaded."""

    def __init__(self, session, path: str = RULES_PATH):
        super().__init__(session)
        self.path = path

    def text(self) -> str:
        """The table as ``ipvsadm -Sn`` writes it."""
        return save(self.session.backend.services_without_counters())

    def save(self, path: str) -> Result:
        """The table as an ipvsadm rules file, written atomically."""
        command = f"ipvsadm -Sn > {path}"
        try:
            text = self.text()
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            atomic_write(path, text)
        except (IPVSError, OSError) as exc:
            return self.record(Result([command], str(exc)))
        self.path = path
        return self.record(Result([command]))

    @staticmethod
    def exists(path: str) -> bool:
        return os.path.exists(path)

    def plan_file(self, path: str) -> list[Operation]:
        """``plan`` of the rules file at *path* (OSError when it cannot be read)."""
        with open(path) as fh:
            text = fh.read()
        self.path = path
        return self.plan(text)

    def plan(self, text: str, emptying: bool = True) -> list[Operation]:
        """The operations that make the table equal to a rules file (ValidationError for a bad
        file, IPVSError for an unreadable table): for a large file that differs a little from
        the table, found from the differing lines alone. A file that would delete every live
        service (empty, or none of them in it) is refused unless *emptying* (a broken pipe or
        a wrong file must not empty production)."""
        live = self.session.backend.services_without_counters()
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
        audit = self.session.audit
        commands = [op.command() for op in ops]
        if self.dry_run:
            return Result(commands, dry_run=True, ops=ops)
        plan = f"lvstui restore {source}: {len(ops)} step(s)"
        audit.record(plan, "start")
        try:
            apply(self.session.backend, ops,
                  lambda done: [audit.record(op.command(), "ok") for op in done])
        except IPVSError as exc:
            audit.record(plan, f"failed: {exc}")
            return Result(commands, str(exc), ops=ops, fresh=self.fresh(ops))
        audit.record(plan, "done")
        if ops:
            self.session.journal.remember(Change(ops))
        return Result(commands, ops=ops, fresh=self.fresh(ops))
