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

from ..ipvs import Backend, IPVSError, open_backend
from ..ipvs.listing import service_flags
from ..ipvs.rules import sorted_servers, sorted_services
from ..model import Info, VirtualService, format_endpoint
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


class LvsApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "lvstui"
    BINDINGS = [("q", "quit", "Quit"), ("r", "refresh", "Refresh now")]

    def __init__(self, backend: Backend, refresh: float = 1.0, traffic=None):
        super().__init__()
        self.backend = backend
        self.refresh_every = refresh
        self.traffic = traffic
        self.services: list[VirtualService] = []
        self.read_at = 0.0
        self.info: Info | None = None

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


def run(backend_kind: str, demo: bool, refresh: float) -> int:
    backend = open_backend(backend_kind, demo)
    traffic = None
    if demo:
        from ..demo import Traffic
        traffic = Traffic(backend)
    try:
        LvsApp(backend, refresh, traffic).run()
    finally:
        backend.close()
    return 0
