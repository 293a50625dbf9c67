"""The kernel's IPVS table over generic netlink.

The IPVS family id is asked of the generic-netlink controller, and requests and dumps use
``genl``'s codec, all on one netlink socket guarded by a lock so a polling thread and the UI
can share the backend (no import of pyroute2 on this path: it costs a start-up second in the VM).
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import threading
from collections.abc import Iterator

from ..model import Info, RealServer, SyncDaemon, Timeouts, ValidationError, VirtualService
from . import genl
from .backend import (Backend, gc_paused, InvalidRequest, IPVSError, IPVSUnavailable, NoSuchServer,
                      NoSuchService, NotPermitted, SchedulerNotFound, ServerExists, ServiceExists)
from .connections import PROC_CONN, read_connections

NETLINK_GENERIC = 16
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
RECV_SIZE = 1 << 17
BATCH = 256          # requests per send when applying many changes
# The kernel answers a request before send() returns (a dump's further parts are made as they
# are read), so a reply not there within seconds never comes: netlink sends none for a
# request whose handler returned EINTR.
ANSWER_WAIT = 5.0


class NetlinkError(IPVSError):
    def __init__(self, code: int):
        self.code = code
        super().__init__(f"kernel refused: {os.strerror(code)}")


class NoAnswer(IPVSError):
    def __init__(self, reading: bool = False):
        super().__init__(f"the kernel gave no answer within {ANSWER_WAIT:g} s" + (
            "" if reading else ": the change may or may not have been made (read the table again)"))


class NetlinkBackend(Backend):
    name = "netlink"

    def __init__(self, proc_conn: str = PROC_CONN):
        self.proc_conn = proc_conn
        self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
        self._sock.bind((0, 0))
        self._sock.settimeout(ANSWER_WAIT)
        self._seq = 0
        self._lock = threading.Lock()
        self._buf = bytearray(RECV_SIZE)
        self._layouts: dict[bytes, object] = {}   # message layout -> decoder (or False)
        try:
            self.family = self._family_id()
        except BaseException:
            self._sock.close()
            raise

    def _family_id(self) -> int:
        """The IPVS family's id, from the controller (CTRL_CMD_GETFAMILY "IPVS");
        IPVSUnavailable when the kernel has no IPVS."""
        found: list[int] = []
        skip = genl.NLMSGHDR.size + genl.GENLHDR_LEN

        def on_reply(view, off, length, n):
            at = genl.attrs(view, off + skip, off + length)
            if CTRL_ATTR_FAMILY_ID in at:
                found.append(struct.unpack_from("=H", view, at[CTRL_ATTR_FAMILY_ID][0])[0])

        self.family = GENL_ID_CTRL
        try:
            self._request(CTRL_CMD_GETFAMILY, genl.string(CTRL_ATTR_FAMILY_NAME, "IPVS"),
                          on_message=on_reply)
        except NetlinkError as exc:
            raise IPVSUnavailable(os.strerror(exc.code)) from None
        if not found:
            raise IPVSUnavailable("the kernel named no IPVS family")
        return found[0]

    def close(self) -> None:
        self._sock.close()

    # ------------------------------------------------------------ transport
    def _request(self, cmd: int, attrs: bytes = b"", dump: bool = False, on_message=None):
        """Send one request and read its replies: *on_message(view, off, length, n)* gets each
        message at *off* of the *n* bytes received, and may return the offset it has read up
        to (a run of messages). NetlinkError on an error reply."""
        with self._lock:
            self._seq += 1
            seq = self._seq
            flags = genl.NLM_F_REQUEST | (genl.NLM_F_DUMP if dump else genl.NLM_F_ACK)
            self._sock.send(genl.message(self.family, cmd, flags, seq, attrs))
            buf, view = self._buf, memoryview(self._buf)
            unpack_hdr = genl.NLMSGHDR.unpack_from
            while True:
                n = self._receive(buf)
                off = 0
                while off + 16 <= n:
                    length, kind, _flags, mseq, _pid = unpack_hdr(buf, off)
                    if length < 16:
                        raise IPVSError("malformed netlink reply")
                    if mseq != seq:
                        off += (length + 3) & ~3
                        continue
                    if kind == genl.NLMSG_DONE:
                        return
                    if kind == genl.NLMSG_ERROR:
                        code = -struct.unpack_from("=i", buf, off + 16)[0]
                        if code:
                            raise NetlinkError(code)
                        return
                    upto = on_message(view, off, length, n) if on_message else None
                    off = upto if upto is not None else off + ((length + 3) & ~3)

    def _receive(self, buf: bytearray) -> int:
        """The next datagram into *buf*; NoAnswer when none comes within ANSWER_WAIT."""
        try:
            return self._sock.recv_into(buf)
        except TimeoutError:
            raise NoAnswer() from None

    def _call(self, cmd: int, attrs: bytes, errors: dict):
        try:
            self._request(cmd, attrs)
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
            self._request(cmd, attrs, dump=dump, on_message=on_message)
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
            codes = self._pipeline(requests[start:start + BATCH])
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

    def _pipeline(self, requests) -> list[int]:
        """Send requests back to back; the errno of each (0 = applied), in order."""
        with self._lock:
            first = self._seq + 1
            packets = []
            for cmd, attrs, _errors in requests:
                self._seq += 1
                packets.append(genl.message(self.family, cmd, genl.NLM_F_REQUEST | genl.NLM_F_ACK,
                                            self._seq, attrs))
            self._sock.send(b"".join(packets))
            codes: dict[int, int] = {}
            buf = self._buf
            while len(codes) < len(requests):
                n = self._receive(buf)
                off = 0
                while off + 16 <= n:
                    length, kind, _flags, seq, _pid = genl.NLMSGHDR.unpack_from(buf, off)
                    if kind == genl.NLMSG_ERROR and first <= seq <= self._seq:
                        codes[seq] = -struct.unpack_from("=i", buf, off + 16)[0]
                    off += max((length + 3) & ~3, 16)
            return [codes[first + i] for i in range(len(requests))]

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
