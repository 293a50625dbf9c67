"""keepalived.conf made ready for lvstui (``lvstui ha prepare``): the lines it lacks proposed
as a diff (secrets masked), checked as ``keepalived -t`` checks the file before anything is
written, then written through ``session.ha`` (atomic, the old file kept .bak, audited, one
entry of the journal)."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from .results import Proposal, masked


@dataclass
class Ready:
    """The proposal (refused: why), what it adds and what it leaves to the operator."""

    proposal: Proposal
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    directories: tuple[str, ...] = ()      # where keepalived's init_file makes lvstui's files


def ready_keepalived(conf: str, facts) -> Ready:
    """What keepalived.conf at *conf* (and what it includes) lacks for lvstui; *facts*: this
    host's interfaces, as keepalived -t looks them up."""
    from ..keepalived.check import check
    from ..keepalived.conf import read
    from ..keepalived.prepare import PRIORITY_FILE, prepare
    from ..keepalived.weights import DIRECTORY
    what = f"{conf}: lvstui's track files"
    try:
        config = read(conf)
    except OSError as exc:
        return Ready(Proposal(what, refused=f"{conf}: {exc.strerror}"))
    refused = [f for f in check(config, facts) if f.level == "error"]
    if refused:
        return Ready(Proposal(what, refused=f"keepalived -t refuses {conf} already "
                                            f"({refused[0]}): mend it first"))
    done = prepare(config)
    new = [f for f in check(read(conf, overlay=done.texts), facts) if f.level == "error"]
    if new:
        return Ready(Proposal(what, refused=f"the lines would not be accepted ({new[0]})"),
                     done.added, done.skipped)
    return Ready(texts_proposal(what, done.before, done.texts), done.added, done.skipped,
                 (DIRECTORY, os.path.dirname(PRIORITY_FILE)))


def texts_proposal(what: str, before: dict[str, str], after: dict[str, str]) -> Proposal:
    """Files rewritten as line edits (path -> text before, after) as a Proposal: their
    unified diff, secrets masked, each written atomically by ``Ha.write``."""
    from ..keepalived.lines import EditedFile
    diff = "".join("".join(difflib.unified_diff(
        masked(before[p]).splitlines(True), masked(t).splitlines(True), p, p))
        for p, t in after.items())
    return Proposal(what, [EditedFile(p, t) for p, t in after.items()], diff, before=before)
