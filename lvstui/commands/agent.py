"""``lvstui agent``: this director answering the other one (see lvstui.peer.protocol). It
reads requests on stdin and answers on stdout until stdin closes; every change is made by the
session here, so it is checked, applied all or none and audited here (via=peer, for= the
operator who asked on the other director)."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import asdict

from .. import __version__
from ..audit import who
from ..ipvs.backend import IPVSError, NotPermitted
from ..model import ValidationError
from ..peer.protocol import (PROTOCOL, ProtocolError, TableDelta, decode_daemon,
                             decode_operation, decode_service, decode_timeouts, encode_service)
from ..session import Session


def serve(session: Session, stdin=None, stdout=None) -> int:
    """Say hello, then answer one request per line until stdin closes."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    _send(stdout, {"agent": "lvstui", "protocol": PROTOCOL, "version": __version__,
                   "host": session.hostname, "user": who(), "writable": session.why_not() is None})
    delta = TableDelta()              # what this session's console has of the table
    for line in stdin:
        if line.strip():
            _send(stdout, _answer(session, line, delta))
    return 0


def _send(stdout, message: dict) -> None:
    stdout.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
    stdout.flush()


def _answer(session: Session, line: bytes, delta: TableDelta | None = None) -> dict:
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ProtocolError("a request is a JSON object")
    except (ValueError, ProtocolError) as exc:
        return {"id": None, "ok": False, "error": f"not a request: {exc}", "kind": "ProtocolError"}
    handler = HANDLERS.get(request.get("op"))
    if request.get("op") == "table":
        delta = delta or TableDelta()
        handler = lambda session, request: delta.reply(session.backend.services())  # noqa: E731
    reply = {"id": request.get("id")}
    if handler is None:
        return {**reply, "ok": False, "error": f"unknown request {request.get('op')!r}",
                "kind": "ProtocolError"}
    try:
        return {**reply, "ok": True, **handler(session, request)}
    except (IPVSError, ValidationError, OSError, KeyError, TypeError) as exc:
        text = str(exc) if not isinstance(exc, (KeyError, TypeError)) else f"bad request: {exc}"
        return {**reply, "ok": False, "error": text, "kind": type(exc).__name__}


def _services(session: Session, request: dict) -> dict:
    return {"services": [encode_service(s) for s in session.backend.services()]}


def _find(session: Session, request: dict) -> dict:
    return {"service": encode_service(session.backend.find_service(
        decode_service(request["service"])))}


def _state(session: Session, request: dict) -> dict:
    backend = session.backend
    return {"info": _maybe(lambda: asdict(backend.info())),
            "timeouts": _maybe(lambda: asdict(backend.timeouts())),
            "daemons": _maybe(lambda: [asdict(d) for d in backend.daemons()]),
            "conns": _maybe(lambda: dict(Counter(c.state for c in backend.connections()))),
            "health": session.health_summary(), "heartbeat": session.heartbeat_summary()}


def _maybe(read):
    try:
        return read()
    except (IPVSError, OSError):
        return None


def _changed(session: Session, request: dict, make) -> dict:
    """Run one change here in the name of the operator who asked (audited via=peer)."""
    if session.why_not():
        raise NotPermitted()
    session.audit = session.audit.by("peer", str(request.get("by", ""))[:80])
    result = make()
    if result.error:
        raise IPVSError(result.error)
    return {"commands": result.commands}


def _apply(session: Session, request: dict) -> dict:
    ops = [decode_operation(op) for op in request["ops"]]
    return _changed(session, request, lambda: session.change(lambda: ops, undoable=False))


def _set_timeouts(session: Session, request: dict) -> dict:
    timeouts = decode_timeouts(request["timeouts"])
    return _changed(session, request, lambda: session.set_timeouts(timeouts))


def _start_daemon(session: Session, request: dict) -> dict:
    daemon = decode_daemon(request["daemon"])
    return _changed(session, request, lambda: session.start_daemon(daemon))


def _stop_daemon(session: Session, request: dict) -> dict:
    state = str(request["state"])
    return _changed(session, request, lambda: session.stop_daemon(state))


HANDLERS = {"services": _services, "find": _find, "state": _state, "apply": _apply,
            "set-timeouts": _set_timeouts, "start-daemon": _start_daemon,
            "stop-daemon": _stop_daemon}


def agent_table(backend):
    """The kernel's table; for a user that is not root, the read-only one any user may see."""
    if backend.name == "netlink" and os.geteuid() != 0:
        from ..ipvs.proc import ProcTable
        backend.close()
        return ProcTable()
    return backend
