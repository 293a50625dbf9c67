"""The pair on the command line: ``save --peer``, ``drift --peer``, ``sync --to``."""

from __future__ import annotations

import sys

from ..ipvs.backend import IPVSError
from ..ipvs.rules import save
from ..model import ValidationError
from ..session import Session

CANNOT_TELL = 2          # drift: the peer could not be compared (unreachable, no lvstui there)
HERE_UNREADABLE = 3      # drift: this director's own table could not be read


def save_peer(session: Session) -> int:
    """The peer's table as ``ipvsadm -Sn`` prints it."""
    try:
        sys.stdout.write(save(session.pair.connected().table()))
    except (IPVSError, ValidationError) as exc:
        print(f"lvstui: {exc}", file=sys.stderr)
        return 1
    return 0


def drift_peer(session: Session) -> int:
    """The commands that would make the peer equal to this director; 0 equal, 1 different,
    2 the peer cannot be compared, 3 this table cannot be read. Changes nothing."""
    try:
        here = session.backend.services()
    except IPVSError as exc:
        print(f"lvstui: this director's table: {exc}", file=sys.stderr)
        return HERE_UNREADABLE
    view = session.pair_view.read(here)
    if view.error:
        print(f"lvstui: {view.error}", file=sys.stderr)
        return CANNOT_TELL
    for op in view.drift:
        print(op.command())
    for line in view.health:            # a comment to a shell: the drift stays runnable
        print(f"# health: {line}")
    return 1 if view.drift else 0


def sync_peer(session: Session) -> int:
    """Apply the drift on the peer (only the differences); with --dry-run print it."""
    result = session.pair.sync()
    for command in result.commands:
        print(command)
    if result.error:
        print(f"lvstui: {result.error}", file=sys.stderr)
        return 1
    return 0
