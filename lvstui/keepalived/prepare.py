"""What keepalived.conf needs for lvstui (``lvstui ha prepare``): the track_file lvstui moves
this director's VRRP priority with, tracked by every vrrp_instance (standby, takeover), and a
FILE_CHECK per real server on a track_file of lvstui's (live weights kept). Proposed as lines
inserted into the file that holds each block — every other byte kept, the file's own line
ends and indentation — and read again as keepalived reads it before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..files import atomic_write, read_text
from ..model import Forwarding, ValidationError
from .conf import Block, KaConfig, decomment
from .priority import TRACK
from .services import METHODS, server_of, service_of
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


@dataclass
class EditedFile:
    """One file of a proposal, as ``Ha.write`` saves it (atomically, the old one kept .bak)."""

    path: str
    new: str

    def text(self) -> str:
        return self.new

    def save(self) -> None:
        atomic_write(self.path, self.new)


class Inserts:
    """Lines to insert before given lines of the config's files, in each file's own style."""

    def __init__(self, config: KaConfig):
        self.texts = {path: read_text(path) for path in dict.fromkeys(config.files)}
        self.before: dict[tuple[str, int], list[str]] = {}

    def physical(self, path: str, number: int) -> str:
        lines = self.texts[path].splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def starts(self, path: str, number: int, word: str) -> bool:
        """Whether line *number* of *path* begins with *word* (nothing before it to split)."""
        body, _ = decomment(self.physical(path, number))
        return body.split()[:1] == [word] or body.startswith(word + "{")

    def indent(self, path: str, number: int) -> str:
        line = self.physical(path, number)
        return line[:len(line) - len(line.lstrip(" \t"))]

    def add(self, path: str, number: int, lines: list[str]) -> None:
        self.before.setdefault((path, number), []).extend(lines)

    def result(self) -> dict[str, str]:
        out = {}
        for path, text in self.texts.items():
            wanted = {n: lines for (p, n), lines in self.before.items() if p == path}
            if not wanted:
                continue
            end = "\r\n" if "\r\n" in text else "\n"
            kept = text.splitlines(keepends=True)
            out[path] = "".join("".join(line + end for line in wanted.get(i, [])) + old
                                for i, old in enumerate(kept, 1))
        return out


def _step(indent: str) -> str:
    return "\t" if "\t" in indent else "    "


def _block(indent: str, head: str, body: list[str]) -> list[str]:
    inner = indent + _step(indent)
    return [f"{indent}{head} {{", *(inner + line for line in body), f"{indent}}}"]


def prepare(config: KaConfig, directory: str = DIRECTORY,
            priority_file: str = PRIORITY_FILE) -> Prepared:
    """The insertions that give lvstui what it needs in *config*."""
    inserts, done = Inserts(config), Prepared()
    _priority(config, inserts, done, priority_file)
    _weights(config, inserts, done, directory)
    done.texts = inserts.result()
    done.before = {path: inserts.texts[path] for path in done.texts}
    return done


def _priority(config: KaConfig, inserts: Inserts, done: Prepared, path: str) -> None:
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
        inserts.add(first.path, first.number, _block(indent, f"track_file {TRACK}", [
            f'file "{path}"', "weight 1", "init_file 0"]))
        done.added.append(f"track_file {TRACK} ({path}): this director's VRRP priority")
    for instance in instances:
        _track_priority(instance, inserts, done)


def _track_priority(instance: Block, inserts: Inserts, done: Prepared) -> None:
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
    indent = _child_indent(instance, inserts)
    inserts.add(closed.path, closed.number, _block(indent, "track_file", [TRACK]))
    done.added.append(f"vrrp_instance {name} tracks {TRACK}")


def _child_indent(block: Block, inserts: Inserts) -> str:
    """The indentation of *block*'s own lines (its first child's, else its own plus a step)."""
    for child in block.children:
        if child.line.path == block.line.path and child.line.number != block.line.number:
            return inserts.indent(child.line.path, child.line.number)
    outer = inserts.indent(block.line.path, block.line.number)
    return outer + _step(outer)


def _weights(config: KaConfig, inserts: Inserts, done: Prepared, directory: str) -> None:
    files = {b.args[0] for b in config.blocks if b.keyword == "track_file" and b.args}
    for block in config.blocks:
        if block.keyword != "virtual_server":
            continue
        try:
            svc = service_of(block)
        except (ValidationError, ValueError, IndexError):
            continue                    # a virtual_server_group, or one keepalived refuses
        method = METHODS.get(block.value("lb_kind", "lvs_method") or "NAT", Forwarding.MASQ)
        for rs_block in block.find("real_server"):
            try:
                rs = server_of(rs_block, method, svc)
            except (ValidationError, ValueError, IndexError):
                continue
            if tracked_name(rs_block) in files:
                continue                # kept already
            _keep(block, rs_block, name_of(svc.name, rs.endpoint), inserts, done, directory,
                  f"{svc.name} -> {rs.endpoint}")


def _keep(vs: Block, rs: Block, name: str, inserts: Inserts, done: Prepared, directory: str,
          what: str) -> None:
    where = f"{rs.line.path}:{rs.line.number}"
    closed = rs.closed
    if not inserts.starts(vs.line.path, vs.line.number, "virtual_server") or closed is None \
            or decomment(inserts.physical(closed.path, closed.number))[0] != "}":
        done.skipped.append(f"{where}: {what}: its block shares lines with others; add "
                            f"the FILE_CHECK on track_file {name} by hand")
        return
    indent = inserts.indent(vs.line.path, vs.line.number)
    inserts.add(vs.line.path, vs.line.number, _block(indent, f"track_file {name}", [
        f'file "{directory}/{name}"', "weight 1", "init_file 0"]))
    inserts.add(closed.path, closed.number,
                _block(_child_indent(rs, inserts), "FILE_CHECK", [f"track_file {name}"]))
    done.added.append(f"{what}: live weights kept (FILE_CHECK on track_file {name})")
