"""The interface every IPVS backend implements, and the errors an operator meets.

A backend holds no cache: every read goes to the table (the kernel's, or the in-memory one), so
what is shown after a change is what the table really holds. Changes are validated by the model
first, then refused by the table with the same errors the kernel gives.
"""

from __future__ import annotations

import functools
import gc
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import replace

from ..model import (Connection, Forwarding, Info, RealServer, SyncDaemon, Timeouts, ValidationError,
                     VirtualService)


_gc_lock = threading.Lock()
_gc_pause = {"holders": 0, "was_enabled": False}


def gc_paused(build):
    """Run *build* with the cyclic garbage collector paused: reading or planning a large table
    makes two objects per real server, none of them in a cycle, and the collector's passes over
    the growing heap took half a 100,000-server dump's time. Nested and threaded calls share one
    pause; the collector runs again (if it ran before) as the last one returns."""
    @functools.wraps(build)
    def paused(*args, **kwargs):
        with _gc_lock:
            _gc_pause["holders"] += 1
            if _gc_pause["holders"] == 1:
                _gc_pause["was_enabled"] = gc.isenabled()
                gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            with _gc_lock:
                _gc_pause["holders"] -= 1
                if _gc_pause["holders"] == 0 and _gc_pause["was_enabled"]:
                    gc.enable()
    return paused


class IPVSError(Exception):
    """A change or read the table refused; the message is for the operator."""


class NotPermitted(IPVSError):
    def __init__(self, what: str = "change the IPVS table"):
        super().__init__(f"not permitted to {what}: run lvstui as root (CAP_NET_ADMIN)")


class IPVSUnavailable(IPVSError):
    def __init__(self, detail: str = ""):
        super().__init__("this kernel has no IPVS (load it with 'modprobe ip_vs')"
                         + (f": {detail}" if detail else ""))


class SchedulerNotFound(IPVSError):
    def __init__(self, svc: VirtualService):
        pe = f" or persistence engine '{svc.pe}'" if svc.pe else ""
        super().__init__(f"scheduler '{svc.scheduler}'{pe} is not available in this kernel "
                         f"(module ip_vs_{svc.scheduler} missing)")


class ServiceExists(IPVSError):
    def __init__(self, svc: VirtualService):
        super().__init__(f"virtual service {svc.name} already exists")


class NoSuchService(IPVSError):
    def __init__(self, svc: VirtualService, why: str = ""):
        super().__init__(f"No such service: virtual service {svc.name} does not exist"
                         + (f": {why}" if why else ""))


class ServerExists(IPVSError):
    def __init__(self, svc: VirtualService, rs: RealServer):
        super().__init__(f"real server {rs.endpoint} already exists in {svc.name}")


class NoSuchServer(IPVSError):
    def __init__(self, svc: VirtualService, rs: RealServer, why: str = ""):
        super().__init__(f"real server {rs.endpoint} does not exist in {svc.name}"
                         + (f": {why}" if why else ""))


class InvalidRequest(IPVSError):
    """The kernel said EINVAL: something the model did not catch."""


class Backend(ABC):
    """One IPVS table. Implementations: ``netlink.NetlinkBackend``, ``memory.MemoryBackend``."""

    name = "backend"

    # -- reading
    @abstractmethod
    def services(self) -> list[VirtualService]:
        """Every virtual service with its real servers and statistics (kernel order)."""

    def services_without_counters(self) -> list[VirtualService]:
        """services() for a reader of the configuration alone (a plan, a save): the kernel's
        skips the real servers' counters (their stats UNREAD_STATS, shared, read-only)."""
        return self.services()

    def each_service(self, order=None, counters: bool = True) -> Iterator[VirtualService]:
        """The services one at a time, each with its real servers, in *order* (a function that
        sorts a list of services): a large table printed as it is read, without holding all
        of it, as ipvsadm -Ln does; without *counters* as services_without_counters() reads
        them. Here from services(); the kernel's reads each one's servers as it comes."""
        services = self.services() if counters else self.services_without_counters()
        yield from order(services) if order else services

    @abstractmethod
    def info(self) -> Info: ...

    @abstractmethod
    def timeouts(self) -> Timeouts: ...

    @abstractmethod
    def daemons(self) -> list[SyncDaemon]: ...

    @abstractmethod
    def connections(self) -> list[Connection]: ...

    # -- changing (each one validated, then sent whole)
    @abstractmethod
    def _add_service(self, svc: VirtualService) -> None: ...

    @abstractmethod
    def _edit_service(self, svc: VirtualService) -> None: ...

    @abstractmethod
    def _delete_service(self, svc: VirtualService) -> None: ...

    @abstractmethod
    def _add_server(self, svc: VirtualService, rs: RealServer) -> None: ...

    @abstractmethod
    def _edit_server(self, svc: VirtualService, rs: RealServer) -> None: ...

    @abstractmethod
    def _delete_server(self, svc: VirtualService, rs: RealServer) -> None: ...

    @abstractmethod
    def zero(self, svc: VirtualService | None = None) -> None:
        """Zero the counters of one service (and its real servers), or of all."""

    @abstractmethod
    def flush(self) -> None:
        """Delete every virtual service."""

    @abstractmethod
    def _set_timeouts(self, timeouts: Timeouts) -> None: ...

    @abstractmethod
    def _start_daemon(self, daemon: SyncDaemon) -> None: ...

    @abstractmethod
    def stop_daemon(self, state: str) -> None: ...

    def add_service(self, svc: VirtualService) -> None:
        svc.validate()
        self._add_service(svc)

    def edit_service(self, svc: VirtualService) -> None:
        """Replace the configuration of an existing service (send every field)."""
        svc.validate()
        self._edit_service(svc)

    def delete_service(self, svc: VirtualService) -> None:
        self._delete_service(svc)

    def add_server(self, svc: VirtualService, rs: RealServer) -> RealServer:
        """Add *rs*; returns it as sent (DR and tunnel servers take the service's port)."""
        rs = self.checked_server(svc, rs)
        self._add_server(svc, rs)
        return rs

    def edit_server(self, svc: VirtualService, rs: RealServer) -> RealServer:
        """Replace the whole configuration of a real server (the kernel needs every field)."""
        rs = self.checked_server(svc, rs)
        self._edit_server(svc, rs)
        return rs

    def delete_server(self, svc: VirtualService, rs: RealServer) -> None:
        self._delete_server(svc, rs)

    def update_server(self, svc: VirtualService, address: str, port: int, **changes) -> RealServer:
        """Change some fields of a real server, keeping every other one as the table has it."""
        live = self.find_server(svc, address, port)
        wanted = replace(live, **changes)
        self.edit_server(svc, wanted)
        return wanted

    def set_weight(self, svc: VirtualService, address: str, port: int, weight: int) -> RealServer:
        return self.update_server(svc, address, port, weight=weight)

    def set_timeouts(self, timeouts: Timeouts) -> None:
        timeouts.validate()
        self._set_timeouts(timeouts)

    def start_daemon(self, daemon: SyncDaemon) -> None:
        daemon.validate()
        self._start_daemon(daemon)

    def apply_operations(self, ops: list, on_applied=None
                         ) -> tuple[list, tuple[int, Exception] | None]:
        """Apply ``rules.Operation``s in order until one fails; *on_applied* hears each one
        as soon as it is applied.

        Returns the operations applied and (index, error) of the failure, or None."""
        applied = []
        for i, op in enumerate(ops):
            try:
                op.apply(self)
            except (IPVSError, ValidationError) as exc:
                return applied, (i, exc)
            applied.append(op)
            if on_applied:
                on_applied([op])
        return applied, None

    @abstractmethod
    def find_service(self, svc: VirtualService) -> VirtualService:
        """The live service with *svc*'s key (servers and stats included), without reading the
        whole table; NoSuchService if there is none."""

    def find_server(self, svc: VirtualService, address: str, port: int) -> RealServer:
        live = self.find_service(svc).server(address, port)
        if live is None:
            raise NoSuchServer(svc, RealServer(address, port))
        return live

    @staticmethod
    def checked_server(svc: VirtualService, rs: RealServer) -> RealServer:
        """Validate *rs* for *svc*; DR and tunnel servers take the service's port, as in ipvsadm."""
        rs.validate()
        if rs.family != svc.family and rs.forwarding is not Forwarding.TUNNEL:
            raise ValidationError(f"real server {rs.endpoint} is IPv{rs.family} but {svc.name} is "
                                  f"IPv{svc.family}: mixed families need tunnel forwarding")
        if rs.forwarding in (Forwarding.ROUTE, Forwarding.TUNNEL) and rs.port != svc.port:
            rs = replace(rs, port=svc.port)
        return rs

    def close(self) -> None:
        """Release sockets; the default holds none."""
