"""``lvstui net`` and ``lvstui vip``: the network settings from the command line."""

from __future__ import annotations

from ..system.addresses import Addresses
from ..system.network import profile
from ..system.sysctl import Sysctl, persist


def run_system(args) -> int:
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
        for name, old, new in sysctl.apply(settings):
            print(f"sysctl -w {name}={new}   (was {old})")
        if args.persist:
            print(f"written {persist(settings, args.role)}")
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
            label = addresses.add_vip(args.address, args.dev, args.label)
            print(f"added {args.address} on {label}")
            if not args.no_announce:
                addresses.announce(args.address, args.dev)
                print(f"announced {args.address} by gratuitous ARP on {args.dev}")
        else:
            addresses.remove_vip(args.address, args.dev)
            print(f"removed {args.address} from {args.dev}")
        return 0
    finally:
        addresses.close()
