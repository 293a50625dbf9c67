"""What keepalived.conf needs for lvstui (``lvstui ha prepare``): the track_file lvstui moves
this director's VRRP priority with, tracked by every vrrp_instance (standby, takeover), and a
FILE_CHECK per real server on a track_file of lvstui's (live weights kept). Proposed as lines
inserted into the file that holds each block — every other byte kept, the file's own line
ends and indentation — and read again as keepalived reads it before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from .conf import Block, KaConfig, decomment
from .lines import LineEdits, block
from .priority import TRACK
from .services import server_blocks, service_blocks
from .weights import DIRECTORY, name_of, tracked_name

PRIORITY_FILE = "/var/lib/lvstui/keepalived-priority"


@dataclass
class Prepared:
    """The files that change (path -> text after, and before), what is added and what lvstui
    leaves to the operator (and why)."""

    texts: dict[str, str] = field(default_factory=dict)
    before: dict[str, str] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def prepare(config: KaConfig, directory: str = DIRECTORY,
            priority_file: str = PRIORITY_FILE) -> Prepared:
    """The insertions that give lvstui what it needs in *config*."""
    inserts, done = LineEdits(config), Prepared()
    _priority(config, inserts, done, priority_file)
    _weights(config, inserts, done, directory)
    done.texts = inserts.result()
    done.before = {path: inserts.texts[path] for path in done.texts}
    return done


def _priority(config: KaConfig, inserts: LineEdits, done: Prepared, path: str) -> None:
    instances = [b for b in config.blocks if b.keyword == "vrrp_instance"]
    if not instances:
        return
    declared = any(b.keyword in ("track_file", "vrrp_track_file") and b.args[:1] == (TRACK,)
                   for b in config.blocks)
    first = instances[0].line
    if not declared:
        if not inserts.starts(first.path, first.number, "vrrp_instance"):
            done.skipped.append(f"{first.path}:{first.number}: track_file {TRACK}: the line "
                                "holds more than the vrrp_instance; add it by hand")
            return
        indent = inserts.indent(first.path, first.number)
        inserts.insert(first.path, first.number, block(indent, f"track_file {TRACK}", [
            f'file "{path}"', "weight 1", "init_file 0"]))
        done.added.append(f"track_file {TRACK} ({path}): this director's VRRP priority")
    for instance in instances:
        _track_priority(instance, inserts, done)


def _track_priority(instance: Block, inserts: LineEdits, done: Prepared) -> None:
    name = " ".join(instance.args) or "?"
    where = f"{instance.line.path}:{instance.line.number}"
    if instance.value("priority") == "255":
        done.skipped.append(f"{where}: vrrp_instance {name} owns its VIPs (priority 255): "
                            "keepalived moves no owner's priority")
        return
    if any(line.words[:1] == (TRACK,) for b in instance.find("track_file") for line in b.values):
        return
    closed = instance.closed
    if closed is None or decomment(inserts.physical(closed.path, closed.number))[0] != "}":
        done.skipped.append(f"{where}: vrrp_instance {name}: its closing brace shares a line; "
                            f"add track_file {{ {TRACK} }} by hand")
        return
    indent = inserts.inner_indent(instance)
    inserts.insert(closed.path, closed.number, block(indent, "track_file", [TRACK]))
    done.added.append(f"vrrp_instance {name} tracks {TRACK}")


def _weights(config: KaConfig, inserts: LineEdits, done: Prepared, directory: str) -> None:
    files = {b.args[0] for b in config.blocks if b.keyword == "track_file" and b.args}
    for block, svc in service_blocks(config):
        for rs_block, rs in server_blocks(block, svc):
            if tracked_name(rs_block) in files:
                continue                # kept already
            _keep(block, rs_block, name_of(svc.name, rs.endpoint), inserts, done, directory,
                  f"{svc.name} -> {rs.endpoint}")


def _keep(vs: Block, rs: Block, name: str, inserts: LineEdits, done: Prepared, directory: str,
          what: str) -> None:
    where = f"{rs.line.path}:{rs.line.number}"
    closed = rs.closed
    if not inserts.starts(vs.line.path, vs.line.number, "virtual_server") or closed is None \
            or decomment(inserts.physical(closed.path, closed.number))[0] != "}":
        done.skipped.append(f"{where}: {what}: its block shares lines with others; add "
                            f"the FILE_CHECK on track_file {name} by hand")
        return
    indent = inserts.indent(vs.line.path, vs.line.number)
    inserts.insert(vs.line.path, vs.line.number, block(indent, f"track_file {name}", [
        f'file "{directory}/{name}"', "weight 1", "init_file 0"]))
    inserts.insert(closed.path, closed.number,
                block(inserts.inner_indent(rs), "FILE_CHECK", [f"track_file {name}"]))
    done.added.append(f"{what}: live weights kept (FILE_CHECK on track_file {name})")
