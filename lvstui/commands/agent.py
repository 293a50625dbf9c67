"""``lvstui agent``: this director answering the other one (see lvstui.peer.protocol). It
reads requests on stdin and answers on stdout until stdin closes; every change is made by the
session here, so it is checked, applied all or none and audited here (via=peer, for= the
operator who asked on the other director)."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

from .. import __version__
from ..audit import who
from ..ipvs.backend import IPVSError, NotPermitted
from ..model import SyncDaemon, Timeouts, ValidationError
from ..peer.protocol import (PROTOCOL, ProtocolError, TableDelta, decode_operation,
                             decode_plain, decode_service, encode_plain, encode_quiesced,
                             encode_service)
from ..session import Session


def serve(session: Session, stdin=None, stdout=None) -> int:
    """Say hello, then answer one request per line until stdin closes."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    _send(stdout, {"agent": "lvstui", "protocol": PROTOCOL, "version": __version__,
                   "host": session.hostname, "user": who(), "writable": session.why_not() is None})
    agent = Agent(session)
    for line in stdin:
        if line.strip():
            _send(stdout, agent.answer(line))
    return 0


def _send(stdout, message: dict) -> None:
    stdout.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
    stdout.flush()


class Agent:
    """The requests of one console (one ssh session): its session here, and what of the
    table that console already has (``table`` replies are deltas)."""

    def __init__(self, session: Session):
        self.session = session
        self.delta = TableDelta()
        self.handlers = {"services": self.services, "table": self.table, "find": self.find,
                         "state": self.state, "apply": self.apply,
                         "set-timeouts": self.set_timeouts, "start-daemon": self.start_daemon,
                         "stop-daemon": self.stop_daemon, "vip-add": self.vip_add,
                         "vip-remove": self.vip_remove, "announce": self.announce}

    def answer(self, line: bytes) -> dict:
        """One reply per line, whatever the line holds."""
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ProtocolError("a request is a JSON object")
        except (ValueError, ProtocolError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else exc
            return {"id": None, "ok": False, "error": f"not a request: {why}",
                    "kind": "ProtocolError"}
        ident, op = request.get("id"), request.get("op")
        reply = {"id": ident if type(ident) is int and abs(ident) < 2 ** 63 else None}
        handler = self.handlers.get(op) if isinstance(op, str) else None
        if handler is None:
            return {**reply, "ok": False, "error": f"unknown request {str(op)[:40]!r}",
                    "kind": "ProtocolError"}
        try:
            return {**reply, "ok": True, **handler(request)}
        except (IPVSError, ValidationError, OSError) as exc:
            return {**reply, "ok": False, "error": str(exc), "kind": type(exc).__name__}
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError,
                RecursionError) as exc:       # a request of the wrong shape
            return {**reply, "ok": False, "error": f"bad request: {str(exc)[:200]}",
                    "kind": "ProtocolError"}

    def services(self, request: dict) -> dict:
        return {"services": [encode_service(s) for s in self.session.backend.services()]}

    def table(self, request: dict) -> dict:
        return self.delta.reply(self.session.backend.services())

    def find(self, request: dict) -> dict:
        return {"service": encode_service(self.session.backend.find_service(
            decode_service(request["service"])))}

    def state(self, request: dict) -> dict:
        session, backend = self.session, self.session.backend
        return {"info": _maybe(lambda: encode_plain(backend.info())),
                "timeouts": _maybe(lambda: encode_plain(backend.timeouts())),
                "daemons": _maybe(lambda: [encode_plain(d) for d in backend.daemons()]),
                "conns": _maybe(lambda: dict(Counter(c.state for c in backend.connections()))),
                "health": session.health_summary(), "heartbeat": session.ha.summary(),
                "quiesced": encode_quiesced(session.quiesced()),
                "vips": _maybe(lambda: sorted(session.host.held() or ()))}

    def apply(self, request: dict) -> dict:
        ops = [decode_operation(op) for op in request["ops"]]
        return self._changed(request, lambda: self.session.table.change(lambda: ops, undoable=False))

    def set_timeouts(self, request: dict) -> dict:
        timeouts = decode_plain(Timeouts, request["timeouts"], "timeouts")
        return self._changed(request, lambda: self.session.table.set_timeouts(timeouts))

    def start_daemon(self, request: dict) -> dict:
        daemon = decode_plain(SyncDaemon, request["daemon"], "a sync daemon")
        return self._changed(request, lambda: self.session.table.start_daemon(daemon))

    def stop_daemon(self, request: dict) -> dict:
        state = str(request["state"])
        return self._changed(request, lambda: self.session.table.stop_daemon(state))

    def vip_add(self, request: dict) -> dict:
        address, label = str(request["address"]), request.get("label")
        return self._changed(request, lambda: self.session.host.vip_add(
            address, str(label) if label else None, bool(request.get("announce", True))))

    def vip_remove(self, request: dict) -> dict:
        address = str(request["address"])
        return self._changed(request, lambda: self.session.host.vip_remove(address))

    def announce(self, request: dict) -> dict:
        address = str(request["address"])
        return self._changed(request, lambda: self.session.host.announce(address))

    def _changed(self, request: dict, make) -> dict:
        """Run one change here in the name of the operator who asked (audited via=peer)."""
        session = self.session
        if session.why_not():
            raise NotPermitted()
        session.audit = session.audit.by("peer", str(request.get("by", ""))[:80])
        result = make()
        if result.error:
            raise IPVSError(result.error)
        return {"commands": result.commands}


def _maybe(read):
    try:
        return read()
    except (IPVSError, OSError):
        return None


def agent_table(backend):
    """The kernel's table; for a user that is not root, the read-only one any user may see."""
    if backend.name == "netlink" and os.geteuid() != 0:
        from ..ipvs.proc import ProcTable
        backend.close()
        return ProcTable()
    return backend
