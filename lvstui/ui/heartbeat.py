"""The heartbeat screen: the cluster's state, ha.cf / haresources / authkeys with their findings,
and edits — validated, previewed as a diff (secrets masked), written safely, reload on request."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from .widgets.fitted import FittedTable
from .widgets.footer import FittingFooter
from ..cases.ha_files import FileRow, HaFiles
from ..session import Proposal, Result, Session
from .confirm import Confirm
from .events import may_change
from .format import peers_text


@dataclass
class HeartbeatRead(Message, bubble=False):
    """The HA manager's state and its files read."""

    cluster: object
    files: HaFiles

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, HeartbeatRead)


class HeartbeatScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("e", "edit", "Edit"), ("a", "add", "Add node/media"), ("delete", "remove", "Remove"),
                ("R", "reload", "Reload heartbeat")]
    KEY_HELP = {"edit": "edit the selected setting, resource line or key (checked before writing)",
                "add": "add a node or a media line (ucast, bcast, mcast) to ha.cf",
                "remove": "remove the selected line (asks first)",
                "reload": "make heartbeat re-read its files (asks first)",
                "app.pop_screen": "back to the table"}     # ? words the keys so

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.rows: list[FileRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="hb-state", markup=False)
        yield FittedTable(("Setting", "Value", "File:line"), id="hb-settings", cursor_type="row")
        yield Static(id="hb-findings", markup=False)
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one("#hb-settings", FittedTable)
        table.border_title = f"Heartbeat configuration ({self.session.ha.dir})"
        table.focus()
        self.reload()

    @work(thread=True, exclusive=True, group="heartbeat")
    def reload(self) -> None:
        heartbeat = self.session.heartbeat
        cluster = heartbeat.state() if heartbeat is not None else None
        self.post_message(HeartbeatRead(cluster, self.session.ha_files.read()))

    @on(HeartbeatRead)
    def show(self, event: HeartbeatRead) -> None:
        self.query_one("#hb-state", Static).update(peers_text(event.cluster))
        files = event.files
        self.rows = files.rows
        self.query_one("#hb-settings", FittedTable).show_rows(
            (r.label, r.value, r.where) for r in self.rows)
        if files.error:
            self.query_one("#hb-findings", Static).update(f"cannot read: {files.error}")
            return
        self.query_one("#hb-findings", Static).update(
            "\n".join(str(f) for f in files.findings) if files.findings else
            "check-config: no problems found")

    def current(self) -> FileRow | None:
        row = self.query_one("#hb-settings", FittedTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # ------------------------------------------------------------ edits
    def action_edit(self) -> None:
        from .forms import Prompt
        row = self.current()
        if row is None or not may_change(self, self.session):
            return
        edits = self.session.ha_files
        if row.kind == "directive":
            name = row.payload
            current = "" if row.value == "(not set)" else row.value
            self.app.push_screen(Prompt(f"ha.cf: {name}", current,
                                        lambda text: edits.check_setting(name, text)),
                                 lambda v: v and self.propose(edits.set_setting, name, v))
        elif row.kind == "resource":
            self.app.push_screen(
                Prompt("haresources: the resource (e.g. the VIP 172.26.46.119/24/eth0)",
                       row.payload, edits.check_word),
                lambda v: v and self.propose(edits.replace_resource, row.payload, v))
        elif row.kind == "authkey":
            self.app.push_screen(
                Prompt("authkeys: INDEX METHOD SECRET (e.g. 2 sha1 s3cret)", "", edits.check_key,
                       password=True),
                lambda v: v and self.propose(edits.set_key, *v))
        else:
            self.app.notify("remove the line (Del) and add the new one (+)")

    def action_add(self) -> None:
        from .forms import Prompt
        if not may_change(self, self.session):
            return
        edits = self.session.ha_files
        self.app.push_screen(Prompt("ha.cf: add a line", "", edits.check_line,
                                    placeholder="node debian.cluster.net"),
                             lambda v: v and self.propose(edits.add_line, *v))

    def action_remove(self) -> None:
        row = self.current()
        if row is None or row.kind != "line" or not may_change(self, self.session):
            return
        name, args = row.payload
        if name == "node" and len([r for r in self.rows if r.label.startswith("node ")]) <= 1:
            self.app.notify("the last node line stays", severity="warning")
            return
        self.propose(self.session.ha_files.remove_line, name, args)

    @work(thread=True, group="heartbeat-edit")
    def propose(self, edit, *args) -> None:
        """*edit(*args)*: the edit applied to a fresh read of the files and checked; asked
        with the diff."""
        proposal = edit(*args)
        what = proposal.what
        if proposal.refused:
            self.app.call_from_thread(self.write, proposal)       # says why, in the log
            return
        self.app.call_from_thread(
            self.app.push_screen, Confirm(f"Write {what}?", proposal.diff or "(no change)"),
            lambda yes: yes and self.write(proposal))

    def write(self, proposal: Proposal) -> None:
        """On the change thread; then the screen reads again and offers heartbeat's reload."""
        self.app.run_case(self.session.ha.write, proposal,
                          then=lambda result: self.app.call_from_thread(self.written, result))

    def written(self, result: Result) -> None:
        self.reload()
        if result.ok and not result.dry_run:
            self.app.push_screen(Confirm("Reload heartbeat so that it reads the change?",
                                         f"runs: {self.session.ha.reload_command()}"),
                                 lambda yes: yes and self.reload_heartbeat())

    def action_reload(self) -> None:
        if may_change(self, self.session):
            self.app.push_screen(Confirm("Reload heartbeat?",
                                         f"runs: {self.session.ha.reload_command()}"),
                                 lambda yes: yes and self.reload_heartbeat())

    def reload_heartbeat(self) -> None:
        self.app.run_case(self.session.ha.reload)
