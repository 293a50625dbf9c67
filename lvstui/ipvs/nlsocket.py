"""One generic-netlink socket, shared by the threads of a session (a lock): the IPVS family's
id asked of the controller, a request and its replies (a dump's many), and pipelined batches of
requests with one ACK each. No import of pyroute2 on this path: it costs a start-up second in
the VM."""

from __future__ import annotations

import os
import socket
import struct
import threading

from . import genl
from .backend import IPVSError, IPVSUnavailable

NETLINK_GENERIC = 16
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
RECV_SIZE = 1 << 17
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


class GenlSocket:
    """The socket (*sock*: a stand-in for tests) and the IPVS family's id (*family*: asked of
    the controller when not given)."""

    def __init__(self, sock=None, family: int | None = None):
        if sock is None:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
            sock.bind((0, 0))
            sock.settimeout(ANSWER_WAIT)
        self.sock = sock
        self._seq = 0
        self._lock = threading.Lock()
        self._buf = bytearray(RECV_SIZE)
        try:
            self.family = family if family is not None else self._family_id()
        except BaseException:
            self.sock.close()
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
            self.request(CTRL_CMD_GETFAMILY, genl.string(CTRL_ATTR_FAMILY_NAME, "IPVS"),
                         on_message=on_reply)
        except NetlinkError as exc:
            raise IPVSUnavailable(os.strerror(exc.code)) from None
        if not found:
            raise IPVSUnavailable("the kernel named no IPVS family")
        return found[0]

    def close(self) -> None:
        self.sock.close()

    def request(self, cmd: int, attrs: bytes = b"", dump: bool = False, on_message=None):
        """Send one request and read its replies: *on_message(view, off, length, n)* gets each
        message at *off* of the *n* bytes received, and may return the offset it has read up
        to (a run of messages). NetlinkError on an error reply."""
        with self._lock:
            self._seq += 1
            seq = self._seq
            flags = genl.NLM_F_REQUEST | (genl.NLM_F_DUMP if dump else genl.NLM_F_ACK)
            self.sock.send(genl.message(self.family, cmd, flags, seq, attrs))
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
            return self.sock.recv_into(buf)
        except TimeoutError:
            raise NoAnswer() from None

    def pipeline(self, requests) -> list[int]:
        """Send requests back to back; the errno of each (0 = applied), in order."""
        with self._lock:
            first = self._seq + 1
            packets = []
            for cmd, attrs, _errors in requests:
                self._seq += 1
                packets.append(genl.message(self.family, cmd, genl.NLM_F_REQUEST | genl.NLM_F_ACK,
                                            self._seq, attrs))
            self.sock.send(b"".join(packets))
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
