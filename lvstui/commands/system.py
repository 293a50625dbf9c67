"""``lvstui net`` and ``lvstui vip``: the network settings from the command line, through the
session's ``host`` use cases (audited, worded as the console words them)."""

from __future__ import annotations

import sys

from ..session import Result, Session
from ..system import SettingError


def _done(result: Result) -> None:
    if result.error:
        raise SettingError(result.error)
    for line in result.commands:
        print(line)
    if result.warning:
        print(f"lvstui: {result.warning}", file=sys.stderr)


def run_system(args, audit, network) -> int:
    """``net`` or ``vip`` on *network* (the host's, or the demo's)."""
    host = Session(network=network, audit=audit, dry_run=args.dry_run).host
    return _net(args, host) if args.command == "net" else _vip(args, host)


def _net(args, host) -> int:
    if args.action == "status" or args.dry_run:
        bad = 0
        for st in host.states(args.role):
            mark = "ok" if st.holds else "CHANGE" if args.dry_run else "WRONG"
            bad += not st.holds
            print(f"{st.setting.name:<40} {st.current or '-':>4} -> {st.setting.wanted:<4} "
                  f"{mark:<6} {st.setting.why}")
        return 1 if bad and args.action == "status" and not args.dry_run else 0
    _done(host.apply(args.role))
    if args.persist:
        _done(host.persist(args.role))
    return 0


def _vip(args, host) -> int:
    if args.action == "list":
        for label, address, prefix in host.addresses():
            print(f"{label:<16} {address}/{prefix}")
        return 0
    if not args.address:
        raise SystemExit("lvstui vip: an address is needed")
    if args.action == "add":
        _done(host.vip_add(args.address, args.label, not args.no_announce))
    else:
        _done(host.vip_remove(args.address))
    return 0
