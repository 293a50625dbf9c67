"""The pair side by side: the peer's table and drift, both directors' sync daemons and
timeouts, the facts an operator should know before a failover; the kernel settings made on
both."""

from __future__ import annotations

import time

from ..ipvs.backend import IPVSError
from ..ipvs.operations import diff
from ..ipvs.order import sorted_services
from ..model import SyncDaemon, Timeouts, ValidationError, VirtualService, format_endpoint
from .area import Area
from .results import PairFacts, PeerView, Result


class PairView(Area):
    """Reads of the pair through ``session.pair``'s link."""

    def read(self, here: list[VirtualService] | None = None) -> PeerView | None:
        """The peer's table and state, and its drift from *here* (this director's services;
        read now when not given). None without a peer; never raises."""
        from ..peer.mirror import drift, drift_marks
        pair = self.session.pair
        if not pair.attached:
            return None
        try:
            peer = pair.connected()
            started = time.monotonic()
            services = sorted_services(peer.table())
            state = peer.state()
            here = self.session.backend.services() if here is None else here
        except (IPVSError, ValidationError, OSError) as exc:
            pair.drop()
            return PeerView(pair.name or "peer", error=str(exc))
        quiesced = self.session.quiesced()
        ops = drift(here, services, quiesced, state.quiesced)
        return PeerView(peer.name, services, state, ops, writable=peer.why_not() is None,
                        differing=drift_marks(ops), took=time.monotonic() - started,
                        health=health_differences(here, quiesced, state.quiesced,
                                                  self.session.hostname, peer.name))

    def facts(self) -> PairFacts | None:
        """This director and the peer side by side (None without a peer)."""
        backend = self.session.backend
        try:
            here = backend.services()
        except (IPVSError, OSError) as exc:
            return PairFacts(PeerView(self.session.pair.name or "peer",
                                      error=f"this director: {exc}"))
        view = self.read(here)
        if view is None:
            return None
        facts = PairFacts(view, to_peer=view.drift,
                          from_peer=diff(here, view.services) if view.services else [],
                          services=len(here), heartbeat=self.session.ha.summary(),
                          health=self.session.health_summary())
        for name, read in (("daemons", backend.daemons), ("timeouts", backend.timeouts),
                           ("connections", lambda: len(backend.connections()))):
            try:
                setattr(facts, name, read())
            except (IPVSError, OSError):
                pass
        return facts

    def preflight(self, kind: str) -> list[str]:
        """What the operator should know before a manual failover, one fact per line: the
        peer's drift, its sync daemon, its health source, its connections."""
        view = self.read()
        if view is None:
            return ["no peer attached: its table and sync daemon are not known"]
        if view.error:
            return [f"{view.name} cannot be read: {view.error}"]
        facts = [f"{view.name} differs in {len(view.drift)} place(s)" if view.drift
                 else f"{view.name} holds the same table as {self.session.hostname}"]
        facts.append(self._sync_fact(view, kind))
        health = view.state.health
        facts.append(f"{view.name}'s health checks: " + (
            "none published" if not health else
            f"{health['source']} ({'running' if health['running'] else 'not running'}), "
            f"{health['down']} of {health['servers']} down"))
        facts.append(f"{view.name} holds {view.state.connections} connection(s)")
        return facts

    def _sync_fact(self, view: PeerView, kind: str) -> str:
        """Whether the director that gets the VIP has the connections (a backup sync daemon)."""
        try:
            daemons, where = ((view.state.daemons, view.name) if kind == "standby" else
                              (self.session.backend.daemons(), self.session.hostname))
        except (IPVSError, OSError):
            daemons, where = None, self.session.hostname
        if daemons is None:
            return f"{where}'s sync daemons cannot be read"
        if not any(d.state == "backup" for d in daemons):
            return (f"{where}'s sync daemon is not running as backup: established connections "
                    "will drop")
        return f"{where}'s sync daemons: " + ", ".join(f"{d.state} on {d.interface}"
                                                      for d in daemons)

    # ------------------------------------------------------------ kernel settings on both
    def set_timeouts(self, wanted: Timeouts) -> Result:
        """``ipvsadm --set`` here and on the peer (a 0 keeps that timeout as it is)."""
        here = self.session.table.set_timeouts(wanted)
        if not here.ok or self.dry_run:
            return here
        return self._on_peer(here, lambda peer: peer.set_timeouts(wanted))

    def sync_start(self, interface: str, sync_id: int = 255) -> Result:
        """Connection sync: master here, backup on the peer (the active director sends)."""
        here = self.session.table.start_daemon(SyncDaemon("master", interface, sync_id))
        if not here.ok or self.dry_run:
            return here
        return self._on_peer(here, lambda peer: peer.start_daemon(
            SyncDaemon("backup", interface, sync_id)))

    def sync_stop(self) -> Result:
        """Stop the sync daemons running here and on the peer."""
        result = Result()
        try:
            running = [d.state for d in self.session.backend.daemons()]
        except (IPVSError, OSError) as exc:
            return Result(error=str(exc))
        for state in running:
            one = self.session.table.stop_daemon(state)
            result.commands += one.commands
            result.error = result.error or one.error
        try:
            there = [d.state for d in self.session.pair.connected().state().daemons or []]
        except (IPVSError, ValidationError) as exc:
            result.peer_error = str(exc)
            return result
        for state in there:
            result = self._on_peer(result, lambda peer, state=state: peer.stop_daemon(state))
        return result

    def _on_peer(self, result: Result, do) -> Result:
        """*do(peer)* after *result* (made here); its commands added and audited, or its
        failure in ``peer_error``."""
        try:
            peer = self.session.pair.connected()
            commands = [f"{c}  # on {peer.name}" for c in do(peer)]
        except (IPVSError, ValidationError) as exc:
            result.peer_error = str(exc)
            return result
        self.record(Result(commands))
        result.commands += commands
        return result


def health_differences(here: list[VirtualService], quiesced_here: dict, quiesced_there: dict,
                       me: str, peer: str) -> list[str]:
    """A line for each server a check quiesced on one director only: a difference of health,
    not of configuration (the pair does not copy it)."""
    names = {svc.key: svc.name for svc in here}
    lines = []
    for quiesced, on, off in ((quiesced_here, me, peer), (quiesced_there, peer, me)):
        other = quiesced_there if quiesced is quiesced_here else quiesced_here
        for (svc_key, (address, port)), weight in sorted(quiesced.items()):
            if (svc_key, (address, port)) not in other:
                lines.append(f"{names.get(svc_key, svc_key)} -> {format_endpoint(address, port)}"
                             f": quiesced by a check on {on} (configured weight {weight}), "
                             f"not on {off}")
    return lines
