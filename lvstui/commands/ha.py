"""``lvstui check-config``: heartbeat's files checked the way ``nginx -t`` checks nginx's."""

from __future__ import annotations

import os
import socket
import sys

from ..findings import print_findings
from ..ha import HeartbeatError
from ..ha.check import HostFacts, check
from ..ha.config import HaConfig


def check_config(directory: str, node: str | None, facts: HostFacts | None = None) -> int:
    """One line per problem (file:line: level: message); exit 1 on errors, 0 otherwise.
    *facts*: what heartbeat would find on this host (default: this host's)."""
    try:
        config = HaConfig.read(directory)
    except FileNotFoundError as exc:
        print(f"{exc.filename}: error: not found", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename}: error: {exc.strerror}", file=sys.stderr)
        return 1
    findings = check(config, node or os.uname().nodename, facts or host_facts())
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


def run_ha(args, audit, heartbeat, network) -> int:
    """``lvstui ha status | standby | takeover [--wait VIP] [--timeout S]`` through *heartbeat*;
    *network* tells where the VIP is."""
    if args.action == "status":
        state = heartbeat.state()
        if not state.running:
            print(f"heartbeat: {state.error}")
            return 1
        print(f"this node: {state.me}; resources here: {state.resources}; "
              f"deadtime {state.deadtime} s, keepalive {state.keepalive} s")
        for node in state.nodes:
            links = ", ".join(f"{i} {s}" for i, s in node.links.items()) or "no links"
            print(f"{node.name:<24} {node.status:<8} {node.kind:<7} {links}")
        return 0
    from ..session import Session
    session = Session(network=network, heartbeat=heartbeat, audit=audit)
    result = session.ha.failover(args.action, args.wait, args.timeout)
    if result.commands[1:] or result.ok:
        print(f"asked {heartbeat.name}: {args.action}")
    if result.detail:
        print(result.detail, file=sys.stdout if result.ok else sys.stderr)
    if not result.ok and not result.detail:
        raise HeartbeatError(result.error)
    return 0 if result.ok else 1


def run_switchover(args, session) -> int:
    """``lvstui ha standby|takeover``: the way it will go said first, then what it did."""
    plan = session.switchover.plan(args.action, args.wait)
    if plan.refused:
        print(f"lvstui: {args.action} refused: {plan.refused} (--plain: heartbeat's own "
              "hand-over, with its gap)", file=sys.stderr)
        return 1
    print(f"{args.action}: {plan.way}")
    for fact in plan.facts:
        print(f"  {fact}")
    session.switchover.progress = lambda line: print(f"  {line}", flush=True)
    result = session.switchover.run(args.action, args.wait, args.timeout, plan=plan)
    for command in result.commands:
        print(command)
    if result.detail:
        print(result.detail)
    if result.error:
        print(f"lvstui: {result.error}", file=sys.stderr)
    return 0 if result.ok else 1
