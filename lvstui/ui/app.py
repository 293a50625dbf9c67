"""The console: live services, their real servers, and a log of what happened.

Reads happen in a thread worker that re-arms itself with a timer after each poll, so polls never
overlap and never block a keypress; results arrive as a ``TableRead`` message.
"""

from __future__ import annotations

import socket
import time

from textual import on, work
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, RichLog, Static

from dataclasses import replace

from ..audit import AuditLog
from ..ipvs import Backend, IPVSError, open_backend
from ..ipvs.listing import service_flags
from ..ipvs.rules import Operation, apply, sorted_servers, sorted_services
from ..model import Info, RealServer, ValidationError, VirtualService, format_endpoint
from .format import human

SERVICE_COLUMNS = ("Service", "Scheduler / flags", "Active", "InAct", "Conn/s", "InPkt/s",
                   "OutPkt/s", "In B/s", "Out B/s")
SERVER_COLUMNS = ("Real server", "Forward", "Weight", "Active", "InAct", "Conn/s", "In B/s",
                  "Out B/s", "Upper", "Lower")


class TableRead(Message):
    """One poll's result: the table as the backend holds it, or the error that stopped the read."""

    def __init__(self, services: list[VirtualService] | None, info: Info | None,
                 error: str | None = None):
        super().__init__()
        self.services, self.info, self.error = services, info, error


class ChangeDone(Message):
    """A change was sent: the operations applied (or tried) and the error, if any."""

    def __init__(self, ops: list[Operation], error: str | None):
        super().__init__()
        self.ops, self.error = ops, error


class LvsApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "lvstui"
    BINDINGS = [("q", "quit", "Quit"), ("r", "refresh", "Refresh"),
                ("plus", "weight(1)", "Weight +1"), ("minus", "weight(-1)", "Weight -1"),
                ("d", "drain", "Drain"), ("D", "restore", "Restore"), ("u", "undo", "Undo"),
                ("n", "network", "Network")]

    def __init__(self, backend: Backend, refresh: float = 1.0, traffic=None,
                 audit: AuditLog | None = None, network=None):
        super().__init__()
        self.backend = backend
        self.network = network
        self.refresh_every = refresh
        self.traffic = traffic
        self.audit = audit or AuditLog()
        self.services: list[VirtualService] = []
        self.read_at = 0.0
        self.info: Info | None = None
        self.drained: dict[tuple, int] = {}      # (service key, server key) -> weight before
        self.last_change: list[Operation] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="services", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="servers", cursor_type="row", zebra_stripes=True)
        yield RichLog(id="log", markup=False, wrap=True)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{socket.gethostname()} · {self.backend.name}"
        services = self.query_one("#services", DataTable)
        services.border_title = "Virtual services"
        services.add_columns(*SERVICE_COLUMNS)
        servers = self.query_one("#servers", DataTable)
        servers.border_title = "Real servers"
        servers.add_columns(*SERVER_COLUMNS)
        self.query_one("#log", RichLog).border_title = "Log"
        self.set_interval(1.0, self.show_status)
        self.poll()

    @work(thread=True, exclusive=True, group="poll")
    def poll(self) -> None:
        try:
            if self.traffic is not None:
                self.traffic.tick(self.refresh_every)
            self.post_message(TableRead(self.backend.services(), self.backend.info()))
        except (IPVSError, OSError) as exc:
            self.post_message(TableRead(None, None, str(exc)))

    @on(TableRead)
    def show_table(self, event: TableRead) -> None:
        if event.error:
            self.log_line(f"error: {event.error}")
            self.notify(event.error, severity="error", timeout=6)
        else:
            self.services, self.info = sorted_services(event.services), event.info
            self.read_at = time.monotonic()
            self.fill_services()
        self.set_timer(self.refresh_every, self.poll)

    def fill_services(self) -> None:
        table = self.query_one("#services", DataTable)
        row = table.cursor_row
        table.clear()
        for svc in self.services:
            st = svc.stats
            table.add_row(svc.name, service_flags(svc),
                          str(sum(rs.active_conns for rs in svc.servers)),
                          str(sum(rs.inactive_conns for rs in svc.servers)),
                          human(st.cps), human(st.inpps), human(st.outpps),
                          human(st.inbps, "B"), human(st.outbps, "B"))
        if self.services:
            table.move_cursor(row=min(row, len(self.services) - 1))
        self.fill_servers()

    def fill_servers(self) -> None:
        table = self.query_one("#servers", DataTable)
        row = table.cursor_row
        table.clear()
        svc = self.selected_service()
        servers = sorted_servers(svc.servers) if svc else []
        table.border_title = f"Real servers of {svc.name}" if svc else "Real servers"
        for rs in servers:
            st = rs.stats
            table.add_row(format_endpoint(rs.address, rs.port), rs.forwarding.label,
                          str(rs.weight), str(rs.active_conns), str(rs.inactive_conns),
                          human(st.cps), human(st.inbps, "B"), human(st.outbps, "B"),
                          str(rs.upper_threshold), str(rs.lower_threshold))
        if servers:
            table.move_cursor(row=min(row, len(servers) - 1))

    def selected_service(self) -> VirtualService | None:
        row = self.query_one("#services", DataTable).cursor_row
        return self.services[row] if 0 <= row < len(self.services) else None

    @on(DataTable.RowHighlighted, "#services")
    def service_highlighted(self) -> None:
        self.fill_servers()

    def show_status(self) -> None:
        info = self.info
        kernel = f"IPVS {info.version} (size={info.conn_table_size})" if info else "IPVS: not read yet"
        age = f"read {time.monotonic() - self.read_at:.0f} s ago" if self.read_at else "reading…"
        self.query_one("#status", Static).update(
            f"{kernel} · {len(self.services)} services · {age}")

    def log_line(self, text: str) -> None:
        self.query_one("#log", RichLog).write(f"{time.strftime('%H:%M:%S')} {text}")

    def action_refresh(self) -> None:
        self.poll()

    # ------------------------------------------------------------ changes
    def selected_server(self) -> tuple[VirtualService, RealServer] | None:
        svc = self.selected_service()
        row = self.query_one("#servers", DataTable).cursor_row
        servers = sorted_servers(svc.servers) if svc else []
        if not 0 <= row < len(servers):
            self.notify("select a real server first", severity="warning")
            return None
        return svc, servers[row]

    def action_weight(self, delta: int) -> None:
        picked = self.selected_server()
        if picked:
            self.change_weight(*picked, lambda w: max(0, w + delta))

    def action_drain(self) -> None:
        picked = self.selected_server()
        if picked:
            svc, rs = picked
            if rs.weight == 0:
                self.notify(f"{rs.endpoint} is already drained (weight 0)")
                return
            self.drained[(svc.key, rs.key)] = rs.weight
            self.change_weight(svc, rs, lambda w: 0)

    def action_restore(self) -> None:
        picked = self.selected_server()
        if picked:
            svc, rs = picked
            weight = self.drained.pop((svc.key, rs.key), None)
            if weight is None:
                self.notify(f"{rs.endpoint} was not drained here: set its weight instead",
                            severity="warning")
                return
            self.change_weight(svc, rs, lambda w: weight)

    def action_undo(self) -> None:
        if not self.last_change:
            self.notify("nothing to undo")
            return
        undo = [inv for op in reversed(self.last_change) for inv in op.inverse()]
        self.last_change = []
        self.send_change(lambda: undo)

    def change_weight(self, svc: VirtualService, rs: RealServer, weight_of) -> None:
        """Edit the live entry (read again now), changing only its weight."""
        def ops():
            live = self.backend.find_server(svc, rs.address, rs.port)
            return [Operation("edit-server", svc, replace(live, weight=weight_of(live.weight)),
                              before=live)]
        self.send_change(ops)

    @work(thread=True, group="change")
    def send_change(self, make_ops) -> None:
        ops: list[Operation] = []
        try:
            ops = make_ops()
            apply(self.backend, ops)
            error = None
        except (IPVSError, ValidationError) as exc:
            error = str(exc)
        self.post_message(ChangeDone(ops, error))

    def record_change(self, commands: list[str], error: str | None) -> None:
        """Every change: a line in the log pane and in the audit log; errors also notified."""
        for command in commands:
            self.log_line(f"{command}  [{'failed' if error else 'ok'}]")
            warning = self.audit.record(command, error or "ok")
            if warning:
                self.notify(warning, severity="warning")
        if error:
            self.log_line(f"error: {error}")
            self.notify(error, severity="error", timeout=8)

    @on(ChangeDone)
    def change_done(self, event: ChangeDone) -> None:
        self.record_change([op.command() for op in event.ops], event.error)
        if event.ops and not event.error:
            self.last_change = event.ops
        self.poll()

    def action_network(self) -> None:
        if self.network is None:
            self.notify("no network adapter in this session", severity="warning")
            return
        from .network import NetworkScreen
        self.push_screen(NetworkScreen(self.network, self.backend))


def run(backend_kind: str, demo: bool, refresh: float, audit_path: str) -> int:
    backend = open_backend(backend_kind, demo)
    traffic = None
    if demo:
        from ..demo import Traffic
        from ..system.network import SimulatedNetwork
        traffic, network = Traffic(backend), SimulatedNetwork()
    else:
        from ..system.network import HostNetwork
        network = HostNetwork()
    try:
        LvsApp(backend, refresh, traffic, AuditLog(audit_path), network).run()
    finally:
        network.close()
        backend.close()
    return 0
