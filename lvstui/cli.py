"""``lvstui [--demo]`` starts the console; ``save``, ``restore``, ``list`` keep ipvsadm's habits."""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .audit import DEFAULT_PATH as DEFAULT_AUDIT, AuditLog
from .console import open_table
from .ipvs import IPVSError
from .session import Session
from .model import ValidationError
from .ha import HeartbeatError
from .health import CONFIG_PATH as HEALTH_CONFIG, STATE_PATH as HEALTH_STATE
from .history import DEFAULT_CAP_MB, DEFAULT_DB as HISTORY_DB
from .system import SettingError


def _common(defaults: bool) -> argparse.ArgumentParser:
    """--backend/--demo, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--backend", choices=("netlink", "memory"),
                        default="netlink" if defaults else argparse.SUPPRESS,
                        help="the kernel's table (default) or an in-memory one")
    common.add_argument("--demo", action="store_true",
                        default=False if defaults else argparse.SUPPRESS,
                        help="the simulated reference cluster (memory backend)")
    return common


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lvstui", parents=[_common(True)],
                                description="Console for Linux Virtual Server clusters.")
    common = _common(False)
    p.add_argument("--version", action="version", version=f"lvstui {__version__}")
    p.add_argument("--refresh", type=float, default=1.0, help="seconds between refreshes")
    p.add_argument("--audit-log", help=f"change log (default {DEFAULT_AUDIT}; with --demo: in the "
                                       "demo's own temporary directory)")
    p.add_argument("--dry-run", action="store_true",
                   help="console: show changes as ipvsadm commands, apply nothing")
    p.add_argument("--confirm-within", type=_minutes, metavar="MINUTES",
                   help="console: every change reverts by itself unless confirmed (C) within "
                        "MINUTES, and at once if the terminal hangs up (commit confirmed)")
    p.add_argument("--theme", help="lvstui-dark (default), lvstui-light, lvstui-contrast, or any "
                                   "Textual theme")
    checks = p.add_mutually_exclusive_group()
    checks.add_argument("--health", metavar="FILE",
                        help="console: run these health checks here when no lvstui monitor runs")
    checks.add_argument("--ldirectord-config", metavar="FILE", dest="ldirectord_console",
                        help="console: the same, from an ldirectord.cf")
    p.add_argument("--health-state", default=HEALTH_STATE, metavar="FILE",
                   help=f"where lvstui monitor publishes its state (default {HEALTH_STATE})")
    _peer_options(p, console=True)
    sub = p.add_subparsers(dest="command")
    sv = sub.add_parser("save", parents=[common], help="print the table as ipvsadm -Sn does")
    _peer_options(sv, "print the table of HOST (the other director) instead")
    dr = sub.add_parser("drift", parents=[common],
                        help="the ipvsadm commands that would make the peer equal to this "
                             "director: exit 0 equal, 1 different, 2 peer unreadable, 3 this "
                             "table unreadable")
    _peer_options(dr, "the other director (default: the other node of ha.cf)")
    sy = sub.add_parser("sync", parents=[common],
                        help="make the peer equal to this director (the differences only)")
    _peer_options(sy, "the other director (default: the other node of ha.cf)", flag="--to")
    sy.add_argument("--dry-run", action="store_true", default=argparse.SUPPRESS,
                    help="print the ipvsadm commands only")
    rec = sub.add_parser("record", parents=[common],
                         help="record the table's changes and who made them (foreground)")
    rec.add_argument("--db", default=HISTORY_DB, help=f"the history (default {HISTORY_DB})")
    rec.add_argument("--interval", type=float, default=1.0, metavar="S",
                     help="seconds between reads (default 1)")
    rec.add_argument("--max-size", type=float, default=DEFAULT_CAP_MB, metavar="MB",
                     help=f"the samples' size cap: past it the oldest go (default {DEFAULT_CAP_MB})")
    hist = sub.add_parser("history", help="the recorded past: the table at a moment, the changes")
    hist.add_argument("--db", default=HISTORY_DB, help=f"the history (default {HISTORY_DB})")
    what = hist.add_mutually_exclusive_group(required=True)
    what.add_argument("--at", metavar="TIME", help="the table then, as ipvsadm -Sn prints it "
                                                   "(2026-11-25T03:12:00 local time, or @EPOCH)")
    what.add_argument("--changes", action="store_true",
                      help="one line per change: time, source (USER@HOST, monitor, external), "
                           "the ipvsadm command")
    what.add_argument("--export", choices=("csv", "json"),
                      help="the samples of one service (-t/-u/--sctp-service/-f) or of one of "
                           "its real servers (-r) from --since to --until")
    hist.add_argument("--since", metavar="TIME")
    hist.add_argument("--until", metavar="TIME")
    _service_options(hist)
    hist.add_argument("-r", "--real-server", metavar="RIP:PORT",
                      help="with --export: that real server of the service")
    ag = sub.add_parser("agent", parents=[common],
                        help="answer the other director's lvstui on stdin/stdout (run by it "
                             "over ssh)")
    ag.add_argument("--ha-dir", default="/etc/ha.d", help=argparse.SUPPRESS)
    r = sub.add_parser("restore", parents=[common],
                       help="make the table equal to a rules file (only changes are sent)")
    r.add_argument("file", help="rules file in ipvsadm -S format, or - for stdin")
    r.add_argument("--dry-run", action="store_true", default=argparse.SUPPRESS,
                   help="print the ipvsadm commands only")
    r.add_argument("--yes", action="store_true",
                   help="restore even a file without any service (it deletes every one)")
    ls = sub.add_parser("list", parents=[common], help="print the table as ipvsadm -Ln does")
    mode = ls.add_mutually_exclusive_group()
    for flag, const, what in (("--stats", "stats", "counters"), ("--rate", "rate", "rates"),
                              ("--thresholds", "thresholds", "upper and lower thresholds"),
                              ("--persistent-conn", "persistent", "persistent connections"),
                              ("--timeout", "timeout", "the tcp, tcpfin and udp timeouts"),
                              ("--daemon", "daemon", "the connection sync daemons")):
        mode.add_argument(flag, action="store_const", dest="mode", const=const, help=what)
    ls.add_argument("-c", "--connection", action="store_true",
                    help="the connection table (ipvsadm -Lnc)")
    ls.add_argument("--exact", action="store_true", help="expand numbers")
    ls.add_argument("--sort", action="store_true", help="sorted (always: as ipvsadm)")
    ls.add_argument("-n", "--numeric", action="store_true", help="numeric (always)")
    _service_options(ls)
    st = sub.add_parser("set", parents=[common], help="set the tcp, tcpfin and udp timeouts "
                                                      "(seconds; 0 keeps one as it is)")
    for name in ("tcp", "tcpfin", "udp"):
        st.add_argument(name, metavar=name.upper(), help=f"the {name} timeout (s); 0: unchanged")
    dm = sub.add_parser("daemon", parents=[common], help="start or stop a connection sync daemon")
    dm.add_argument("action", choices=("start", "stop"))
    dm.add_argument("state", help="master or backup")
    dm.add_argument("--mcast-interface", metavar="IF", help="the interface it multicasts on")
    dm.add_argument("--syncid", type=int, metavar="N", help="0-255 (default 255: all)")
    dm.add_argument("--sync-maxlen", type=int, metavar="N", help="largest message (bytes)")
    dm.add_argument("--mcast-group", metavar="ADDR", help="default 224.0.0.81")
    dm.add_argument("--mcast-port", type=int, metavar="N", help="default 8848")
    dm.add_argument("--mcast-ttl", type=int, metavar="N", help="1-255 (default 1)")
    zr = sub.add_parser("zero", parents=[common], help="zero the counters of one service, or all")
    _service_options(zr)
    fl = sub.add_parser("flush", parents=[common], help="delete every virtual service (asks)")
    fl.add_argument("--yes", action="store_true", help="do not ask")

    net = sub.add_parser("net", help="the DR sysctl profiles: show or apply")
    net.add_argument("action", choices=("status", "apply"))
    net.add_argument("role", choices=("director", "real-server", "tunnel-real-server"))
    net.add_argument("--interface", default="eth0", help="the director's VIP interface")
    net.add_argument("--dry-run", action="store_true", help="show the changes only")
    net.add_argument("--persist", action="store_true",
                     help="also write /etc/sysctl.d/90-lvstui-ROLE.conf")
    chk = sub.add_parser("check-config", help="validate heartbeat's ha.cf, haresources, "
                                              "authkeys, or a health-check file")
    chk.add_argument("--ha-dir", default="/etc/ha.d")
    chk.add_argument("--node", help="this host's node name (default: uname -n)")
    which = chk.add_mutually_exclusive_group()
    which.add_argument("--health", metavar="FILE", help="check lvstui's health-check TOML file")
    which.add_argument("--ldirectord", metavar="FILE", help="check an ldirectord.cf")
    mon = sub.add_parser("monitor", parents=[common],
                         help="check the real servers and quiesce the failed ones (foreground)")
    src = mon.add_mutually_exclusive_group()
    src.add_argument("--config", default=HEALTH_CONFIG, metavar="FILE",
                     help=f"lvstui's TOML file (default {HEALTH_CONFIG})")
    src.add_argument("--ldirectord", metavar="FILE", help="an ldirectord.cf, read as is")
    mon.add_argument("--once", action="store_true",
                     help="one round of every check, one line per real server (SERVICE SERVER "
                          "up|down REASON LATENCY), the table untouched; exit 1 if any is down")
    mon.add_argument("--state", default=HEALTH_STATE, metavar="FILE",
                     help=f"where the state is published (default {HEALTH_STATE})")
    mon.add_argument("--record", action="store_true",
                     help="also record the table's changes, as lvstui record does (one process)")
    mon.add_argument("--db", default=HISTORY_DB, help=f"with --record (default {HISTORY_DB})")
    ha = sub.add_parser("ha", help="heartbeat: state, manual failover")
    ha.add_argument("action", choices=("status", "standby", "takeover"))
    ha.add_argument("--wait", metavar="VIP", help="follow VIP until it has moved, and time it")
    ha.add_argument("--timeout", type=float, default=30.0)
    vip = sub.add_parser("vip", help="add, remove or list VIP addresses on this host")
    vip.add_argument("action", choices=("add", "del", "list"))
    vip.add_argument("address", nargs="?")
    vip.add_argument("--dev", default="eth0", help="interface (lo on DR real servers)")
    vip.add_argument("--label", help="alias label (default: the first free DEV:N)")
    vip.add_argument("--no-announce", action="store_true", help="no gratuitous ARP after adding")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.audit_log is None and not (args.demo and args.command is None):
        args.audit_log = _demo_audit() if args.demo else DEFAULT_AUDIT
    try:
        if args.command is None:
            from .console import run
            return run(args.backend, args.demo, args.refresh, args.audit_log, args.dry_run,
                       args.theme, (args.health or args.ldirectord_console,
                                    bool(args.ldirectord_console), args.health_state),
                       confirm_within=args.confirm_within,
                       peer=(args.peer, args.no_peer, args.peer_command, args.ssh_config))
        if args.command == "check-config":
            if args.health or args.ldirectord:
                from .commands.health import check_health_config
                return check_health_config(args.health or args.ldirectord, bool(args.ldirectord))
            from .commands.ha import check_config
            return check_config(args.ha_dir, args.node)
        if args.command == "ha":
            from .commands.ha import run_ha
            return run_ha(args, AuditLog(args.audit_log, via="cli"))
        if args.command == "history":
            from .commands.history import run_history
            return run_history(args)
        if args.command in ("net", "vip"):
            from .commands.system import run_system
            return run_system(args, AuditLog(args.audit_log, via="cli"))
        if args.command == "monitor" and args.once:
            from .commands.health import check_once
            return check_once(args.ldirectord or args.config, bool(args.ldirectord),
                              lambda: open_table(args.backend, args.demo))
        backend = open_table(args.backend, args.demo)
        try:
            if args.command == "record":
                from .commands.history import host_observer, run_record
                with host_observer(backend, args.health_state, args.demo) as observe:
                    return run_record(args.db, args.interval, backend, args.audit_log, observe,
                                      args.max_size)
            if args.command == "monitor":
                from .commands.health import run_monitor
                from .commands.history import host_observer, recording_beside
                with host_observer(backend, args.state, args.demo) as observe, \
                        recording_beside(args.record, args.db, backend, args.audit_log, observe):
                    return run_monitor(args.ldirectord or args.config, bool(args.ldirectord),
                                       args.state, backend,
                                       AuditLog(args.audit_log, via="monitor"))
            return _run(args, backend, AuditLog(args.audit_log, via="cli"))
        finally:
            backend.close()
    except (IPVSError, ValidationError, SettingError, HeartbeatError, OSError) as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1


def _peer_options(parser: argparse.ArgumentParser, what: str = "", flag: str = "--peer",
                  console: bool = False) -> None:
    """Which director is the peer and how it is reached (ssh; lvstui agent there)."""
    if console:
        peer = parser.add_mutually_exclusive_group()
        peer.add_argument("--peer", metavar="HOST", help="console: the other director (default: "
                                                         "the other node of ha.cf)")
        peer.add_argument("--no-peer", action="store_true", help="console: this director alone")
    else:
        parser.add_argument(flag, metavar="HOST", dest="peer", help=what)
    parser.add_argument("--peer-command", default="lvstui", metavar="PATH",
                        help="the lvstui to run on the peer (default: lvstui)")
    parser.add_argument("--ssh-config", metavar="FILE",
                        help="an ssh client configuration file (ssh -F)")


def _minutes(text: str) -> float:
    """``--confirm-within 5`` (minutes, fractions allowed) in seconds."""
    try:
        minutes = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not 0 < minutes <= 1440:
        raise argparse.ArgumentTypeError("between 0 and 1440 minutes (a day)")
    return minutes * 60


def _service_options(parser: argparse.ArgumentParser) -> None:
    """One service, as ipvsadm names it."""
    one = parser.add_mutually_exclusive_group()
    one.add_argument("-t", "--tcp-service", metavar="VIP:PORT")
    one.add_argument("-u", "--udp-service", metavar="VIP:PORT")
    one.add_argument("--sctp-service", metavar="VIP:PORT")
    one.add_argument("-f", "--fwmark-service", metavar="MARK")


def _demo_audit() -> str:
    """The demo touches nothing of the host's: its changes are logged in a temporary file."""
    import tempfile
    return os.path.join(tempfile.mkdtemp(prefix="lvstui-demo-"), "audit.log")


def _run(args, backend, audit: AuditLog) -> int:
    session = Session(backend, audit=audit, dry_run=args.dry_run)
    if args.command == "agent":
        return _agent(args, session)
    if args.command in ("drift", "sync") or (args.command == "save" and args.peer):
        return _pair(args, session)
    if args.command == "save":
        sys.stdout.write(session.rules_text())
    elif args.command in ("list", "set", "daemon", "zero", "flush"):
        from .commands.table import run_table
        return run_table(args, session)
    elif args.command == "restore":
        text = sys.stdin.read() if args.file == "-" else open(args.file).read()
        plan = session.plan_restore(text, emptying=args.yes or args.dry_run)
        result = session.restore(plan, args.file)
        if result.error:
            raise IPVSError(result.error)
        for command in result.commands:
            print(command)
    return 0


def _agent(args, session: Session) -> int:
    from .commands.agent import agent_table, serve
    from .health.sources import PublishedHealth
    session.backend = agent_table(session.backend)
    session.read_only = session.backend.name == "proc"
    session.health = PublishedHealth(args.health_state)
    if args.demo:
        from .demo.heartbeat import PEER
        session.hostname = PEER
    else:
        from .ha.cluster import Heartbeat
        session.heartbeat = Heartbeat(os.path.join(args.ha_dir, "ha.cf"))
    session.audit = session.audit.by("peer")
    return serve(session)


def _pair(args, session: Session) -> int:
    from .commands.pair import CANNOT_TELL, drift_peer, save_peer, sync_peer
    from .console import peer_opener
    session.peer_opener = peer_opener(session, False, args.peer, False, args.peer_command,
                                      args.ssh_config)
    if session.peer_opener is None:
        print("lvstui: no peer: name it (--peer HOST, --to HOST) or list both directors as "
              "node lines in ha.cf", file=sys.stderr)
        return CANNOT_TELL if args.command == "drift" else 1
    try:
        return {"save": save_peer, "drift": drift_peer, "sync": sync_peer}[args.command](session)
    finally:
        session.close_peer()


if __name__ == "__main__":
    sys.exit(main())
