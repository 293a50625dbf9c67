"""The console: live services, their real servers, and a log of every change.

Reads happen in a thread worker that re-arms itself with a timer after each poll, so polls never
overlap and never block a keypress; results arrive as a ``TableRead`` message. Changes are
``rules.Operation``s applied in a worker (``ChangeDone``); in dry-run mode they are only shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import replace

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer, Header, Input, RichLog, Static

from ..audit import AuditLog
from ..files import atomic_write
from ..ipvs import Backend, IPVSError, open_backend
from ..ipvs.backend import NoSuchServer, NoSuchService, NotPermitted
from ..ipvs.rules import (Operation, apply, diff, parse_rules, save, service_spec,
                          sorted_servers, sorted_services)
from ..system import SettingError
from ..health.sources import LocalMonitor
from ..model import (Info, RealServer, ValidationError, VirtualService, edited,
                     format_endpoint, parse_weight)
from .confirm import Confirm
from .health import HealthDetail
from .panes import SERVICE_COLUMNS, server_columns, server_text, service_text, servers_text
from .themes import register_themes
from .widgets.rowtable import RowTable

RULES_FILE = "/etc/lvstui/ipvs.rules"


class TableRead(Message):
    """One poll's result: the table as the backend holds it (and which of its VIPs this host
    holds), or the error that stopped the read."""

    def __init__(self, services: list[VirtualService] | None, info: Info | None,
                 error: str | None = None, denied: bool = False, held: set | None = None,
                 cluster=None, health=None):
        super().__init__()
        self.services, self.info, self.error, self.denied = services, info, error, denied
        self.held, self.cluster, self.health = held, cluster, health


class ChangeDone(Message):
    """A change was sent (or only shown, in dry-run): its operations, the error if any, and the
    services it touched as the table holds them now (None: gone)."""

    def __init__(self, ops: list[Operation], error: str | None, dry_run: bool = False,
                 fresh: dict | None = None):
        super().__init__()
        self.ops, self.error, self.dry_run, self.fresh = ops, error, dry_run, fresh or {}


ACTIONS = [  # (key, action, footer label, help text) — also the command palette's entries
    ("plus", "weight(1)", "+1", "weight of the selected real server +1"),
    ("minus", "weight(-1)", "-1", "weight of the selected real server -1"),
    ("greater_than_sign", "weight(10)", "+10", "weight +10 (shift+.)"),
    ("less_than_sign", "weight(-10)", "-10", "weight -10 (shift+,)"),
    ("w", "set_weight", "Weight", "set the weight of the selected real server"),
    ("d", "drain", "Drain", "drain: weight 0, the old weight remembered"),
    ("D", "restore", "Restore", "restore a drained real server's weight"),
    ("a", "add", "Add", "add a service (services pane) or a real server (servers pane)"),
    ("e", "edit", "Edit", "edit the selected service or real server"),
    ("delete", "delete", "Delete", "delete the selected service or real server (asks first)"),
    ("u", "undo", "Undo", "undo the last change"),
    ("z", "zero", "Zero", "zero the counters of the selected service"),
    ("F", "flush", "Flush", "delete every virtual service (asks first)"),
    ("s", "save", "Save", "save the table as an ipvsadm rules file"),
    ("l", "load", "Load", "load a rules file: preview the difference, then apply it"),
    ("slash", "filter", "Filter", "filter services and real servers by text"),
    ("c", "connections", "Conns", "the connection table (ipvsadm -Lc)"),
    ("n", "network", "Network", "VIPs on this host and the DR sysctl profiles"),
    ("T", "toggle_dry_run", "Dry-run", "dry-run: show changes as ipvsadm commands, apply nothing"),
    ("p", "heartbeat_screen", "Peers", "heartbeat: state, ha.cf/haresources/authkeys, edits"),
    ("h", "failover('standby')", "Standby", "heartbeat standby: hand the VIP to the peer (asks)"),
    ("t", "failover('takeover')", "Takeover", "heartbeat takeover: take the VIP (asks)"),
    ("i", "health_detail", "Health", "the selected real server's health checks in detail"),
    ("r", "refresh", "Refresh", "read the table now"),
    ("question_mark", "help", "Help", "the keys"),
]


class LvsApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "lvstui"
    BINDINGS = [Binding("q", "quit", "Quit")] + [
        Binding(key, action, label, show=key in ("plus", "minus", "d", "a", "e", "slash", "c",
                                                 "n", "question_mark"))
        for key, action, label, _ in ACTIONS]

    def __init__(self, backend: Backend, refresh: float = 1.0, traffic=None,
                 audit: AuditLog | None = None, network=None, dry_run: bool = False,
                 read_only: bool = False, theme: str | None = None, host: str | None = None,
                 heartbeat=None, ha_dir: str = "/etc/ha.d", health=None):
        super().__init__()
        self.health = health                       # PublishedHealth, LocalMonitor or None
        self.health_state = None
        self.heartbeat, self.ha_dir = heartbeat, ha_dir
        self.host = host or socket.gethostname()
        self.backend = backend
        self.network = network
        self.refresh_every = refresh
        self.traffic = traffic
        self.audit = audit or AuditLog()
        self.dry_run = dry_run
        self.read_only = read_only
        self.wanted_theme = theme
        self.services: list[VirtualService] = []
        self.read_at = 0.0
        self.info: Info | None = None
        self.filter_text = ""
        self.role = "role unknown"
        self.drained: dict[tuple, int] = {}      # (service key, server key) -> weight before
        self.last_change: list[Operation] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner")
        yield RowTable(SERVICE_COLUMNS, key=lambda s: s.key, id="services")
        yield RowTable(server_columns(self.server_health), key=lambda r: r.key, id="servers")
        yield Static("Heartbeat peers: not read yet", id="peers", markup=False)
        yield RichLog(id="log", markup=False, wrap=True)
        yield Input(placeholder="filter: part of an address, port, scheduler…", id="filter")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        register_themes(self)
        if self.wanted_theme:
            self.theme = self.wanted_theme
        self.sub_title = f"{self.host} · {self.backend.name}"
        self.query_one("#services").border_title = "Virtual services"
        self.query_one("#servers").border_title = "Real servers"
        self.query_one("#log").border_title = "Log"
        self.query_one("#filter").display = False
        self.show_banner()
        self.set_interval(1.0, self.show_status)
        self.set_interval(2.0, self.check_terminal)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)
        self.query_one("#services").focus()
        self.poll()

    # ------------------------------------------------------------ reading
    @work(thread=True, exclusive=True, group="poll")
    def poll(self) -> None:
        try:
            if self.traffic is not None:
                self.traffic.tick(self.refresh_every)
            services = sorted_services(self.backend.services())
            held = None
            if self.network is not None:
                try:
                    held = set(self.network.vips())
                except (SettingError, OSError):
                    held = None
            cluster = self.heartbeat.state() if self.heartbeat is not None else None
            health = self.health.read() if self.health is not None else None
            self.post_message(TableRead(services, self.backend.info(), held=held,
                                        cluster=cluster, health=health))
        except NotPermitted as exc:
            self.post_message(TableRead(None, None, str(exc), denied=True))
        except (IPVSError, OSError) as exc:
            self.post_message(TableRead(None, None, str(exc)))

    @on(TableRead)
    def show_table(self, event: TableRead) -> None:
        with contextlib.suppress(NoMatches):     # a read that lands while the app closes
            self._show_table(event)
        if self.is_running:
            self.set_timer(self.refresh_every, self.poll)

    def _show_table(self, event: TableRead) -> None:
        if event.error:
            if event.denied and not self.read_only:
                self.read_only = True
                self.show_banner()
            self.log_line(f"error: {event.error}")
            self.notify(event.error, severity="error", timeout=6)
        else:
            self.services, self.info = event.services, event.info
            self.read_at = time.monotonic()
            self.role = director_role(self.services, event.held)
            self.show_peers(event.cluster)
            self.note_health(event.health)
            self.fill_services()
            self.show_status()

    def note_health(self, state) -> None:
        """Keep the health read; log each real server that went down or came back."""
        before, self.health_state = self.health_state, state
        if state is None or before is None:
            return
        names = {s.key: s.name for s in self.services}
        for key, h in state.servers.items():
            old = before.servers.get(key)
            if old is not None and old.up != h.up:
                endpoint = format_endpoint(*key[1])
                self.log_line(f"health: {names.get(key[0], 'service')} {endpoint} "
                              + ("up again" if h.up else f"DOWN ({h.result})"))

    def server_health(self, rs: RealServer):
        svc = self.selected_service()
        if self.health_state is None or svc is None:
            return None
        return self.health_state.servers.get((svc.key, rs.key))

    def health_source(self) -> str:
        state = self.health_state
        if self.health is None:
            return "health: not watched"
        if isinstance(self.health, LocalMonitor):
            return f"health: {self.health.source}"
        if state is None:
            return "health: no lvstui monitor"
        return (f"health: lvstui monitor (pid {state.pid})" if state.running
                else "health: lvstui monitor NOT RUNNING (last state shown)")

    def action_health_detail(self) -> None:
        picked = self.selected_server()
        if picked is None:
            return
        svc, rs = picked
        self.push_screen(HealthDetail(f"{svc.name} → {rs.endpoint}", self.server_health(rs),
                                      self.health_source()))

    def fill_services(self, narrowing: bool = False) -> None:
        """Show the services that match the filter; *narrowing* (the filter only grew) looks
        only at the ones shown now."""
        text = self.filter_text
        source = self.query_one("#services", RowTable).items if narrowing else self.services
        shown = self.services if not text else [
            s for s in source
            if text in service_text(s) or text in servers_text(s)]
        self.query_one("#services", RowTable).set_items(shown)
        self.fill_servers()

    def fill_servers(self) -> None:
        table = self.query_one("#servers", RowTable)
        svc = self.selected_service()
        servers = sorted_servers(svc.servers) if svc else []
        if svc and self.filter_text and self.filter_text not in service_text(svc):
            servers = [r for r in servers if self.filter_text in server_text(r)]
        table.border_title = f"Real servers of {svc.name}" if svc else "Real servers"
        table.set_items(servers)

    def selected_service(self) -> VirtualService | None:
        return self.query_one("#services", RowTable).current

    @on(RowTable.Highlighted, "#services")
    def service_highlighted(self) -> None:
        with contextlib.suppress(NoMatches):     # a highlight that lands while the app closes
            self.fill_servers()

    @on(RowTable.SortRequested)
    def sort_requested(self, event: RowTable.SortRequested) -> None:
        event.table.sort_by(event.column)

    def show_status(self) -> None:
        with contextlib.suppress(NoMatches):
            self._show_status()

    def _show_status(self) -> None:
        info = self.info
        kernel = f"IPVS {info.version} (size={info.conn_table_size})" if info else "IPVS: not read"
        age = f"read {time.monotonic() - self.read_at:.0f} s ago" if self.read_at else "reading…"
        shown = len(self.query_one("#services", RowTable).items)
        count = f"{shown}/{len(self.services)} services" if self.filter_text else \
            f"{len(self.services)} services"
        self.query_one("#status", Static).update(
            f"{self.role} · {kernel} · {count} · {self.health_source()} · {age}")

    def show_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        parts = []
        if self.read_only:
            parts.append("READ-ONLY: not root, so the table cannot be changed (run lvstui as root)")
        if self.dry_run:
            parts.append("DRY-RUN: changes are shown as ipvsadm commands and not applied (T)")
        banner.update(" · ".join(parts))
        banner.display = bool(parts)
        banner.set_class(self.read_only, "read-only")

    def log_line(self, text: str) -> None:
        with contextlib.suppress(NoMatches):
            self.query_one("#log", RichLog).write(f"{time.strftime('%H:%M:%S')} {text}")

    def action_refresh(self) -> None:
        self.poll()

    # ------------------------------------------------------------ filter
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        old, self.filter_text = self.filter_text, event.value.strip().lower()
        self.fill_services(narrowing=bool(old) and self.filter_text.startswith(old))

    @on(Input.Submitted, "#filter")
    def filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.query_one("#services").focus()

    # ------------------------------------------------------------ selection helpers
    def selected_server(self) -> tuple[VirtualService, RealServer] | None:
        svc = self.selected_service()
        rs = self.query_one("#servers", RowTable).current
        if svc is None or rs is None:
            self.notify("select a real server first", severity="warning")
            return None
        return svc, rs

    def may_change(self) -> bool:
        if self.read_only:
            self.notify("read-only: lvstui is not running as root, so it cannot change the "
                        "IPVS table", severity="warning")
        return not self.read_only

    def servers_focused(self) -> bool:
        return self.focused is self.query_one("#servers")

    # ------------------------------------------------------------ weights
    def action_weight(self, delta: int) -> None:
        picked = self.may_change() and self.selected_server()
        if picked:
            self.change_weight(*picked, lambda w: max(0, w + delta))

    def action_set_weight(self) -> None:
        picked = self.may_change() and self.selected_server()
        if picked:
            from .forms import Prompt
            svc, rs = picked
            self.push_screen(Prompt(f"Weight of {rs.endpoint} in {svc.name}", str(rs.weight),
                                    parse_weight),
                             lambda w: w is not None and self.change_weight(svc, rs, lambda _: w))

    def action_drain(self) -> None:
        picked = self.may_change() and self.selected_server()
        if not picked:
            return
        svc, rs = picked
        if rs.weight == 0:
            self.notify(f"{rs.endpoint} is already drained (weight 0)")
            return

        def drain(yes: bool = True) -> None:
            if yes:
                self.drained[(svc.key, rs.key)] = rs.weight
                self.change_weight(svc, rs, lambda w: 0)

        live = [r for r in svc.servers if r.weight > 0]
        if live == [rs]:
            self.push_screen(Confirm(f"Drain {rs.endpoint}, the last live real server of "
                                     f"{svc.name}?", "New connections will find no server."),
                             drain)
        else:
            drain()

    def action_restore(self) -> None:
        picked = self.may_change() and self.selected_server()
        if picked:
            svc, rs = picked
            weight = self.drained.pop((svc.key, rs.key), None)
            if weight is None:
                self.notify(f"{rs.endpoint} was not drained here: set its weight instead (w)",
                            severity="warning")
                return
            self.change_weight(svc, rs, lambda w: weight)

    def change_weight(self, svc: VirtualService, rs: RealServer, weight_of) -> None:
        """Edit the live entry (read again now), changing only its weight."""
        def ops():
            live = self.live_server(svc, rs)
            return [Operation("edit-server", svc, replace(live, weight=weight_of(live.weight)),
                              before=live)]
        self.send_change(ops)

    def live_server(self, svc: VirtualService, rs: RealServer) -> RealServer:
        """The kernel's entry now (a change is built on it, never on the screen's last read)."""
        try:
            return self.backend.find_server(svc, *rs.key)
        except (NoSuchServer, NoSuchService):
            raise NoSuchServer(svc, rs, "it was deleted since the screen showed it; "
                                        "nothing changed") from None

    def live_service(self, svc: VirtualService) -> VirtualService:
        try:
            return self.backend.find_service(svc).without_servers()
        except NoSuchService:
            raise NoSuchService(svc, "it was deleted since the screen showed it; "
                                     "nothing changed") from None

    # ------------------------------------------------------------ add, edit, delete
    def action_add(self) -> None:
        if not self.may_change():
            return
        from .forms import ServerForm, ServiceForm
        svc = self.selected_service()
        if self.servers_focused() and svc is not None:
            self.push_screen(ServerForm(svc), lambda rs: rs and self.send_change(
                lambda: [Operation("add-server", svc, rs)]))
        else:
            self.push_screen(ServiceForm(), lambda new: new and self.send_change(
                lambda: [Operation("add-service", new)]))

    def target(self) -> tuple[VirtualService, RealServer | None] | None:
        """What an edit or delete acts on: the selected real server when its pane has the
        focus, else the selected service; None (and a word why) when nothing may change."""
        svc = self.selected_service() if self.may_change() else None
        if svc is None:
            return None
        if not self.servers_focused():
            return svc, None
        picked = self.selected_server()
        return (svc, picked[1]) if picked else None

    def action_edit(self) -> None:
        from .forms import ServerForm, ServiceForm
        target = self.target()
        if target is None:
            return
        svc, rs = target
        if rs is not None:
            def server_ops(new):
                live = self.live_server(svc, rs)
                return [Operation("edit-server", svc, edited(rs, new, live), before=live)]
            self.push_screen(ServerForm(svc, rs), lambda new: new and self.send_change(
                lambda: server_ops(new)))
        else:
            def service_ops(new):
                live = self.live_service(svc)
                return [Operation("edit-service", edited(svc, new, live), before=live)]
            self.push_screen(ServiceForm(svc), lambda new: new and self.send_change(
                lambda: service_ops(new)))

    def action_delete(self) -> None:
        target = self.target()
        if target is None:
            return
        svc, rs = target
        if rs is not None:
            question = (f"Delete real server {rs.endpoint} from {svc.name}?",
                        f"{rs.active_conns} active connection(s) on it.")
            ops = lambda: [Operation("delete-server", svc, rs,  # noqa: E731
                                     before=self.live_server(svc, rs))]
        else:
            question = (f"Delete virtual service {svc.name}?",
                        f"It has {len(svc.servers)} real server(s).")
            ops = lambda: [Operation("delete-service", svc,  # noqa: E731
                                     before=self.backend.find_service(svc))]
        self.push_screen(Confirm(*question), lambda yes: yes and self.send_change(ops))

    def action_undo(self) -> None:
        if not self.may_change():
            return
        if not self.last_change:
            self.notify("nothing to undo")
            return
        undo = [inv for op in reversed(self.last_change) for inv in op.inverse()]
        self.last_change = []
        self.send_change(lambda: undo)

    # ------------------------------------------------------------ table-wide
    def action_zero(self) -> None:
        svc = self.selected_service()
        if svc is not None and self.may_change():
            self.table_action(f"ipvsadm -Z {service_spec(svc)}", lambda: self.backend.zero(svc))

    def action_flush(self) -> None:
        if not self.may_change():
            return
        count = len(self.services)
        self.push_screen(
            Confirm("Flush the IPVS table?",
                    f"Deletes all {count} virtual service(s) and their real servers."),
            lambda yes: yes and self.table_action("ipvsadm -C", self.backend.flush))

    @work(thread=True, group="change")
    def table_action(self, command: str, do) -> None:
        error = None
        if not self.dry_run:
            try:
                do()
            except IPVSError as exc:
                error = str(exc)
        self.call_from_thread(self.record_change, [command], error, self.dry_run)
        self.call_from_thread(self.poll)

    def action_save(self) -> None:
        from .forms import Prompt
        self.push_screen(Prompt("Save the table as ipvsadm rules to", RULES_FILE, _path),
                         lambda path: path and self.save_rules(path))

    @work(thread=True, group="files")
    def save_rules(self, path: str) -> None:
        try:
            text = save(self.backend.services())
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            atomic_write(path, text)
            error = None
        except (IPVSError, OSError) as exc:
            error = str(exc)
        self.call_from_thread(self.record_change, [f"ipvsadm -Sn > {path}"], error)

    def action_load(self) -> None:
        if not self.may_change():
            return
        from .forms import Prompt
        self.push_screen(Prompt("Load ipvsadm rules from", RULES_FILE, _path),
                         lambda path: path and self.preview_rules(path))

    @work(thread=True, group="files")
    def preview_rules(self, path: str) -> None:
        try:
            with open(path) as fh:
                rules = parse_rules(fh.read())
            ops = diff(self.backend.services(), rules.services, rules.keep_thresholds)
        except (OSError, ValidationError, IPVSError) as exc:
            self.call_from_thread(self.record_change, [f"load {path}"], str(exc))
            return
        if not ops:
            self.call_from_thread(self.notify, f"{path}: the table already matches it")
            return
        preview = "\n".join(op.command() for op in ops[:30])
        if len(ops) > 30:
            preview += f"\n… and {len(ops) - 30} more"
        self.call_from_thread(
            self.push_screen, Confirm(f"Apply {len(ops)} change(s) from {path}?", preview),
            lambda yes: yes and self.send_change(lambda: ops))

    # ------------------------------------------------------------ sending changes
    @work(thread=True, group="change")
    def send_change(self, make_ops) -> None:
        ops: list[Operation] = []
        try:
            ops = make_ops()
            if not self.dry_run:
                apply(self.backend, ops)
            error = None
        except (IPVSError, ValidationError) as exc:
            error = str(exc)
        fresh = {}
        for op in ops:       # read back only what changed: fast on a 100k-server table
            if op.service.key not in fresh:
                try:
                    fresh[op.service.key] = self.backend.find_service(op.service)
                except NoSuchService:
                    fresh[op.service.key] = None
                except IPVSError:
                    pass
        self.post_message(ChangeDone(ops, error, self.dry_run, fresh))

    def record_change(self, commands: list[str], error: str | None,
                      dry_run: bool = False) -> None:
        """Every change: a line in the log pane and in the audit log; errors also notified."""
        result = "dry-run" if dry_run else "failed" if error else "ok"
        for command in commands:
            self.log_line(f"{command}  [{result}]")
            warning = self.audit.record(command, error or result)
            if warning:
                self.notify(warning, severity="warning")
        if error:
            self.log_line(f"error: {error}")
            self.notify(error, severity="error", timeout=8)

    @on(ChangeDone)
    def change_done(self, event: ChangeDone) -> None:
        with contextlib.suppress(NoMatches):     # a change that lands while the app closes
            self._change_done(event)

    def _change_done(self, event: ChangeDone) -> None:
        self.record_change([op.command() for op in event.ops], event.error, event.dry_run)
        if event.ops and not event.error and not event.dry_run:
            self.last_change = event.ops
        if event.fresh:
            where = {s.key: i for i, s in enumerate(self.services) if s.key in event.fresh}
            if len(where) == len(event.fresh) and all(event.fresh.values()):
                for key, svc in event.fresh.items():     # same services: swap them in place
                    self.services[where[key]] = svc
            else:
                kept = [s for s in self.services if s.key not in event.fresh]
                self.services = sorted_services(kept + [s for s in event.fresh.values() if s])
            self.fill_services()

    def action_toggle_dry_run(self) -> None:
        self.dry_run = not self.dry_run
        self.show_banner()
        self.notify("dry-run on: nothing will be applied" if self.dry_run else "dry-run off")

    # ------------------------------------------------------------ heartbeat
    def show_peers(self, cluster) -> None:
        peers = self.query_one("#peers", Static)
        peers.update(peers_text(cluster))
        peers.set_class(bool(cluster and cluster.running and any(
            n.status == "dead" for n in cluster.nodes)), "peer-dead")

    def action_failover(self, kind: str) -> None:
        if self.heartbeat is None or not self.may_change():
            return
        vips = sorted({s.address for s in self.services if not s.is_fwmark})
        question = ("Hand the resources (VIP) to the peer director (standby)?" if kind == "standby"
                    else "Take the resources (VIP) from the peer director (takeover)?")
        self.push_screen(Confirm(question, f"VIPs: {', '.join(vips) or 'none in the table'}"),
                         lambda yes: yes and self.failover(kind, vips))

    @work(thread=True, group="failover")
    def failover(self, kind: str, vips: list[str]) -> None:
        from ..ha.api import HeartbeatError
        from ..ha.failover import follow
        command = f"hb_{kind}"
        if self.dry_run:
            self.call_from_thread(self.record_change, [command], None, True)
            return
        try:
            (self.heartbeat.standby if kind == "standby" else self.heartbeat.takeover)()
        except HeartbeatError as exc:
            self.call_from_thread(self.record_change, [command], str(exc))
            return
        self.call_from_thread(self.record_change, [command], None)
        if not vips or self.network is None:
            return
        want_here = kind == "takeover"
        took = follow(lambda: vips[0] in self.network.vips(), want_here, timeout=30)
        where = "here" if want_here else "to the peer"
        line = (f"VIP {vips[0]} moved {where} after {took:.2f} s" if took is not None
                else f"VIP {vips[0]} has not moved {where} within 30 s")
        self.call_from_thread(self.record_change, [line], None if took is not None else line)
        self.call_from_thread(self.poll)

    # ------------------------------------------------------------ other screens
    def action_network(self) -> None:
        if self.network is None:
            self.notify("no network adapter in this session", severity="warning")
            return
        from .network import NetworkScreen
        self.push_screen(NetworkScreen(self.network, self.backend))

    def action_heartbeat_screen(self) -> None:
        from .heartbeat import HeartbeatScreen
        self.push_screen(HeartbeatScreen(self.heartbeat, self.ha_dir))

    def action_connections(self) -> None:
        from .connections import ConnectionsScreen
        self.push_screen(ConnectionsScreen(self.backend, self.refresh_every))

    def action_help(self) -> None:
        from .help import HelpScreen
        self.push_screen(HelpScreen(ACTIONS))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for _key, action, label, text in ACTIONS:
            yield SystemCommand(f"{label}: {text}", text,
                                lambda action=action: self.run_action(action))

    # ------------------------------------------------------------ a dead terminal
    def hang_up(self) -> None:
        """The SSH session (our terminal) is gone: point the standard streams at /dev/null, so
        that restoring the terminal cannot block on it, and exit."""
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        # nothing is ever left half-written (every write is atomic), so if a clean shutdown
        # hangs on a thread, a hard exit after a few seconds loses nothing
        guard = threading.Timer(5.0, os._exit, args=(0,))
        guard.daemon = True
        guard.start()
        self.exit()

    def check_terminal(self) -> None:
        """A terminal that vanished without a SIGHUP (stdin no longer a terminal)."""
        if self.is_headless:
            return
        try:
            alive = os.isatty(sys.__stdin__.fileno())
        except (OSError, ValueError):
            alive = False
        if not alive:
            self.hang_up()


def director_role(services: list[VirtualService], held: set | None) -> str:
    """Active when this host holds the table's VIPs, standby when it holds none of them."""
    vips = {s.address for s in services if not s.is_fwmark}
    if held is None or not vips:
        return "role unknown"
    here = vips & held
    if here == vips:
        return f"active director (holds {'the VIP' if len(vips) == 1 else f'all {len(vips)} VIPs'})"
    if not here:
        return "standby director (VIPs held elsewhere)"
    return f"partly active: holds {len(here)} of {len(vips)} VIPs"


def peers_text(cluster) -> str:
    """One line: each node, its status and links; what this node holds."""
    if cluster is None:
        return "Heartbeat peers: not watched in this session"
    if not cluster.running:
        return f"Heartbeat: {cluster.error}"
    nodes = " · ".join(
        f"{n.name}{' (here)' if n.name == cluster.me else ''} {n.status}"
        + (f" [{', '.join(f'{i} {s}' for i, s in n.links.items())}]" if n.links else "")
        for n in cluster.nodes)
    return (f"Heartbeat: {nodes} · resources here: {cluster.resources} · deadtime "
            f"{cluster.deadtime} s")


def _path(text: str) -> str:
    if not text:
        raise ValidationError("a file name is needed")
    return os.path.expanduser(text)


def run(backend_kind: str, demo: bool, refresh: float, audit_path: str, dry_run: bool = False,
        theme: str | None = None, checks=None) -> int:
    """*checks*: (config path, is ldirectord.cf, state path) — the console checks by itself
    unless a running ``lvstui monitor`` publishes its state there."""
    from ..health.sources import open_health
    backend = open_backend(backend_kind, demo)
    audit = AuditLog(audit_path)
    traffic = None
    if demo:
        from ..demo import Traffic, demo_health
        from ..ha.cluster import SimulatedHeartbeat
        from ..system.network import SimulatedNetwork
        traffic, network = Traffic(backend), SimulatedNetwork()
        heartbeat = SimulatedHeartbeat(network)
        health = demo_health(backend, audit.record)
    else:
        from ..ha.cluster import Heartbeat
        from ..system.network import HostNetwork
        network, heartbeat = HostNetwork(), Heartbeat()
        health = open_health(backend, *checks, audit.record)
    read_only = backend.name == "netlink" and os.geteuid() != 0
    try:
        LvsApp(backend, refresh, traffic, audit, network, dry_run, read_only,
               theme, heartbeat=heartbeat, health=health).run()
    finally:
        health.close()
        network.close()
        backend.close()
    return 0
