"""``lvstui net`` and ``lvstui vip``: the network settings from the command line; every
change through the session (audited, worded as the console words it)."""

from __future__ import annotations

import sys

from ..session import Result, Session
from ..system import SettingError
from ..system.addresses import Addresses
from ..system.network import profile
from ..system.sysctl import Sysctl, persist


def _done(result: Result) -> None:
    if result.error:
        raise SettingError(result.error)
    for line in result.commands:
        print(line)
    if result.warning:
        print(f"lvstui: {result.warning}", file=sys.stderr)


def run_system(args, audit) -> int:
    session = Session(None, audit=audit)
    if args.command == "net":
        sysctl = Sysctl()
        settings = profile(args.role, args.interface)
        if args.action == "status" or args.dry_run:
            bad = 0
            for st in sysctl.check(settings):
                mark = "ok" if st.holds else "CHANGE" if args.dry_run else "WRONG"
                bad += not st.holds
                print(f"{st.setting.name:<40} {st.current or '-':>4} -> {st.setting.wanted:<4} "
                      f"{mark:<6} {st.setting.why}")
            return 1 if bad and args.action == "status" and not args.dry_run else 0
        planned = [f"sysctl -w {st.setting.name}={st.setting.wanted}"
                   for st in sysctl.check(settings) if not st.holds]
        _done(session.network_change(planned, lambda: [
            f"sysctl -w {name}={new}   (was {old})" for name, old, new in sysctl.apply(settings)]))
        if args.persist:
            _done(session.network_change(
                [f"write /etc/sysctl.d/90-lvstui-{args.role}.conf"],
                lambda: [f"written {persist(settings, args.role)}"]))
        return 0
    addresses = Addresses()
    try:
        if args.action == "list":
            for iface in addresses.interfaces():
                for a in iface.addresses:
                    print(f"{a.label:<16} {a.address}/{a.prefix}")
            return 0
        if not args.address:
            raise SystemExit("lvstui vip: an address is needed")
        if args.action == "add":
            def add() -> list[str]:
                label = addresses.add_vip(args.address, args.dev, args.label)
                lines = [f"added {args.address} on {label}"]
                if not args.no_announce:
                    addresses.announce(args.address, args.dev)
                    lines.append(f"announced {args.address} by gratuitous ARP on {args.dev}")
                return lines
            _done(session.network_change([f"ip addr add {args.address} dev {args.dev}"], add))
        else:
            def remove() -> list[str]:
                addresses.remove_vip(args.address, args.dev)
                return [f"removed {args.address} from {args.dev}"]
            _done(session.network_change([f"ip addr del {args.address} dev {args.dev}"], remove))
        return 0
    finally:
        addresses.close()
