"""``lvstui [--demo]`` starts the console; ``save``, ``restore``, ``list`` keep ipvsadm's habits."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from . import __version__
from .audit import DEFAULT_PATH as DEFAULT_AUDIT, AuditLog
from .ipvs import IPVSError
from .model import ValidationError
from .ha import HA_DIR, HeartbeatError
from .health import CONFIG_PATH as HEALTH_CONFIG, STATE_PATH as HEALTH_STATE
from .history import DEFAULT_CAP_MB, DEFAULT_DB as HISTORY_DB
from .commands import EXPORTER_LISTEN
from .keepalived import CONF_PATH as KEEPALIVED_CONF, PID_FILE as KEEPALIVED_PID
from .system import SettingError

if TYPE_CHECKING:
    from .session import Session


HA_MANAGERS = ("auto", "heartbeat", "keepalived", "none")


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


def _parser(words: list[str] | None = None) -> argparse.ArgumentParser:
    """lvstui's parser; given the command line's *words*, only the subcommands named among
    them are built (``built_commands`` says which)."""
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
    p.add_argument("--ha", choices=HA_MANAGERS, default="auto",
                   help="the HA manager (default: keepalived where it runs, else heartbeat; "
                        "with --demo: the demo's directors run it; none: no HA manager)")
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
    p.set_defaults(run=_console)
    sub = p.add_subparsers(dest="command")
    if words is not None:
        sub = p.built_commands = _NamedOnly(sub, words)
    for commands in (_pair_commands, _history_commands, _table_commands,
                     _host_commands):
        commands(sub, common)
    return p


class _NamedOnly:
    """The subcommands of a parse: only the parsers of the ones named on the command line are
    built (building all thirty took 0.6 s of a 1.5 s command under the VM's emulated CPU)."""

    def __init__(self, sub, words: list[str]):
        self.sub, self.words, self.names = sub, set(words), []

    def add_parser(self, name: str, **kwargs):
        if name not in self.words:
            return _Unbuilt()
        self.names.append(name)
        return self.sub.add_parser(name, **kwargs)


class _Unbuilt:
    """A subcommand's parser left unbuilt: whatever is asked of it does nothing."""

    def __getattr__(self, name: str):
        return self._nothing

    def _nothing(self, *args, **kwargs):
        return self


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line parsed by a parser built for it: the whole parser for help, or when
    no subcommand is named among words that may name one (argparse then lists them all)."""
    words = sys.argv[1:] if argv is None else list(argv)
    if not {"-h", "--help"} & set(words):
        parser = _parser(words)
        if parser.built_commands.names or all(w.startswith("-") for w in words):
            return parser.parse_args(words)
    return _parser().parse_args(words)


def _pair_commands(sub, common) -> None:
    """save (and save --peer), drift, sync: this director and the other."""
    sv = sub.add_parser("save", parents=[common], help="print the table as ipvsadm -Sn does")
    sv.set_defaults(run=_on_session(_save))
    _peer_options(sv, "print the table of HOST (the other director) instead")
    dr = sub.add_parser("drift", parents=[common],
                        help="the ipvsadm commands that would make the peer equal to this "
                             "director: exit 0 equal, 1 different, 2 peer unreadable, 3 this "
                             "table unreadable")
    _peer_options(dr, "the other director (default: the other node of ha.cf)")
    dr.add_argument("--keepalived", metavar="FILE", nargs="?", const=KEEPALIVED_CONF,
                    help="instead: the ipvsadm commands that would make this table what "
                         "keepalived.conf asks for, as a restart of keepalived would "
                         f"(default {KEEPALIVED_CONF})")
    dr.set_defaults(run=_on_session(_pair))
    sy = sub.add_parser("sync", parents=[common],
                        help="make the peer equal to this director (the differences only)")
    _peer_options(sy, "the other director (default: the other node of ha.cf)", flag="--to")
    sy.add_argument("--dry-run", action="store_true", default=argparse.SUPPRESS,
                    help="print the ipvsadm commands only")
    sy.set_defaults(run=_on_session(_pair))


def _history_commands(sub, common) -> None:
    """record, history: the incident recorder and what it kept."""
    rec = sub.add_parser("record", parents=[common],
                         help="record the table's changes and who made them (foreground)")
    rec.add_argument("--db", default=HISTORY_DB, help=f"the history (default {HISTORY_DB})")
    rec.add_argument("--metrics", metavar="ADDR:PORT",
                     help="also serve Prometheus metrics there, as lvstui exporter does")
    rec.add_argument("--interval", type=float, default=1.0, metavar="S",
                     help="seconds between reads (default 1)")
    rec.add_argument("--max-size", type=float, default=DEFAULT_CAP_MB, metavar="MB",
                     help=f"the samples' size cap: past it the oldest go (default {DEFAULT_CAP_MB})")
    rec.set_defaults(run=_on_table(_record))
    hist = sub.add_parser("history", help="the recorded past: the table at a moment, the changes")
    hist.add_argument("--db", default=HISTORY_DB, help=f"the history (default {HISTORY_DB})")
    hist.set_defaults(run=_history)
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


def _table_commands(sub, common) -> None:
    """agent, restore, list, set, daemon, zero, flush: ipvsadm's everyday commands."""
    ag = sub.add_parser("agent", parents=[common],
                        help="answer the other director's lvstui on stdin/stdout (run by it "
                             "over ssh)")
    ag.add_argument("--ha-dir", default=HA_DIR, help=argparse.SUPPRESS)
    ag.set_defaults(run=_on_session(_agent))
    r = sub.add_parser("restore", parents=[common],
                       help="make the table equal to a rules file (only changes are sent)")
    r.set_defaults(run=_on_session(_restore))
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
    for parser in (ls, st, dm, zr, fl):
        parser.set_defaults(run=_on_session(_table))


def _host_commands(sub, common) -> None:
    """net, check-config, monitor, ha, vip: this host, heartbeat, the checks."""
    net = sub.add_parser("net", help="the DR sysctl profiles: show or apply")
    net.set_defaults(run=_system)
    net.add_argument("action", choices=("status", "apply"))
    net.add_argument("role", choices=("director", "real-server", "tunnel-real-server"))
    net.add_argument("--interface", default="eth0", help="the director's VIP interface")
    net.add_argument("--dry-run", action="store_true", help="show the changes only")
    net.add_argument("--persist", action="store_true",
                     help="also write /etc/sysctl.d/90-lvstui-ROLE.conf")
    chk = sub.add_parser("check-config", help="validate heartbeat's ha.cf, haresources, "
                                              "authkeys, or a health-check file")
    chk.set_defaults(run=_check_config)
    chk.add_argument("--ha-dir", default=HA_DIR)
    chk.add_argument("--node", help="this host's node name (default: uname -n)")
    which = chk.add_mutually_exclusive_group()
    which.add_argument("--health", metavar="FILE", help="check lvstui's health-check TOML file")
    which.add_argument("--ldirectord", metavar="FILE", help="check an ldirectord.cf")
    which.add_argument("--keepalived", metavar="FILE", nargs="?", const=KEEPALIVED_CONF,
                       help=f"check a keepalived.conf as keepalived -t does (default "
                            f"{KEEPALIVED_CONF})")
    _monitor_command(sub, common)
    exp = sub.add_parser("exporter", parents=[common],
                         help="Prometheus metrics of this director over HTTP (read-only)")
    exp.set_defaults(run=_exporter)
    exp.add_argument("--listen", default=EXPORTER_LISTEN, metavar="ADDR:PORT",
                     help=f"where to serve /metrics (default {EXPORTER_LISTEN})")
    _keepalived_options(exp)
    exp.add_argument("--per-server", choices=("on", "off"), default="on",
                     help="the real servers' series too (off: per service only, for large "
                          "tables)")
    _peer_options(exp, "also count the configuration differences with HOST, the other "
                       "director (lvstui_peer_drift_operations)")
    _ha_command(sub)
    vip = sub.add_parser("vip", help="add, remove or list VIP addresses on this host")
    vip.set_defaults(run=_system)
    vip.add_argument("action", choices=("add", "del", "list"))
    vip.add_argument("address", nargs="?")
    vip.add_argument("--dev", default="eth0", help="interface (lo on DR real servers)")
    vip.add_argument("--label", help="alias label (default: the first free DEV:N)")
    vip.add_argument("--no-announce", action="store_true", help="no gratuitous ARP after adding")


def _ha_command(sub) -> None:
    """ha: the HA manager's state, a manual failover, keepalived.conf made ready."""
    ha = sub.add_parser("ha", help="the HA manager (heartbeat, keepalived): state, manual "
                                   "failover")
    ha.set_defaults(run=_ha)
    ha.add_argument("action", choices=("status", "standby", "takeover", "prepare"),
                    help="prepare: the lines keepalived.conf lacks for lvstui's failover and "
                         "kept live weights, as a checked diff (exit 1; --write writes them)")
    ha.add_argument("--write", action="store_true",
                    help="prepare: write the lines into keepalived.conf (atomic, .bak kept)")
    ha.add_argument("--wait", metavar="VIP", help="follow VIP until it has moved, and time it")
    ha.add_argument("--timeout", type=float, default=30.0)
    ha.add_argument("--ha", choices=HA_MANAGERS, default=argparse.SUPPRESS,
                    help="the HA manager (default: keepalived where it runs, else heartbeat; "
                         "none: this director has none)")
    ha.add_argument("--keepalived-pid", default=KEEPALIVED_PID, metavar="FILE",
                    help=f"keepalived's pid file (default {KEEPALIVED_PID})")
    ha.add_argument("--keepalived-conf", default=KEEPALIVED_CONF, metavar="FILE",
                    help="keepalived's configuration, where standby/takeover find lvstui's "
                         f"track_file lvstui_priority (default {KEEPALIVED_CONF})")
    ha.add_argument("--plain", action="store_true",
                    help="standby/takeover: heartbeat's own hand-over, without the early VIP "
                         "on the director taking over (expect seconds of failed requests)")
    _peer_options(ha, "standby/takeover: the other director, reached through its lvstui "
                      "agent to make before break (default: the other node of ha.cf)")


def _monitor_command(sub, common) -> None:
    """monitor: the checker in the foreground, or one round of checks."""
    mon = sub.add_parser("monitor", parents=[common],
                         help="check the real servers and quiesce the failed ones (foreground)")
    mon.set_defaults(run=_monitor)
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
    mon.add_argument("--metrics", metavar="ADDR:PORT",
                     help="also serve Prometheus metrics there, as lvstui exporter does")
    _keepalived_options(mon)


def _keepalived_options(parser: argparse.ArgumentParser) -> None:
    """Where this director's keepalived is: where it runs, the services its keepalived.conf
    declares are its to check, and its checkers' verdicts are their health."""
    parser.add_argument("--keepalived-pid", default=KEEPALIVED_PID, metavar="FILE",
                        help=f"keepalived's pid file (default {KEEPALIVED_PID}): where "
                             "keepalived runs, it checks the services its keepalived.conf "
                             "declares")
    parser.add_argument("--keepalived-conf", default=KEEPALIVED_CONF, metavar="FILE",
                        help=f"keepalived's configuration (default {KEEPALIVED_CONF})")


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    world = _demo_world(args) if args.demo and args.command is not None else None
    if args.audit_log is None and not args.demo:
        args.audit_log = DEFAULT_AUDIT
    try:
        return args.run(args)
    except (IPVSError, ValidationError, SettingError, HeartbeatError, OSError) as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1
    finally:
        if world is not None:
            world.close()


def _demo_world(args):
    """A command given ``--demo`` runs on the demo cluster: its table, network, heartbeat,
    checks, history and peer; every default path in the demo's sandbox (``args.demo`` is
    the world from here on)."""
    from .console import demo_world
    world = demo_world(args.audit_log, args.ha)
    args.audit_log = world.audit.path
    sandboxed = {"db": (HISTORY_DB, world.history_path),
                 "state": (HEALTH_STATE, world.sandbox.health_state),
                 "health_state": (HEALTH_STATE, world.sandbox.health_state),
                 "config": (HEALTH_CONFIG, world.health_config),
                 "ha_dir": (HA_DIR, world.sandbox.ha_dir)}
    if world.keepalived_conf:
        sandboxed |= {"keepalived": (KEEPALIVED_CONF, world.keepalived_conf),
                      "keepalived_conf": (KEEPALIVED_CONF, world.keepalived_conf)}
    for name, (default, there) in sandboxed.items():
        if getattr(args, name, None) == default:
            setattr(args, name, there)
    if hasattr(args, "node") and args.node is None:
        args.node = world.me
    if args.command == "history":
        world.record_past()
    args.demo = world
    return world


# ---------------------------------------------------------------- the commands, run
def _console(args) -> int:
    from .console import run
    return run(args.backend, args.demo, args.refresh, args.audit_log, args.dry_run, args.theme,
               (args.health or args.ldirectord_console, bool(args.ldirectord_console),
                args.health_state),
               confirm_within=args.confirm_within,
               peer=(args.peer, args.no_peer, args.peer_command, args.ssh_config,
                     args.peer_timeout), ha=args.ha)


def _check_config(args) -> int:
    """The HA manager's files (heartbeat's, or keepalived.conf on a director that has it and
    no ha.cf), or a health-check file."""
    plain = not (args.health or args.ldirectord or args.keepalived)
    if plain and not os.path.exists(os.path.join(args.ha_dir, "ha.cf")) \
            and os.path.exists(KEEPALIVED_CONF) and not args.demo:
        args.keepalived = KEEPALIVED_CONF
    if plain and args.demo and args.demo.keepalived_conf:
        args.keepalived = args.demo.keepalived_conf
    if args.keepalived:
        from .commands.keepalived import check_keepalived
        return check_keepalived(args.keepalived,
                                args.demo.keepalived_facts() if args.demo else None)
    if args.health or args.ldirectord:
        from .commands.health import check_health_config
        return check_health_config(args.health or args.ldirectord, bool(args.ldirectord))
    from .commands.ha import check_config
    return check_config(args.ha_dir, args.node, args.demo.host_facts() if args.demo else None)


def _ha(args) -> int:
    from .commands.ha import run_ha
    audit = AuditLog(args.audit_log, via="cli")
    if args.ha == "none":
        print("no HA manager on this director (--ha none): no state to show, no failover")
        return 0 if args.action == "status" else 1
    if args.action == "prepare":
        return _prepare(args, audit)
    if not args.demo and args.ha != "heartbeat":
        from .commands.keepalived import keepalived_status
        from .keepalived.state import Keepalived
        keepalived = Keepalived(args.keepalived_pid)
        if args.ha == "keepalived" or keepalived.pid() is not None:
            if args.action == "status":
                return keepalived_status(keepalived, args.keepalived_conf)
            return _keepalived_failover(args, audit, keepalived)
    if args.demo:
        if args.demo.keepalived is not None and args.action == "status":
            from .commands.keepalived import keepalived_status
            return keepalived_status(args.demo.keepalived, args.demo.keepalived_conf)
        return run_ha(args, audit, args.demo.heartbeat, args.demo.network)
    from .ha.cluster import Heartbeat
    from .system.network import HostNetwork
    if args.action != "status" and not args.plain:
        return _switchover(args, audit, Heartbeat(), HostNetwork())
    network = HostNetwork() if args.wait else None
    try:
        return run_ha(args, audit, Heartbeat(), network)
    finally:
        if network is not None:
            network.close()


def _prepare(args, audit) -> int:
    """``lvstui ha prepare``: keepalived.conf made ready for lvstui (heartbeat needs nothing)."""
    from .commands.keepalived import keepalived_prepare
    from .keepalived.state import Keepalived
    conf = args.keepalived_conf
    if args.demo:
        if args.demo.keepalived is None:
            print("heartbeat's files need nothing of lvstui's")
            return 0
        conf = args.demo.keepalived_conf
    elif args.ha == "heartbeat" or (args.ha != "keepalived" and Keepalived(
            args.keepalived_pid).pid() is None and not os.path.exists(conf)):
        print("heartbeat's files need nothing of lvstui's")
        return 0
    return keepalived_prepare(conf, args.write, audit)


def _keepalived_failover(args, audit, keepalived) -> int:
    """standby / takeover through this director's VRRP priority, followed until the VIP
    moved (put back as it was where it did not)."""
    from .cases.managers import KeepalivedCluster
    from .commands.ha import run_ha
    from .system.network import HostNetwork
    network = HostNetwork()
    try:
        return run_ha(args, audit, KeepalivedCluster(keepalived, conf=args.keepalived_conf),
                      network)
    finally:
        network.close()


def _switchover(args, audit, heartbeat, network) -> int:
    """standby / takeover making before breaking, through the peer's agent where it answers."""
    from .commands.ha import run_ha, run_switchover
    from .console import open_table, peer_opener
    from .session import Session
    try:
        backend = open_table(args.backend, False)
    except (IPVSError, OSError) as exc:
        print(f"lvstui: this director's IPVS table cannot be read ({exc}): heartbeat's "
              "plain hand-over", file=sys.stderr)
        try:
            return run_ha(args, audit, heartbeat, network)
        finally:
            network.close()
    session = Session(backend, network=network, heartbeat=heartbeat, audit=audit,
                      dry_run=args.dry_run)
    try:
        session.pair.opener = peer_opener(session, False, args.peer, False, args.peer_command,
                                          args.ssh_config, args.peer_timeout)
        return run_switchover(args, session)
    finally:
        session.pair.close()
        network.close()
        session.backend.close()


def _history(args) -> int:
    from .commands.history import run_history
    return run_history(args)


def _system(args) -> int:
    from .commands.system import run_system
    audit = AuditLog(args.audit_log, via="cli")
    if args.demo:
        return run_system(args, audit, args.demo.network)
    from .system.network import HostNetwork
    network = HostNetwork(args.interface if args.command == "net" else args.dev)
    try:
        return run_system(args, audit, network)
    finally:
        network.close()


def _on_table(run):
    """*run(args, backend)* on the table the arguments name, closed after."""
    def opened(args) -> int:
        from .console import open_table
        backend = open_table(args.backend, args.demo)
        try:
            return run(args, backend)
        finally:
            backend.close()
    return opened


def _on_session(run):
    """*run(args, session)* on a session of the CLI over that table."""
    from .session import Session
    return _on_table(lambda args, backend: run(
        args, Session(backend, audit=AuditLog(args.audit_log, via="cli"), dry_run=args.dry_run,
                      **(args.demo.places() if args.demo else {}))))


def _record(args, backend) -> int:
    from .commands.exporter import beside
    from .commands import stop_on_signals
    from .commands.history import host_observer, run_record
    stop = stop_on_signals()          # before /metrics is served: a stop is never lost
    with host_observer(backend, args.health_state, args.demo) as observe, \
            beside(args.metrics, lambda: _metrics_session(args, backend), _manager()):
        return run_record(args.db, args.interval, backend, args.audit_log, observe,
                          args.max_size, stop)


def _monitor(args) -> int:
    if args.once:
        from .commands.health import check_once
        from .console import open_table
        return check_once(args.ldirectord or args.config, bool(args.ldirectord),
                          lambda: open_table(args.backend, args.demo), _probe(args))
    return _on_table(_run_monitor)(args)


def _manager() -> str:
    """The HA manager the metrics name."""
    from .cases.managers import running_manager
    return running_manager()


def _health(args):
    """This director's health as a command reads it: a running lvstui monitor's state; else,
    where keepalived runs and declares virtual servers, its checkers' verdicts (the demo: the
    state its monitor publishes)."""
    from .cases.managers import KeepalivedCluster
    from .health.sources import PublishedHealth, open_health
    from .keepalived.state import Keepalived
    if args.demo:
        return PublishedHealth(args.health_state)
    keepalived = Keepalived(getattr(args, "keepalived_pid", KEEPALIVED_PID))
    declared = None
    if keepalived.pid() is not None:
        declared = KeepalivedCluster(keepalived, conf=getattr(args, "keepalived_conf",
                                                              KEEPALIVED_CONF)).declared()
    return open_health(None, None, False, args.health_state, None, declared, keepalived)


def _metrics_session(args, backend) -> Session:
    """A session for the metrics of a long-running command: its table, the state its
    monitor publishes, this host's VIPs (none in the demo)."""
    from .health.sources import PublishedHealth
    from .session import Session
    network = args.demo.network if args.demo else None
    if network is None:
        from .system.network import HostNetwork
        network = HostNetwork()
    return Session(backend, network=network,
                   health=PublishedHealth(getattr(args, "state", None) or args.health_state))


def _exporter(args) -> int:
    from .commands.exporter import serve
    from .console import open_table, peer_opener
    from .session import Session
    manager = _manager()
    if args.demo:
        world = args.demo
        session = Session(world.table, network=world.network, health=world.health,
                          traffic=world.traffic, **world.places())
    else:
        from .system.network import HostNetwork
        session = Session(open_table(args.backend, False), network=HostNetwork(),
                          health=_health(args))
    try:
        if args.peer:                      # only where asked: each scrape asks the peer too
            session.pair.opener = peer_opener(session, bool(args.demo), args.peer, False,
                                              args.peer_command, args.ssh_config,
                                              args.peer_timeout)
        return serve(session, args.listen, args.per_server == "on", manager)
    finally:
        session.pair.close()
        if not args.demo:
            session.network.close()
            session.backend.close()


def _probe(args):
    """How the monitor checks a server: for real, or the demo's simulated servers."""
    from .health.checks import run_check
    return args.demo.checks if args.demo else run_check


def _run_monitor(args, backend) -> int:
    from .commands.exporter import beside
    from .commands.health import run_monitor
    from .commands.history import host_observer, recording_beside
    with host_observer(backend, args.state, args.demo) as observe, \
            recording_beside(args.record, args.db, backend, args.audit_log, observe), \
            beside(args.metrics, lambda: _metrics_session(args, backend), _manager()):
        return run_monitor(args.ldirectord or args.config, bool(args.ldirectord), args.state,
                           backend, AuditLog(args.audit_log, via="monitor"), _probe(args),
                           _keepalived_conf(args))


def _keepalived_conf(args) -> str | None:
    """keepalived.conf where keepalived runs on this director (never in the demo)."""
    from .keepalived.state import Keepalived
    if args.demo or Keepalived(args.keepalived_pid).pid() is None:
        return None
    return args.keepalived_conf


def _save(args, session: Session) -> int:
    if args.peer:
        return _pair(args, session)
    sys.stdout.write(session.rules.text())
    return 0


def _table(args, session: Session) -> int:
    from .commands.table import run_table
    return run_table(args, session)


def _restore(args, session: Session) -> int:
    text = sys.stdin.read() if args.file == "-" else open(args.file).read()
    plan = session.rules.plan(text, emptying=args.yes or args.dry_run)
    result = session.rules.restore(plan, args.file)
    if result.error:
        raise IPVSError(result.error)
    for command in result.commands:
        print(command)
    return 0


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
    parser.add_argument("--peer-timeout", type=_peer_seconds, metavar="SECONDS",
                        help="how long the peer's agent may take to start, and each of its "
                             "answers (default 60 to start, 20 an answer; ssh's ConnectTimeout "
                             "of 10 s bounds the network)")


def _peer_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError("between 1 and 3600 seconds")
    return seconds


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


def _agent(args, session: Session) -> int:
    from .commands.agent import agent_table, serve
    session.backend = agent_table(session.backend)
    session.read_only = session.backend.name == "proc"
    session.health = _health(args)
    if args.demo:
        from .demo.heartbeat import PEER
        from .demo.network import peer_network
        session.hostname, session.network = PEER, peer_network()
    else:
        from .console import manager
        from .system.network import HostNetwork
        session.heartbeat = manager("heartbeat" if args.ha == "none" else args.ha,  # answers
                                    os.path.join(args.ha_dir, "ha.cf"))         # for one
        session.network = HostNetwork()     # the VIP a make-before-break switchover adds here
    session.audit = session.audit.by("peer")
    try:
        return serve(session)
    finally:
        if session.network is not None and not args.demo:
            session.network.close()


def _pair(args, session: Session) -> int:
    if getattr(args, "keepalived", None):
        from .commands.keepalived import drift_keepalived
        return drift_keepalived(args.keepalived, session)
    from .commands.pair import CANNOT_TELL, drift_peer, save_peer, sync_peer
    from .console import peer_opener
    session.health = _health(args)             # its checks' quiesce is no drift
    session.pair.opener = peer_opener(session, bool(args.demo), args.peer, False,
                                      args.peer_command, args.ssh_config, args.peer_timeout)
    if session.pair.opener is None:
        print("lvstui: no peer: name it (--peer HOST, --to HOST) or list both directors as "
              "node lines in ha.cf", file=sys.stderr)
        return CANNOT_TELL if args.command == "drift" else 1
    try:
        return {"save": save_peer, "drift": drift_peer, "sync": sync_peer}[args.command](session)
    finally:
        session.pair.close()


if __name__ == "__main__":
    sys.exit(main())
