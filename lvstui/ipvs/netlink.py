"""The kernel's IPVS table over generic netlink.

Requests and dumps use ``genl``'s codec on one ``GenlSocket`` (nlsocket.py: guarded by a lock,
so a polling thread and the UI can share the backend); here each reply becomes the model and
each errno the operator's error.
"""

from __future__ import annotations

import errno
import struct
from collections.abc import Iterator

from ..model import Info, RealServer, SyncDaemon, Timeouts, ValidationError, VirtualService
from . import genl
from .backend import (Backend, gc_paused, InvalidRequest, IPVSError, IPVSUnavailable, NoSuchServer,
                      NoSuchService, NotPermitted, SchedulerNotFound, ServerExists, ServiceExists)
from .connections import PROC_CONN, read_connections
from .nlsocket import GenlSocket, NetlinkError, NoAnswer

BATCH = 256          # requests per send when applying many changes


class NetlinkBackend(Backend):
    name = "netlink"

    def __init__(self, proc_conn: str = PROC_CONN, link: GenlSocket | None = None):
        self.proc_conn = proc_conn
        self.link = link or GenlSocket()
        self._layouts: dict[bytes, object] = {}   # message layout -> decoder (or False)

    def close(self) -> None:
        self.link.close()

    def _call(self, cmd: int, attrs: bytes, errors: dict):
        try:
            self.link.request(cmd, attrs)
        except NetlinkError as exc:
            raise self._error(exc.code, errors) from None

    def _read(self, cmd: int, attrs: bytes, on_payload=None, dump: bool = False,
              errors: dict | None = None, on_message=None) -> None:
        """A read: *on_payload(view, start, end)* gets each reply's attributes (or
        *on_message* the messages themselves, as ``_request`` gives them)."""
        if on_message is None:
            skip = genl.NLMSGHDR.size + genl.GENLHDR_LEN

            def on_message(view, off, length, n):
                on_payload(view, off + skip, off + length)
        try:
            self.link.request(cmd, attrs, dump=dump, on_message=on_message)
        except NetlinkError as exc:
            raise self._error(exc.code, errors or {}, reading=True) from None
        except NoAnswer:
            raise NoAnswer(reading=True) from None

    # ------------------------------------------------------------ reading
    def services(self) -> list[VirtualService]:
        return self._table(counters=True)

    def services_without_counters(self) -> list[VirtualService]:
        return self._table(counters=False)

    @gc_paused
    def _table(self, counters: bool) -> list[VirtualService]:
        out = self._services_alone()
        for svc in out:
            svc.servers = self._servers(svc, counters)
        return out

    def each_service(self, order=None, counters: bool = True) -> Iterator[VirtualService]:
        services = self._services_alone()
        services = order(services) if order else services
        for i, svc in enumerate(services):
            services[i] = None                                  # held by the caller alone
            svc.servers = self._servers(svc, counters)
            yield svc

    def _services_alone(self) -> list[VirtualService]:
        """Every service, its real servers not read."""
        out: list[VirtualService] = []

        def on_service(buf, off, end):
            for kind, (poff, plen) in genl.attrs(buf, off, end).items():
                if kind == genl.A_SERVICE:
                    out.append(genl.decode_service(buf, poff, poff + plen))

        self._read(genl.CMD_GET_SERVICE, b"", on_service, dump=True)
        return out

    @gc_paused
    def find_service(self, svc: VirtualService) -> VirtualService:
        """One service by key (GET_SERVICE) and its real servers, without dumping the table."""
        found: list[VirtualService] = []

        def on_service(buf, off, end):
            at = genl.attrs(buf, off, end)
            if genl.A_SERVICE in at:
                poff, plen = at[genl.A_SERVICE]
                found.append(genl.decode_service(buf, poff, poff + plen))

        missing = {errno.ESRCH: lambda: NoSuchService(svc), errno.ENOENT: lambda: NoSuchService(svc)}
        self._read(genl.CMD_GET_SERVICE, genl.service_attrs(svc, full=False), on_service,
                   errors=missing)
        if not found:
            raise NoSuchService(svc)
        found[0].servers = self._servers(found[0])
        return found[0]

    def _servers(self, svc: VirtualService, counters: bool = True) -> list[RealServer]:
        """Dump one service's real servers (without *counters*: their stats UNREAD_STATS).
        Runs of messages with one layout (all of them, from one kernel) are read with
        ``struct.iter_unpack``; any other message attribute by attribute."""
        servers: list[RealServer] = []
        append = servers.append
        struct_of, build_of = ("lean", "build_lean") if counters else ("config", "build_config")
        layouts = self._layouts
        dest_off = genl.NLMSGHDR.size + genl.GENLHDR_LEN + 4     # payload of IPVS_CMD_ATTR_DEST

        def on_dest(view, off, length, n):
            step = (length + 3) & ~3
            key = bytes(view[off:off + 6]) + bytes(view[off + dest_off - 4:off + dest_off + 4])
            decode = layouts.get(key)
            if decode is None:
                try:
                    decode = genl.DestLayout(view, off + dest_off, off + length,
                                             message=off).decoder()
                except (ValueError, struct.error):
                    decode = False
                layouts[key] = decode
            if not (decode and step == length and off + step <= n
                    and decode.fits(decode.struct.unpack_from(view, off))):
                append(genl.decode_dest(view, off + dest_off, off + length))   # one by one
                return off + step
            run = list(getattr(decode, struct_of).iter_unpack(
                view[off:off + (n - off) // step * step]))
            heads = list(map(decode.heads, run))        # the first checked in full, the rest
            if heads.count(decode.head) != len(heads):  # by length, type and DEST header
                run = run[:next(i for i, h in enumerate(heads) if h != decode.head)]
            servers.extend(map(getattr(decode, build_of), run))
            return off + step * len(run)

        missing = {errno.ESRCH: lambda: NoSuchService(svc), errno.ENOENT: lambda: NoSuchService(svc)}
        self._read(genl.CMD_GET_DEST, genl.service_attrs(svc, full=False), dump=True,
                   errors=missing, on_message=on_dest)
        return servers

    def info(self) -> Info:
        found = {}

        def on_info(buf, off, end):
            at = genl.attrs(buf, off, end)
            for k in (genl.INFO_VERSION, genl.INFO_CONN_TAB_SIZE):
                if k in at:
                    found[k] = struct.unpack_from("=I", buf, at[k][0])[0]

        self._read(genl.CMD_GET_INFO, b"", on_info)
        v = found.get(genl.INFO_VERSION, 0)
        return Info(f"{v >> 16}.{(v >> 8) & 0xFF}.{v & 0xFF}", found.get(genl.INFO_CONN_TAB_SIZE, 0))

    def timeouts(self) -> Timeouts:
        found = {}

        def on_config(buf, off, end):
            at = genl.attrs(buf, off, end)
            for k, (poff, _) in at.items():
                found[k] = struct.unpack_from("=I", buf, poff)[0]

        self._read(genl.CMD_GET_CONFIG, b"", on_config)
        return Timeouts(found.get(genl.A_TIMEOUT_TCP, 0), found.get(genl.A_TIMEOUT_TCP_FIN, 0),
                        found.get(genl.A_TIMEOUT_UDP, 0))

    def daemons(self) -> list[SyncDaemon]:
        out = []

        def on_daemon(buf, off, end):
            top = genl.attrs(buf, off, end)
            if genl.A_DAEMON in top:
                poff, plen = top[genl.A_DAEMON]
                out.append(genl.decode_daemon(buf, poff, poff + plen))

        self._read(genl.CMD_GET_DAEMON, b"", on_daemon, dump=True)
        return out

    def connections(self):
        try:
            return read_connections(self.proc_conn)
        except FileNotFoundError:
            raise IPVSUnavailable(f"{self.proc_conn} is missing") from None

    # ------------------------------------------------------------ changing
    @staticmethod
    def _table_request(kind: str, svc: VirtualService, rs: RealServer | None = None):
        """(command, attributes, errno -> error) for one change of services or servers."""
        key = genl.service_attrs(svc, full=False)
        if kind.endswith("service"):
            errors = {errno.EEXIST: lambda: ServiceExists(svc),
                      errno.ESRCH: lambda: NoSuchService(svc),
                      errno.ENOENT: lambda: SchedulerNotFound(svc)}
            if kind == "add-service":
                return genl.CMD_NEW_SERVICE, genl.service_attrs(svc), errors
            if kind == "edit-service":
                return genl.CMD_SET_SERVICE, genl.service_attrs(svc), errors
            return genl.CMD_DEL_SERVICE, key, errors
        errors = {errno.ESRCH: lambda: NoSuchService(svc),
                  errno.EEXIST: lambda: ServerExists(svc, rs),
                  errno.ENOENT: lambda: NoSuchServer(svc, rs)}
        if kind == "add-server":
            return genl.CMD_NEW_DEST, key + genl.dest_attrs(rs), errors
        if kind == "edit-server":
            return genl.CMD_SET_DEST, key + genl.dest_attrs(rs), errors
        return genl.CMD_DEL_DEST, key + genl.dest_attrs(rs, full=False), errors

    def _add_service(self, svc):
        self._call(*self._table_request("add-service", svc))

    def _edit_service(self, svc):
        self._call(*self._table_request("edit-service", svc))

    def _delete_service(self, svc):
        self._call(*self._table_request("delete-service", svc))

    def _add_server(self, svc, rs):
        self._call(*self._table_request("add-server", svc, rs))

    def _edit_server(self, svc, rs):
        self._call(*self._table_request("edit-server", svc, rs))

    def _delete_server(self, svc, rs):
        self._call(*self._table_request("delete-server", svc, rs))

    def apply_operations(self, ops, on_applied=None):
        """Send the changes in batches of pipelined requests, one ACK each; *on_applied*
        hears each batch's applied operations as soon as its ACKs are in.

        The kernel goes on with a batch after a refused request, so every request that was
        acknowledged counts as applied, also after the first failure: the caller rolls back all
        of them."""
        if any(op.kind in ("zero", "flush") for op in ops):     # table-wide: one by one
            return super().apply_operations(ops, on_applied)
        requests, failure = [], None
        for i, op in enumerate(ops):
            try:
                svc, rs = op.service, op.server
                if op.kind in ("add-service", "edit-service"):
                    svc.validate()
                elif op.kind in ("add-server", "edit-server"):
                    rs = self.checked_server(svc, rs)
                requests.append(self._table_request(op.kind, svc, rs))
            except ValidationError as exc:
                failure = (i, exc)
                break
        applied = []
        for start in range(0, len(requests), BATCH):
            codes = self.link.pipeline(requests[start:start + BATCH])
            batch = [ops[i] for i, code in enumerate(codes, start) if code == 0]
            for i, code in enumerate(codes, start):
                if code and (failure is None or failure[0] > i):
                    failure = (i, self._error(code, requests[i][2]))
            applied += batch
            if on_applied and batch:
                on_applied(batch)
            if any(codes):
                break
        return applied, failure

    @staticmethod
    def _error(code: int, errors: dict, reading: bool = False) -> IPVSError:
        """The one mapping of a netlink errno to the operator's error."""
        if code == errno.EPERM:
            return NotPermitted("read the IPVS table") if reading else NotPermitted()
        if code in errors:
            return errors[code]()
        if code == errno.EINVAL and not reading:
            return InvalidRequest("the kernel rejected the request as invalid")
        return NetlinkError(code)

    def zero(self, svc=None):
        attrs = genl.service_attrs(svc, full=False) if svc is not None else b""
        self._call(genl.CMD_ZERO, attrs, {errno.ESRCH: lambda: NoSuchService(svc)})

    def flush(self):
        self._call(genl.CMD_FLUSH, b"", {})

    def _set_timeouts(self, timeouts):
        self._call(genl.CMD_SET_CONFIG, genl.timeout_attrs(timeouts), {})

    def _start_daemon(self, daemon):
        self._call(genl.CMD_NEW_DAEMON, genl.daemon_attrs(daemon),
                   {errno.EEXIST: lambda: IPVSError(f"a {daemon.state} sync daemon already runs"),
                    errno.ENODEV: lambda: IPVSError(f"No such device: there is no interface {daemon.interface!r}")})

    def stop_daemon(self, state):
        try:
            self._call(genl.CMD_DEL_DAEMON, genl.daemon_attrs(SyncDaemon(state, "lo"), full=False),
                       {errno.ESRCH: lambda: IPVSError(f"No daemon is running: no {state} sync daemon runs")})
        except NoAnswer:
            # a stop that comes before the sync thread first ran stops it all the same, but the
            # kernel's handler returns EINTR (kthread_stop's), for which netlink sends no answer
            if any(d.state == state for d in self.daemons()):
                raise
