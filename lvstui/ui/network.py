"""The network screen: the IPVS VIPs and whether this host holds them; the DR settings."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from .widgets.fitted import FittedTable
from .widgets.footer import FittingFooter
from ..session import Session
from .confirm import Confirm

def toggled(wanted: str) -> str:
    """The value a toggle sets when the wanted one holds: off, or on where off is wanted."""
    return "1" if wanted == "0" else "0"


ROLES = ("director", "real-server", "tunnel-real-server")


@dataclass
class NetworkRead(Message, bubble=False):
    """This host's VIPs, the profile's settings and the connections per VIP (or why not)."""

    vips: dict
    states: list
    conns: object
    error: str | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, NetworkRead)


class NetworkScreen(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back"), ("q", "app.pop_screen", "Back"),
                ("m", "role", "Next profile"), ("A", "apply", "Apply profile"),
                ("space", "toggle", "Toggle setting"), ("enter", "vip", "Add/remove VIP")]

    def __init__(self, session: Session, services: list):
        super().__init__()
        self.session, self.services = session, services
        self.network = session.network
        self.role = "director"
        self.vip_rows: list[tuple[str, str, str | None, int]] = []   # vip, services, label, conns
        self.states = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="net-title")
        yield FittedTable(("VIP", "Services", "On this host", "Live conns"), id="vips",
                          cursor_type="row")
        yield FittedTable(("Setting", "Current", "Wanted", "Holds", "Why"), id="settings",
                          cursor_type="row")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#vips", FittedTable).border_title = "VIPs of the IPVS table"
        self.reload()

    @work(thread=True, exclusive=True, group="network")
    def reload(self) -> None:
        view = self.session.host.view(self.role)
        self.post_message(NetworkRead(view.vips, view.states, view.conns, view.error))

    @on(NetworkRead)
    def show(self, event: NetworkRead) -> None:
        if event.error:
            self.app.notify(event.error, severity="error")
        services: dict[str, list[str]] = {}
        for svc in self.services:
            if not svc.is_fwmark:
                services.setdefault(svc.address, []).append(svc.name)
        self.vip_rows = [(vip, ", ".join(names), event.vips.get(vip), event.conns.get(vip, 0))
                         for vip, names in services.items()]
        self.query_one("#vips", FittedTable).show_rows(
            (vip, names, f"yes, on {label}" if label else "not active on this director", conns)
            for vip, names, label, conns in self.vip_rows)
        self.states = event.states
        settings = self.query_one("#settings", FittedTable)
        settings.border_title = f"DR {self.role} profile"
        settings.show_rows((st.setting.name, st.current or "-", st.setting.wanted,
                            "yes" if st.holds else "NO", st.setting.why) for st in self.states)
        wrong = sum(not st.holds for st in self.states)
        self.query_one("#net-title", Static).update(
            f"Network of this host · profile {self.role}: "
            + (f"{wrong} setting(s) differ" if wrong else "every setting holds"))

    def action_role(self) -> None:
        self.role = ROLES[(ROLES.index(self.role) + 1) % len(ROLES)]
        self.reload()

    def action_apply(self) -> None:
        changes = [st for st in self.states if not st.holds]
        if not changes:
            self.app.notify(f"the {self.role} profile already holds")
            return
        preview = "\n".join(f"sysctl -w {st.setting.name}={st.setting.wanted}   (now {st.current})"
                            for st in changes)
        role = self.role
        self.app.push_screen(Confirm(f"Apply the DR {role} profile?", preview),
                             lambda yes: yes and self.change(self.session.host.apply, role))

    def action_toggle(self) -> None:
        row = self.query_one("#settings", FittedTable).cursor_row
        if not 0 <= row < len(self.states):
            return
        st = self.states[row]
        value = toggled(st.setting.wanted) if st.holds else st.setting.wanted
        self.change(self.session.host.set, st.setting.name, value, st.current)

    @on(DataTable.RowSelected, "#vips")
    def vip_selected(self) -> None:
        self.action_vip()

    def action_vip(self) -> None:
        row = self.query_one("#vips", FittedTable).cursor_row
        if not 0 <= row < len(self.vip_rows):
            return
        vip, names, label, conns = self.vip_rows[row]
        if label:
            warning = (f"{conns} live connection(s) use it and will break." if conns
                       else "No live connections use it.")
            self.app.push_screen(
                Confirm(f"Remove VIP {vip} ({label}) from this host?", warning),
                lambda yes: yes and self.change(self.session.host.vip_remove, vip))
        else:
            self.app.push_screen(
                Confirm(f"Add VIP {vip} on {self.network.interface} and announce it?",
                        f"serves {names}"),
                lambda yes: yes and self.change(self.session.host.vip_add, vip))

    def change(self, case, *args) -> None:
        """A use case of the session, on the change thread: made (or in dry-run only shown),
        logged and audited, one entry of the history (u takes it back); then the screen
        reads again."""
        self.app.run_case(case, *args, then=lambda _: self.app.call_from_thread(self.reload))
