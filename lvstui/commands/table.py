"""ipvsadm's everyday commands on the command line: ``list`` in all its forms, ``set``,
``daemon start|stop``, ``zero``, ``flush``: ipvsadm's output byte for byte where it prints the
same thing, ipvsadm's words in errors, one line and exit 1 on bad input, every change audited."""

from __future__ import annotations

import sys

from ..ipvs import IPVSError
from ..ipvs.listing import connections_text, daemons_text, timeouts_text
from ..model import SyncDaemon, Timeouts, ValidationError, parse_service
from ..session import Result, Session


def run_table(args, session: Session) -> int:
    run = {"list": _list, "set": _set, "daemon": _daemon, "zero": _zero, "flush": _flush}
    return run[args.command](args, session)


def one_service(args):
    """The service named by -t / -u / --sctp-service / -f, or None."""
    for protocol, text in (("tcp", args.tcp_service), ("udp", args.udp_service),
                           ("sctp", args.sctp_service)):
        if text:
            return parse_service(text, protocol)
    if args.fwmark_service:
        return parse_service(f"fwmark {args.fwmark_service}")
    return None


def _list(args, session: Session) -> int:
    backend = session.backend
    if args.connection:
        parts = [connections_text(session.table.connections(), args.mode == "persistent")]
    elif args.mode == "timeout":
        parts = [timeouts_text(backend.timeouts())]
    elif args.mode == "daemon":
        parts = [daemons_text(backend.daemons())]
    else:                                  # the table a service at a time, printed as read
        parts = session.table.listing(args.mode, args.exact, one_service(args))
    sys.stdout.writelines(parts)
    return 0


def _set(args, session: Session) -> int:
    values = []
    for text in (args.tcp, args.tcpfin, args.udp):
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(f"invalid timeout value `{text}' specified")
        values.append(int(text))
    return _done(session.table.set_timeouts(Timeouts(*values)))


def _daemon(args, session: Session) -> int:
    if args.state not in ("master", "backup"):
        raise ValidationError(f"illegal {args.action}-daemon parameter specified "
                              f"({args.state!r}: master or backup)")
    if args.action == "stop":
        return _done(session.table.stop_daemon(args.state))
    if not args.mcast_interface:
        raise ValidationError("--mcast-interface is needed: the interface the daemon "
                              "multicasts on")
    given = {"sync_id": args.syncid, "max_len": args.sync_maxlen, "group": args.mcast_group,
             "port": args.mcast_port, "ttl": args.mcast_ttl}
    daemon = SyncDaemon(args.state, args.mcast_interface,
                        **{k: v for k, v in given.items() if v is not None})
    return _done(session.table.start_daemon(daemon))


def _zero(args, session: Session) -> int:
    svc = one_service(args)
    if svc is not None:
        svc = session.backend.find_service(svc)
    return _done(session.table.zero(svc))


def _flush(args, session: Session) -> int:
    count = len(session.backend.services())
    if not args.yes and not session.dry_run:
        if not sys.stdin.isatty():
            raise ValidationError(f"flush deletes all {count} virtual service(s): --yes to do "
                                  "it (no terminal to ask on)")
        answer = input(f"Delete all {count} virtual service(s)? Type {count} to confirm: ")
        if answer.strip() != str(count):
            print("nothing deleted", file=sys.stderr)
            return 1
    return _done(session.table.flush())


def _done(result: Result) -> int:
    """The result's commands in dry-run; its error as the one line (exit 1)."""
    if result.error:
        raise IPVSError(result.error)
    if result.dry_run:
        for command in result.commands:
            print(command)
    return 0
