"""The heartbeat screen: the cluster's state, ha.cf / haresources / authkeys with their findings,
and edits — validated, previewed as a diff (secrets masked), written safely, reload on request."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..ha.config import TIMES, AuthKeys, parse_time
from ..model import ValidationError
from ..session import Proposal, Result, Session
from .confirm import Confirm
from .events import ChangeDone, may_change
from .format import peers_text


class HeartbeatRead(Message):
    def __init__(self, cluster, config, findings, error=None):
        super().__init__()
        self.cluster, self.config, self.findings, self.error = cluster, config, findings, error


class HeartbeatScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("e", "edit", "Edit"), ("a", "add", "Add node/media"), ("delete", "remove", "Remove"),
                ("R", "reload", "Reload heartbeat")]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.rows: list[tuple[str, str, object, str]] = []   # (kind, label, payload, value)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="hb-state", markup=False)
        yield DataTable(id="hb-settings", cursor_type="row")
        yield Static(id="hb-findings", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#hb-settings", DataTable)
        table.border_title = f"Heartbeat configuration ({self.session.ha_dir})"
        table.add_columns("Setting", "Value", "File:line")
        table.focus()
        self.reload()

    @work(thread=True, exclusive=True, group="heartbeat")
    def reload(self) -> None:
        heartbeat = self.session.heartbeat
        cluster = heartbeat.state() if heartbeat is not None else None
        try:
            config, findings = self.session.ha_read()
        except OSError as exc:
            where = exc.filename or self.session.ha_dir
            self.post_message(HeartbeatRead(cluster, None, [], f"{where}: {exc.strerror}"))
            return
        self.post_message(HeartbeatRead(cluster, config, findings))

    @on(HeartbeatRead)
    def show(self, event: HeartbeatRead) -> None:
        self.query_one("#hb-state", Static).update(peers_text(event.cluster))
        table = self.query_one("#hb-settings", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = []
        if event.config is None:
            self.query_one("#hb-findings", Static).update(f"cannot read: {event.error}")
            return
        cf = event.config.ha_cf
        for name in TIMES + ("udpport", "auto_failback"):
            found = cf.all(name)
            value = " ".join(found[-1].args) if found else "(not set)"
            self._row(table, ("directive", name, name), value,
                      f"ha.cf:{found[-1].lineno}" if found else "ha.cf")
        for d in cf.all("node"):
            self._row(table, ("line", f"node {' '.join(d.args)}", ("node", d.args)),
                      "", f"ha.cf:{d.lineno}")
        for kind in ("ucast", "bcast", "mcast", "serial"):
            for d in cf.all(kind):
                self._row(table, ("line", f"{kind} {' '.join(d.args)}", (kind, d.args)),
                          "", f"ha.cf:{d.lineno}")
        if event.config.haresources is not None:
            for g in event.config.haresources.groups():
                for r in g.resources:
                    self._row(table, ("resource", f"resource of {g.node}", r), r,
                              f"haresources:{g.lineno}")
        if event.config.authkeys is not None:
            self._row(table, ("authkey", "auth key", None), event.config.authkeys.describe(),
                      "authkeys")
        if self.rows:
            table.move_cursor(row=min(row, len(self.rows) - 1))
        findings = event.findings
        self.query_one("#hb-findings", Static).update(
            "\n".join(str(f) for f in findings) if findings else
            "check-config: no problems found")

    def _row(self, table: DataTable, row: tuple, value: str, where: str) -> None:
        self.rows.append((*row, value))
        table.add_row(row[1], value, where)

    def current(self):
        row = self.query_one("#hb-settings", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # ------------------------------------------------------------ edits
    def action_edit(self) -> None:
        from .forms import Prompt
        row = self.current()
        if row is None or not may_change(self, self.session):
            return
        kind, label, payload, value = row
        if kind == "directive":
            def parse(text: str) -> str:
                if payload in TIMES and parse_time(text) is None:
                    raise ValidationError(f"{payload}: seconds (2) or milliseconds (500ms)")
                if not text or any(c.isspace() for c in text):
                    raise ValidationError("one value, without spaces")
                return text
            current = "" if value == "(not set)" else value
            self.app.push_screen(Prompt(f"ha.cf: {payload}", current, parse),
                                 lambda v: v and self.propose(f"ha.cf: {payload} {v}",
                                                              lambda c: c.ha_cf.set(payload, v)))
        elif kind == "resource":
            self.app.push_screen(
                Prompt("haresources: the resource (e.g. the VIP 172.26.46.119/24/eth0)",
                       payload, _word),
                lambda v: v and self.propose(
                    f"haresources: {payload} -> {v}",
                    lambda c: c.haresources.replace_resource(payload, v)))
        elif kind == "authkey":
            self.app.push_screen(
                Prompt("authkeys: INDEX METHOD SECRET (e.g. 2 sha1 s3cret)", "", _key_words,
                       password=True),
                lambda v: v and self.propose("authkeys: new key (secret not shown)",
                                             lambda c: c.authkeys.set_key(*v)))
        else:
            self.app.notify("remove the line (Del) and add the new one (+)")

    def action_add(self) -> None:
        from .forms import Prompt
        if not may_change(self, self.session):
            return

        def parse(text: str) -> tuple[str, str]:
            name, _, value = text.strip().partition(" ")
            if name not in ("node", "ucast", "bcast", "mcast", "serial") or not value.strip():
                raise ValidationError("node NAME, or a media line: ucast eth1 192.168.0.2")
            return name, value.strip()
        self.app.push_screen(Prompt("ha.cf: add a line", "", parse,
                                    placeholder="node debian.cluster.net"),
                             lambda v: v and self.propose(f"ha.cf: add {v[0]} {v[1]}",
                                                          lambda c: c.ha_cf.add(*v)))

    def action_remove(self) -> None:
        row = self.current()
        if row is None or row[0] != "line" or not may_change(self, self.session):
            return
        name, args = row[2]
        if name == "node" and len([r for r in self.rows if r[1].startswith("node ")]) <= 1:
            self.app.notify("the last node line stays", severity="warning")
            return
        self.propose(f"ha.cf: remove {name} {' '.join(args)}",
                     lambda c: c.ha_cf.remove(name, args))

    @work(thread=True, group="heartbeat-edit")
    def propose(self, what: str, edit) -> None:
        """Apply *edit* to a fresh read of the files, check it, and ask with the diff."""
        proposal = self.session.ha_propose(what, edit)
        if proposal.refused:
            self.done(self.session.ha_write(proposal))
            return
        self.app.call_from_thread(
            self.app.push_screen, Confirm(f"Write {what}?", proposal.diff or "(no change)"),
            lambda yes: yes and self.write(proposal))

    @work(thread=True, group="heartbeat-edit")
    def write(self, proposal: Proposal) -> None:
        result = self.session.ha_write(proposal)
        self.done(result)
        self.reload()
        if result.ok and not result.dry_run:
            self.app.call_from_thread(
                self.app.push_screen,
                Confirm("Reload heartbeat so that it reads the change?",
                        f"runs: {self.session.ha_reload_command()}"),
                lambda yes: yes and self.reload_heartbeat())

    def action_reload(self) -> None:
        if may_change(self, self.session):
            self.app.push_screen(Confirm("Reload heartbeat?",
                                         f"runs: {self.session.ha_reload_command()}"),
                                 lambda yes: yes and self.reload_heartbeat())

    @work(thread=True, group="heartbeat-edit")
    def reload_heartbeat(self) -> None:
        self.done(self.session.ha_reload())

    def done(self, result: Result) -> None:
        """The result goes to the console's log (the app shows every use case's result)."""
        self.app.post_message(ChangeDone(result))


def _word(text: str) -> str:
    if not text or any(c.isspace() for c in text):
        raise ValidationError("one word, without spaces")
    return text


def _key_words(text: str) -> tuple[str, str, str]:
    """The words of a new key, checked by the one authkeys validator (``AuthKeys.set_key``)."""
    words = text.split()
    if len(words) != 3:
        raise ValidationError("INDEX METHOD SECRET, e.g. 2 sha1 s3cret")
    try:
        AuthKeys("", "authkeys").set_key(*words)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    return words[0], words[1], words[2]
