"""The other director, as its agent tells it: its table, its surroundings, and changes made
there (audited there, in the name of the operator who asked here)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from ..ipvs.backend import NoSuchServer
from ..ipvs.operations import Operation
from ..model import Info, RealServer, SyncDaemon, Timeouts, VirtualService
from .link import AgentLink, PeerError, ssh_command
from .protocol import (TableMirror, decode_plain, decode_quiesced, decode_service, decode_vips,
                       encode_operation, encode_plain, encode_service)


@dataclass
class PeerState:
    """The peer's surroundings, each None where its agent could not read it."""

    info: Info | None = None
    timeouts: Timeouts | None = None
    daemons: list[SyncDaemon] | None = None
    conns: Counter = field(default_factory=Counter)      # connection state -> count
    health: dict | None = None       # source, running, servers, down
    heartbeat: dict | None = None    # running, me, resources, error
    quiesced: dict = field(default_factory=dict)   # quiesced by its checks: configured weights
    vips: list[str] | None = None    # the addresses it holds

    @property
    def connections(self) -> int:
        return sum(self.conns.values())


class Peer:
    """The other director through one agent (one ssh process for the whole session)."""

    def __init__(self, link: AgentLink, asked_by: str = ""):
        self.link, self.asked_by = link, asked_by
        self._table = TableMirror()
        self._table_lock = threading.Lock()     # deltas applied in the order they were sent

    @classmethod
    def over_ssh(cls, host: str, peer_command: str = "lvstui", ssh_config: str | None = None,
                 asked_by: str = "", **timeouts) -> Peer:
        return cls(AgentLink(host, ssh_command(host, peer_command, ssh_config), peer_command,
                             **timeouts), asked_by)

    @property
    def name(self) -> str:
        return self.link.name

    @property
    def writable(self) -> bool:
        return self.link.writable

    @property
    def alive(self) -> bool:
        return self.link.alive

    def why_not(self) -> str | None:
        """Why changes cannot reach the peer, or None."""
        if not self.writable:
            return (f"{self.name}: the agent runs as {self.link.hello.get('user', '?')}, not "
                    "root: the pair is read-only there")
        return None

    def services(self) -> list[VirtualService]:
        return [decode_service(s) for s in self.link.request("services")["services"]]

    def table(self) -> list[VirtualService]:
        """The peer's table kept up to date from what changed since the last call (cheap on a
        large table where little changes: the console's poll)."""
        with self._table_lock:
            return self._table.apply(self.link.request("table"))

    def find_service(self, svc: VirtualService) -> VirtualService:
        return decode_service(self.link.request("find", service=encode_service(
            svc.without_servers()))["service"])

    def find_server(self, svc: VirtualService, address: str, port: int) -> RealServer:
        live = self.find_service(svc).server(address, port)
        if live is None:
            raise NoSuchServer(svc, RealServer(address, port))
        return live

    def state(self) -> PeerState:
        reply = self.link.request("state")
        return PeerState(
            decode_plain(Info, reply["info"], "info") if reply.get("info") else None,
            decode_plain(Timeouts, reply["timeouts"], "timeouts") if reply.get("timeouts")
            else None,
            [decode_plain(SyncDaemon, d, "a sync daemon") for d in reply["daemons"]]
            if reply.get("daemons") is not None else None,
            Counter(reply.get("conns") or {}), reply.get("health"), reply.get("heartbeat"),
            decode_quiesced(reply.get("quiesced")),
            decode_vips(reply.get("vips")))

    def apply(self, ops: list[Operation]) -> list[str]:
        """Apply *ops* there, all or none (the agent rolls back its applied steps); the
        commands it ran, or PeerError with its reason."""
        if not ops:
            return []
        return self.link.request("apply", ops=[encode_operation(op) for op in ops],
                                 by=self.asked_by)["commands"]

    def set_timeouts(self, timeouts: Timeouts) -> list[str]:
        return self.link.request("set-timeouts", timeouts=encode_plain(timeouts),
                                 by=self.asked_by)["commands"]

    def start_daemon(self, daemon: SyncDaemon) -> list[str]:
        return self.link.request("start-daemon", daemon=encode_plain(daemon),
                                 by=self.asked_by)["commands"]

    def stop_daemon(self, state: str) -> list[str]:
        return self.link.request("stop-daemon", state=state, by=self.asked_by)["commands"]

    def vip_add(self, address: str, label: str | None = None, announce: bool = True) -> list[str]:
        """The VIP added there (its alias *label*, else the first free one), announced."""
        return self.link.request("vip-add", address=address, label=label, announce=announce,
                                 by=self.asked_by)["commands"]

    def vip_remove(self, address: str) -> list[str]:
        return self.link.request("vip-remove", address=address, by=self.asked_by)["commands"]

    def announce(self, address: str) -> list[str]:
        """Gratuitous ARP for *address* from there (it holds it)."""
        return self.link.request("announce", address=address, by=self.asked_by)["commands"]

    def close(self) -> None:
        self.link.close()


__all__ = ["Peer", "PeerError", "PeerState"]
