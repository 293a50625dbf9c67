"""``lvstui check-config --keepalived [FILE]``: keepalived.conf checked as ``keepalived -t``
checks it, one ``file:line: level: message`` per problem; exit 1 exactly where it refuses."""

from __future__ import annotations

import sys
import time

from ..findings import print_findings
from ..keepalived.check import HostFacts, check
from ..keepalived.conf import read


def check_keepalived(path: str, facts: HostFacts | None = None) -> int:
    try:
        config = read(path)
    except OSError as exc:
        print(f"{path}: error: {exc.strerror}", file=sys.stderr)
        return 1
    findings = check(config, facts or host_facts())
    errors = print_findings(findings)
    print(f"{path}: {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0


def keepalived_prepare(conf: str, write: bool, audit, facts: HostFacts | None = None) -> int:
    """``lvstui ha prepare [--write]``: the lines keepalived.conf lacks for lvstui, as a diff
    checked as keepalived -t checks the file; written with --write. Exit 0: nothing lacking
    (or written), 1: lines proposed and not written, 2: unreadable, refused, or not written."""
    import os

    from ..cases.prepare import ready_keepalived
    from ..session import Session
    ready = ready_keepalived(conf, facts or host_facts())
    for line in ready.skipped:
        print(f"left to you: {line}")
    proposal = ready.proposal
    if proposal.refused:
        print(f"{conf}: nothing written: {proposal.refused}", file=sys.stderr)
        return 2
    if not proposal.files:
        print(f"{conf}: lvstui has what it needs")
        return 0
    print(proposal.diff, end="")
    for line in ready.added:
        print(f"adds: {line}")
    if not write:
        print(f"{conf}: nothing written (--write writes it; keepalived reads it when reloaded)")
        return 1
    for directory in ready.directories:
        os.makedirs(directory, mode=0o755, exist_ok=True)
    result = Session(audit=audit).ha.write(proposal)
    if not result.ok:
        print(f"{conf}: {result.error}", file=sys.stderr)
        return 2
    print(f"{conf}: written (the old file kept as .bak); reload keepalived to use it")
    return 0


def host_facts(netns: str | None = None) -> HostFacts:
    """This host's (or a network namespace's) interfaces, as keepalived finds them."""
    from ..system.addresses import Addresses
    table = Addresses(netns)
    try:
        return HostFacts({i.name: i.loopback for i in table.interfaces()})
    finally:
        table.close()


def keepalived_status(keepalived, conf: str) -> int:
    """``lvstui ha status`` where keepalived runs: each VRRP instance as keepalived says it,
    how old its answer is, what lvstui's track_file adds to its priority, and its checkers'
    verdict on each real server — each asked only where keepalived.conf declares them (a
    keepalived without VRRP, or without virtual servers, has no process to answer). Exit 1
    when it is not running or did not answer."""
    try:
        config = read(conf)
        vrrp = any(b.keyword == "vrrp_instance" for b in config.blocks)
        servers = any(b.keyword == "virtual_server" for b in config.blocks)
    except OSError:
        vrrp, servers = True, False
    pid = keepalived.pid()
    if pid is None:
        print(f"keepalived: {keepalived.not_running()}")
        return 1
    if not vrrp:
        print(f"keepalived (pid {pid}): no vrrp_instance in {conf}: no VIP to move")
    vrrp_answered = print_vrrp(keepalived, conf) if vrrp else True
    checkers_answered = print_checkers(keepalived) if servers else True
    return 0 if vrrp_answered and checkers_answered else 1


def print_vrrp(keepalived, conf: str) -> bool:
    """Its VRRP instances and lvstui's track_file; False: no answer this time."""
    from ..keepalived.priority import PriorityFile
    state = keepalived.state()
    said = "answered now" if state.fresh else f"STALE: {state.error}"
    print(f"keepalived (pid {state.pid}): {said}")
    for vrrp in state.instances:
        since = time.strftime("%H:%M:%S", time.localtime(vrrp.last_transition))
        print(f"{vrrp.name:<16} {vrrp.state:<7} vrid {vrrp.vrid:<3} {vrrp.interface:<8} "
              f"priority {vrrp.effective_priority} (base {vrrp.base_priority})  "
              f"VIPs {' '.join(vrrp.vips) or '-'}  since {since}"
              + (f"  master's priority {vrrp.master_priority}" if vrrp.state == "BACKUP" else ""))
    try:
        priority = PriorityFile(conf)
        print(f"lvstui's track_file lvstui_priority ({priority.path()}): {priority.value()}")
    except ValueError as exc:
        print(f"no standby/takeover from lvstui: {str(exc).splitlines()[0]}")
    return state.fresh


def print_checkers(keepalived) -> bool:
    """keepalived's verdict on each real server; False: no answer this time."""
    checkers = keepalived.checkers()
    said = "answered now" if checkers.fresh else f"STALE: {checkers.error}"
    print(f"real servers, as keepalived's checkers say ({said}):")
    for verdict in checkers.verdicts:
        print(f"  {verdict.said()}")
    return checkers.fresh


def drift_keepalived(path: str, session) -> int:
    """``lvstui drift --keepalived [FILE]``: the ipvsadm commands that make this director's
    table what keepalived.conf asks for (its virtual servers, each real server alive, no
    other): what a restart of keepalived sets back, since it deletes its virtual servers when
    it stops and adds them from the file when it starts. A reload sets back less: only what
    the file changed since keepalived read it (a live weight on a line that did not change
    stays). A weight keepalived keeps (lvstui's FILE_CHECK file) is the file's weight plus its
    number, as keepalived sets it again. Services the file does not name are left. Exit 0
    none, 1 some, 2 the file or the table unreadable."""
    from ..ipvs.backend import IPVSError
    from ..ipvs.operations import diff
    from ..keepalived.weights import restarted
    try:
        config = read(path)
        live = session.backend.services()
    except (OSError, IPVSError) as exc:
        print(f"lvstui: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    wanted, skipped = restarted(config)
    for line in skipped:
        print(f"# {line}")
    ops = diff([s for s in live if s.key in {w.key for w in wanted}], wanted)
    for op in ops:
        print(op.command())
    return 1 if ops else 0
