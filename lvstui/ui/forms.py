"""Forms that validate as the operator types, with the model's own rules and words."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ..ipvs.backend import Backend
from ..model import (DEFAULT_SCHEDULER, PROTOCOLS, SCHED_FLAGS, SCHEDULERS, TUNNEL_CHECKSUMS,
                     TUNNEL_TYPES, Forwarding, RealServer, ValidationError, VirtualService,
                     check_thresholds, format_endpoint, format_netmask, parse_int, parse_netmask, parse_server,
                     parse_service, parse_weight)
from .widgets.field import Field


class Form(ModalScreen):
    """A form whose ``build()`` turns the fields into a value or raises ValidationError."""

    BINDINGS = [("escape", "cancel", "Cancel"),
                # priority: the focus moves before the next key is handed out, so text typed
                # fast after a Tab (one read from the terminal) lands in the next field
                Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
                Binding("shift+tab", "app.focus_previous", "Previous field", show=False,
                        priority=True)]
    title = ""

    def compose(self) -> ComposeResult:
        """Title, the error (always in view), the fields (scrolling on a small terminal),
        the buttons (always in view)."""
        with Vertical(classes="form"):
            yield Static(self.title, classes="form-title")
            yield Static("", id="form-error")
            with VerticalScroll(classes="form-fields"):
                yield from self.fields()
            with Horizontal(classes="form-buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def build(self) -> Any:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.check()
        self.query(Input).first().focus()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def check(self) -> Any:
        try:
            value = self.build()
        except ValidationError as exc:
            self.query_one("#form-error", Static).update(str(exc))
            self.query_one("#ok", Button).disabled = True
            return None
        self.query_one("#form-error", Static).update("")
        self.query_one("#ok", Button).disabled = False
        return value

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        value = self.check()
        if value is not None:
            self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def text(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def choice(self, field_id: str) -> Any:
        return self.query_one(f"#{field_id}", Select).value


def _row(label: str, widget) -> Horizontal:
    """A label and its field on one line (compact: eight fields fit 80x24)."""
    widget.compact = True
    return Horizontal(Label(label, classes="form-label"), widget, classes="form-row")


class ServiceForm(Form):
    """Add a virtual service, or edit one (its identity then stays as it is)."""

    def __init__(self, service: VirtualService | None = None):
        super().__init__()
        self.service = service
        self.title = f"Edit {service.name}" if service else "Add a virtual service"

    def fields(self) -> ComposeResult:
        s = self.service
        proto = s.protocol if s else "tcp"
        where = (str(s.fwmark) if s.is_fwmark else format_endpoint(s.address, s.port)) if s else ""
        yield _row("Protocol", Select([(p, p) for p in (*PROTOCOLS, "fwmark")], value=proto,
                                      allow_blank=False, id="protocol", disabled=bool(s)))
        yield _row("VIP:port / mark", Field(where, placeholder="172.26.46.119:80  or  5",
                                            id="where", disabled=bool(s)))
        yield _row("Scheduler", Select([(x, x) for x in SCHEDULERS],
                                       value=s.scheduler if s else DEFAULT_SCHEDULER,
                                       allow_blank=False, id="scheduler"))
        yield _row("Persistence (s)", Field(str(s.persistence) if s and s.persistence else "",
                                            placeholder="empty: not persistent", id="persistence"))
        yield _row("Netmask / prefix", Field(format_netmask(s) if s and s.has_netmask else "",
                                             placeholder="255.255.255.255", id="netmask"))
        yield _row("Persistence engine", Field(s.pe if s else "", placeholder="e.g. sip", id="pe"))
        flags = s.flags if s else frozenset()
        yield Horizontal(*(Checkbox(f, f in flags, id=f"flag-{f}")
                           for f in ("one-packet", *SCHED_FLAGS)), classes="form-flags")

    def build(self) -> VirtualService:
        if self.service is not None:
            svc = replace(self.service, servers=[])
        else:
            proto, where = self.choice("protocol"), self.text("where")
            svc = parse_service(f"fwmark {where}" if proto == "fwmark" else where,
                                "tcp" if proto == "fwmark" else proto)
        svc.scheduler = self.choice("scheduler")
        persistence = self.text("persistence")
        svc.persistence = parse_int("persistence timeout", persistence, 1, 2**31 - 1) \
            if persistence else 0
        netmask = self.text("netmask")
        svc.netmask = parse_netmask(netmask, svc.family) if netmask else \
            (0xFFFFFFFF if svc.family == 4 else 128)
        svc.pe = self.text("pe")
        svc.flags = frozenset(f for f in ("one-packet", *SCHED_FLAGS)
                              if self.query_one(f"#flag-{f}", Checkbox).value)
        svc.validate()
        return svc


class ServerForm(Form):
    """Add a real server to a service, or edit one (every field is sent, as the kernel needs)."""

    def __init__(self, service: VirtualService, server: RealServer | None = None):
        super().__init__()
        self.service, self.server = service, server
        self.title = (f"Edit {server.endpoint} of {service.name}" if server
                      else f"Add a real server to {service.name}")

    def fields(self) -> ComposeResult:
        r = self.server
        yield _row("Address[:port]", Field(r.endpoint if r else "", id="address",
                                           placeholder="172.26.46.80  (port: the service's)",
                                           disabled=bool(r)))
        yield _row("Forwarding", Select([(f.label, f.value) for f in
                                         (Forwarding.ROUTE, Forwarding.MASQ, Forwarding.TUNNEL)],
                                        value=r.forwarding.value if r else "route",
                                        allow_blank=False, id="forwarding"))
        yield _row("Weight", Field(str(r.weight) if r else "1", id="weight"))
        yield _row("Upper threshold", Field(str(r.upper_threshold) if r else "0", id="upper"))
        yield _row("Lower threshold", Field(str(r.lower_threshold) if r else "0", id="lower"))
        yield _row("Tunnel type", Select([(t, t) for t in TUNNEL_TYPES],
                                         value=r.tunnel_type if r else "ipip",
                                         allow_blank=False, id="tunnel-type"))
        yield _row("Tunnel port (gue)", Field(str(r.tunnel_port) if r and r.tunnel_port else "",
                                              id="tunnel-port"))
        yield _row("Tunnel checksum", Select([(c, c) for c in TUNNEL_CHECKSUMS],
                                             value=r.tunnel_checksum if r else "nocsum",
                                             allow_blank=False, id="tunnel-checksum"))

    def build(self) -> RealServer:
        rs = replace(self.server) if self.server else parse_server(self.text("address"),
                                                                   self.service)
        rs.forwarding = Forwarding(self.choice("forwarding"))
        rs.weight = parse_weight(self.text("weight"))
        rs.upper_threshold = parse_int("upper threshold", self.text("upper") or "0", 0, 2**31 - 1)
        rs.lower_threshold = parse_int("lower threshold", self.text("lower") or "0", 0, 2**31 - 1)
        rs.tunnel_type = self.choice("tunnel-type")
        port = self.text("tunnel-port")
        rs.tunnel_port = parse_int("tunnel port", port, 1, 65535) if port else 0
        rs.tunnel_checksum = self.choice("tunnel-checksum")
        check_thresholds(rs.upper_threshold, rs.lower_threshold)
        svc = self.service
        if (rs.forwarding in (Forwarding.ROUTE, Forwarding.TUNNEL) and not svc.is_fwmark
                and rs.port != svc.port):
            raise ValidationError(f"{rs.forwarding.label} keeps the service's port: packets "
                                  f"reach {rs.address} on port {svc.port}, not {rs.port} — drop "
                                  "the port, or choose Masq (NAT) to map ports")
        return Backend.checked_server(svc, rs)


class Prompt(Form):
    """One value, parsed as it is typed (a weight, a file name)."""

    def __init__(self, title: str, value: str, parse: Callable[[str], Any], placeholder: str = "",
                 password: bool = False):
        super().__init__()
        self.title, self.value, self.parse, self.placeholder = title, value, parse, placeholder
        self.password = password

    def fields(self) -> ComposeResult:
        yield Field(self.value, placeholder=self.placeholder, id="value", password=self.password)

    def build(self) -> Any:
        return self.parse(self.text("value"))
