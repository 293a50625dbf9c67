"""An in-process IPVS table with the kernel's behaviour: same checks, same errors, same order.

Used by the demo and by fast tests; the contract suite (tests/contract) runs the same cases
against this and the kernel.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import replace

from ..model import SCHEDULERS, Info, RealServer, Stats, SyncDaemon, Timeouts, VirtualService
from .backend import (Backend, gc_paused, IPVSError, NoSuchServer, NoSuchService, SchedulerNotFound,
                      ServerExists, ServiceExists)

PERSISTENCE_ENGINES = ("sip",)


class MemoryBackend(Backend):
    name = "memory"

    def __init__(self, schedulers=SCHEDULERS, interfaces=("lo", "eth0", "eth1"),
                 info: Info | None = None):
        self.schedulers = frozenset(schedulers)
        self.interfaces = frozenset(interfaces)
        self._info = info or Info()
        self._services: dict[tuple, VirtualService] = {}
        self._keys: dict[tuple, set] = {}          # service key -> its servers' keys
        self._timeouts = Timeouts()
        self._daemons: dict[str, SyncDaemon] = {}
        self.conns: list = []
        self.lock = threading.RLock()

    # ------------------------------------------------------------ reading
    @gc_paused
    def services(self):
        with self.lock:
            return [_copy_service(s) for s in self._services.values()]

    def release(self) -> list:
        """Hand over the services themselves (no copy) and empty the table."""
        with self.lock:
            services, self._services = list(self._services.values()), {}
            return services

    @contextlib.contextmanager
    def held(self):
        """The services themselves (not copies), the table locked meanwhile: for the demo's
        traffic, which moves their counters in place."""
        with self.lock:
            yield list(self._services.values())

    def find_service(self, svc):
        with self.lock:
            return _copy_service(self._live(svc))

    def info(self):
        return replace(self._info)

    def timeouts(self):
        return replace(self._timeouts)

    def daemons(self):
        return [replace(d) for d in self._daemons.values()]

    def connections(self):
        with self.lock:
            return list(self.conns)

    # ------------------------------------------------------------ changing
    def _live(self, svc: VirtualService) -> VirtualService:
        live = self._services.get(svc.key)
        if live is None:
            raise NoSuchService(svc)
        return live

    def _check_modules(self, svc: VirtualService) -> None:
        if svc.scheduler not in self.schedulers or (svc.pe and svc.pe not in PERSISTENCE_ENGINES):
            raise SchedulerNotFound(svc)

    def _add_service(self, svc):
        with self.lock:
            if svc.key in self._services:
                raise ServiceExists(svc)
            self._check_modules(svc)
            self._services[svc.key] = replace(svc.without_servers(), flags=frozenset(svc.flags))

    def _edit_service(self, svc):
        with self.lock:
            live = self._live(svc)
            self._check_modules(svc)
            self._services[svc.key] = replace(live, scheduler=svc.scheduler,
                                              flags=frozenset(svc.flags),
                                              persistence=svc.persistence, netmask=svc.netmask,
                                              pe=svc.pe)

    def _delete_service(self, svc):
        with self.lock:
            self._live(svc)
            del self._services[svc.key]
            self._keys.pop(svc.key, None)

    def _server_keys(self, live: VirtualService) -> set:
        """The servers' keys, kept beside the list (rebuilt when the list changed size under
        it): a duplicate is found without a scan, as the kernel's hash finds it."""
        keys = self._keys.get(live.key)
        if keys is None or len(keys) != len(live.servers):
            keys = self._keys[live.key] = {r.key for r in live.servers}
        return keys

    def _add_server(self, svc, rs):
        with self.lock:
            live = self._live(svc)
            keys = self._server_keys(live)
            if rs.key in keys:
                raise ServerExists(svc, rs)
            entry = _copy_server(rs, counters=False)     # never the caller's object
            live.servers.insert(0, entry)
            keys.add(rs.key)

    def _edit_server(self, svc, rs):
        with self.lock:
            live = self._live(svc)
            for i, old in enumerate(live.servers):
                if old.key == rs.key:
                    live.servers[i] = replace(rs, active_conns=old.active_conns,
                                              inactive_conns=old.inactive_conns,
                                              persistent_conns=old.persistent_conns,
                                              stats=old.stats)
                    return
            raise NoSuchServer(svc, rs)

    def _delete_server(self, svc, rs):
        with self.lock:
            live = self._live(svc)
            for i, old in enumerate(live.servers):
                if old.key == rs.key:
                    del live.servers[i]
                    self._keys.get(live.key, set()).discard(rs.key)
                    return
            raise NoSuchServer(svc, rs)

    def zero(self, svc=None):
        with self.lock:
            targets = [self._live(svc)] if svc is not None else list(self._services.values())
            for live in targets:
                live.stats = Stats()
                for rs in live.servers:
                    rs.stats = Stats()

    def flush(self):
        with self.lock:
            self._services.clear()
            self._keys.clear()
            self.conns = []

    def _set_timeouts(self, timeouts):
        # like the kernel, a zero leaves that timeout as it is
        for name in ("tcp", "tcpfin", "udp"):
            if getattr(timeouts, name):
                setattr(self._timeouts, name, getattr(timeouts, name))

    def _start_daemon(self, daemon):
        if daemon.interface not in self.interfaces:
            raise IPVSError(f"No such device: there is no interface {daemon.interface!r}")
        if daemon.state in self._daemons:
            raise IPVSError(f"a {daemon.state} sync daemon already runs")
        self._daemons[daemon.state] = replace(daemon)

    def stop_daemon(self, state):
        if self._daemons.pop(state, None) is None:
            raise IPVSError(f"No daemon is running: no {state} sync daemon runs")


def _copy_stats(st: Stats) -> Stats:
    return Stats(st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes, st.cps, st.inpps,
                 st.outpps, st.inbps, st.outbps)


def _copy_server(r: RealServer, counters: bool = True) -> RealServer:
    """A copy of *r*; without *counters*, its connections and statistics zero (a new one)."""
    kept = ((r.active_conns, r.inactive_conns, r.persistent_conns, _copy_stats(r.stats))
            if counters else (0, 0, 0, Stats()))
    return RealServer(r.address, r.port, r.forwarding, r.weight, r.upper_threshold,
                      r.lower_threshold, r.tunnel_type, r.tunnel_port, r.tunnel_checksum,
                      *kept, r.family)


def _copy_service(s: VirtualService) -> VirtualService:
    """A copy callers may keep or change without touching the table (fields are immutable
    values but for stats and the server list, which are copied)."""
    return replace(s, stats=_copy_stats(s.stats), servers=[_copy_server(r) for r in s.servers])
