"""The keys that change the table: each a session use case, asked first where it destroys
(a key group of the main screen: the console's ``may_change`` and ``run_case``, the main
view's selection)."""

from __future__ import annotations

import os

from textual import work

from ..ipvs.operations import Kind
from ..model import MAX_WEIGHT, RealServer, ValidationError, VirtualService, parse_weight
from ..session import Result
from .confirm import Choice, Confirm, TypedConfirm
from .events import ChangeDone
from .format import plural
from .keygroup import KeyGroup
from .keys import bindings


class TableKeys(KeyGroup):
    BINDINGS = bindings("weight", "set_weight", "drain", "restore", "add", "edit", "delete",
                        "undo", "redo", "confirm", "zero", "flush", "save", "load")

    # ------------------------------------------------------------ weights
    def action_weight(self, delta: int) -> None:
        picked = self.may_change() and self.main.selected_server()
        if picked:
            self.weigh(*picked, lambda w: min(MAX_WEIGHT, max(0, w + delta)))

    def action_set_weight(self) -> None:
        picked = self.may_change() and self.main.selected_server()
        if picked:
            from .forms import Prompt
            svc, rs = picked
            self.app.push_screen(
                Prompt(f"Weight of {rs.endpoint} in {svc.name}", str(rs.weight), parse_weight),
                lambda w: w is not None and self.weigh(svc, rs, lambda _: w))

    def weigh(self, svc: VirtualService, rs: RealServer, weight_of) -> None:
        """Set a weight; raising one the health check says is DOWN asks first (the monitor
        then leaves it in as an operator override)."""
        new = weight_of(rs.weight)
        health = self.console.server_health(rs)
        if new > rs.weight and health is not None and health.checked and not health.up:
            self.app.push_screen(
                Confirm(f"{rs.endpoint} is DOWN ({health.why_down}): "
                        f"give it weight {new} anyway?",
                        "New connections will go to a server that fails its checks. The "
                        "monitor leaves it in (override) until it passes its checks again or "
                        "is drained."),
                lambda yes: yes and self.weigh_on_both(svc, rs, weight_of))
        else:
            self.weigh_on_both(svc, rs, weight_of)

    def weigh_on_both(self, svc: VirtualService, rs: RealServer, weight_of) -> None:
        """Where the peer's weight differs (≠), ask: both to the new value, or each moved
        by itself — naming both values; else the same weight on both."""
        there = (self.console.pair.server_value(rs, lambda r: r.weight)
                 if self.console.pair is not None and self.session.pair.both else -1)
        new = weight_of(rs.weight)
        if there in (-1, rs.weight) or weight_of(there) == new:
            self.run_case(self.session.table.set_weight, svc, rs, weight_of)
            return
        peer = self.session.pair.name or "the peer"
        self.app.push_screen(
            Choice(f"{rs.endpoint} has weight {rs.weight} here and {there} on {peer}:",
                   [("b", f"both to {new}", False),
                    ("e", f"each by itself: {rs.weight} -> {new} here, {there} -> "
                          f"{weight_of(there)} on {peer}", True)]),
            lambda each: each is not None and self.run_case(
                self.session.table.set_weight, svc, rs, weight_of, each))

    def action_drain(self) -> None:
        picked = self.may_change() and self.main.selected_server()
        if not picked:
            return
        svc, rs = picked
        if rs.weight == 0:
            self.notify(f"{rs.endpoint} is already drained (weight 0)")
            return
        self.run_case(self.session.table.drain, svc, rs, False)   # the last one asks first

    def action_restore(self) -> None:
        picked = self.may_change() and self.main.selected_server()
        if picked:
            self.run_case(self.session.table.undrain, *picked)

    # ------------------------------------------------------------ add, edit, delete
    def action_add(self) -> None:
        if not self.may_change():
            return
        from .forms import ServerForm, ServiceForm
        svc = self.main.selected_service()
        if self.main.servers_focused() and svc is not None:
            self.app.push_screen(ServerForm(svc), lambda rs: rs and self.run_case(
                self.session.table.add, svc, rs))
        else:
            self.app.push_screen(ServiceForm(), lambda new: new and self.run_case(
                self.session.table.add, new))

    def target(self) -> tuple[VirtualService, RealServer | None] | None:
        """What an edit or delete acts on: the selected real server when its pane has the
        focus, else the selected service; None (and a word why) when nothing may change."""
        svc = self.main.selected_service() if self.may_change() else None
        if svc is None:
            return None
        if not self.main.servers_focused():
            return svc, None
        picked = self.main.selected_server()
        return (svc, picked[1]) if picked else None

    def action_edit(self) -> None:
        from .forms import ServerForm, ServiceForm
        target = self.target()
        if target is None:
            return
        svc, rs = target
        if rs is not None:
            self.app.push_screen(ServerForm(svc, rs), lambda new: new and self.run_case(
                self.session.table.edit_server, svc, rs, new))
        else:
            self.app.push_screen(ServiceForm(svc), lambda new: new and self.run_case(
                self.session.table.edit_service, svc, new))

    def action_delete(self) -> None:
        target = self.target()
        if target is None:
            return
        svc, rs = target
        where = self.console.pair_scope()
        question = ((f"Delete real server {rs.endpoint} from {svc.name}{where}?",
                     f"{plural(rs.active_conns, 'active connection')} on it.") if rs else
                    (f"Delete virtual service {svc.name}{where}?",
                     f"It has {plural(len(svc.servers), 'real server')}."))
        most = rs is None and 2 * 1 > len(self.console.services)   # more than half of the table
        ask = TypedConfirm(*question, word="delete") if most else Confirm(*question)
        self.app.push_screen(ask, lambda yes: yes and self.run_case(self.session.table.delete,
                                                                    svc, rs))

    def action_undo(self) -> None:
        if self.may_change():
            self.run_case(self.session.journal.undo)

    def action_redo(self) -> None:
        if self.may_change():
            self.run_case(self.session.journal.redo)

    def action_confirm(self) -> None:
        self.run_case(self.session.journal.confirm)

    # ------------------------------------------------------------ table-wide
    def action_zero(self) -> None:
        svc = self.main.selected_service()
        if svc is not None and self.may_change():
            self.run_case(self.session.table.zero, svc)

    def action_flush(self) -> None:
        if not self.may_change():
            return
        services = len(self.console.services)
        where = self.console.pair_scope()
        self.app.push_screen(
            TypedConfirm(f"Flush the IPVS table{where}?",
                         f"Deletes all {plural(services, 'virtual service')} and their "
                         "real servers (u puts them back).", word=str(services)),
            lambda yes: yes and self.run_case(self.session.table.flush))

    def action_save(self) -> None:
        from .forms import Prompt
        self.app.push_screen(Prompt("Save the table as ipvsadm rules to",
                                    self.session.rules.path, _path), self.save_to)

    def save_to(self, path: str | None) -> None:
        if path and self.session.rules.exists(path):
            self.app.push_screen(Confirm(f"{path} exists: overwrite it?",
                                         "The old file is kept as a .bak beside it."),
                                 lambda yes: yes and self.run_case(self.session.rules.save, path))
        elif path:
            self.run_case(self.session.rules.save, path)

    def action_load(self) -> None:
        if not self.may_change():
            return
        from .forms import Prompt
        self.app.push_screen(Prompt("Load ipvsadm rules from", self.session.rules.path, _path),
                             lambda path: path and self.preview_rules(path))

    @work(thread=True, group="files")
    def preview_rules(self, path: str) -> None:
        from ..ipvs import IPVSError
        try:
            ops = self.session.rules.plan_file(path)
        except (OSError, ValidationError, IPVSError) as exc:
            self.app.post_message(ChangeDone(Result([f"load {path}"], str(exc))))
            return
        if not ops:
            self.app.call_from_thread(self.notify, f"{path}: the table already matches it")
            return
        preview = "\n".join(op.command() for op in ops[:30])
        if len(ops) > 30:
            preview += f"\n… and {len(ops) - 30} more"
        question = f"Apply {plural(len(ops), 'change')} from {path}?"
        deleted, services = sum(op.kind is Kind.DELETE_SERVICE for op in ops), len(
            self.console.services)
        ask = (TypedConfirm(question, f"It deletes {deleted} of the {services} "
                                      f"virtual services.\n{preview}", word=str(deleted))
               if 2 * deleted > services else Confirm(question, preview))
        self.app.call_from_thread(self.app.push_screen, ask, lambda yes: yes and self.run_case(
            self.session.rules.restore, ops, path))


def _path(text: str) -> str:
    if not text:
        raise ValidationError("a file name is needed")
    return os.path.expanduser(text)
