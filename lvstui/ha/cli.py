"""``lvstui check-config``: heartbeat's files checked the way ``nginx -t`` checks nginx's."""

from __future__ import annotations

import os
import socket
import sys

from ..findings import print_findings
from .api import HeartbeatError, read_state
from .config import HaConfig, HostFacts, check
from .failover import follow, standby, takeover


def check_config(directory: str, node: str | None) -> int:
    """One line per problem (file:line: level: message); exit 1 on errors, 0 otherwise."""
    try:
        config = HaConfig.read(directory)
    except FileNotFoundError as exc:
        print(f"{exc.filename}: error: not found", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename}: error: {exc.strerror}", file=sys.stderr)
        return 1
    findings = check(config, node or os.uname().nodename, host_facts())
    errors = print_findings(findings)
    print(f"{directory}: {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0


def host_facts() -> HostFacts:
    """This host's interfaces and paths, as heartbeat looks them up when it starts."""
    from ..system.addresses import Addresses
    table = Addresses()
    try:
        interfaces = {i.name: any(a.family == 4 for a in i.addresses) for i in table.interfaces()}
    finally:
        table.close()
    return HostFacts(interfaces, os.path.exists, lambda p: os.access(p, os.X_OK), _resolves)


def _resolves(name: str) -> bool:
    try:
        socket.gethostbyname(name)
        return True
    except (OSError, UnicodeError):
        return False


def run_ha(args, audit) -> int:
    """``lvstui ha status | standby | takeover [--wait VIP] [--timeout S]``."""
    if args.action == "status":
        state = read_state()
        if not state.running:
            print(f"heartbeat: {state.error}")
            return 1
        print(f"this node: {state.me}; resources here: {state.resources}; "
              f"deadtime {state.deadtime} s, keepalive {state.keepalive} s")
        for node in state.nodes:
            links = ", ".join(f"{i} {s}" for i, s in node.links.items()) or "no links"
            print(f"{node.name:<24} {node.status:<8} {node.kind:<7} {links}")
        return 0
    command = f"hb_{args.action}"
    try:
        (standby if args.action == "standby" else takeover)()
    except HeartbeatError as exc:
        audit.record(command, str(exc))
        raise
    audit.record(command, "ok")
    print(f"asked heartbeat: {args.action}")
    if not args.wait:
        return 0
    from ..system.addresses import Addresses
    addresses = Addresses()
    try:
        took = follow(lambda: addresses.holder(args.wait) is not None,
                      want_here=args.action == "takeover", timeout=args.timeout)
    finally:
        addresses.close()
    where = "here" if args.action == "takeover" else "away"
    if took is None:
        audit.record(f"{command}: VIP {args.wait} {where}", f"not within {args.timeout} s")
        print(f"the VIP {args.wait} has not moved {where} within {args.timeout} s", file=sys.stderr)
        return 1
    audit.record(f"{command}: VIP {args.wait} {where}", f"ok after {took:.2f} s")
    print(f"the VIP {args.wait} moved {where} after {took:.2f} s")
    return 0
