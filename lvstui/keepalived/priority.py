"""lvstui's hand on keepalived's VRRP priority: one ``track_file`` of keepalived.conf whose
file lvstui writes and keepalived reads the moment it changes (inotify). A number in it is
added to the priority of every instance that tracks it (weight 1), the sum kept within
[1, 254] (keepalived.conf(5), Track files). Standby writes -253: this director's priority
becomes 1 and any peer outranks it; takeover writes what puts it one above the master it
hears. keepalived itself is never stopped: its virtual servers stay in the kernel."""

from __future__ import annotations

import re

from ..files import atomic_write, read_text
from .conf import Block, KaConfig, read
from .state import VrrpInstance

TRACK = "lvstui_priority"
STEP_BACK = -253              # priority + (-253), kept at least 1: any peer outranks it
TOP = 254                     # the highest priority a non-owner can have
SNIPPET = f"""track_file {TRACK} {{
    file "/var/lib/lvstui/keepalived-priority"
    weight 1
    init_file 0
}}
and in every vrrp_instance:  track_file {{ {TRACK} }}"""


def priority_path(config: KaConfig) -> str:
    """The file of lvstui's track_file, tracked with weight 1 by every VRRP instance of
    *config*; ValueError saying what the file lacks (and the lines to add)."""
    declared = [b for b in config.blocks
                if b.keyword in ("track_file", "vrrp_track_file") and b.args[:1] == (TRACK,)]
    if not declared:
        raise ValueError(f"{config.path} declares no track_file {TRACK} for lvstui to move "
                         f"this director's priority with (lvstui ha prepare adds it):\n{SNIPPET}")
    block = declared[-1]
    path, weight = block.value("file"), block.value("weight") or "1"
    where = f"{block.line.path}:{block.line.number}"
    if not path:
        raise ValueError(f"{where}: track_file {TRACK} names no file")
    if weight != "1":
        raise ValueError(f"{where}: track_file {TRACK} has weight {weight}; lvstui writes "
                         "priorities: it needs weight 1")
    instances = [b for b in config.blocks if b.keyword == "vrrp_instance"]
    if not instances:
        raise ValueError(f"{config.path} has no vrrp_instance")
    for instance in instances:
        _check_tracks(instance)
    return path


def _check_tracks(instance: Block) -> None:
    name = " ".join(instance.args) or "?"
    where = f"{instance.line.path}:{instance.line.number}"
    if instance.value("priority") == "255":
        raise ValueError(f"{where}: vrrp_instance {name} is its VIPs' owner (priority 255): "
                         "keepalived moves no owner's priority")
    refs = [line.words for b in instance.find("track_file") for line in b.values
            if line.words[:1] == (TRACK,)]
    if not refs:
        raise ValueError(f"{where}: vrrp_instance {name} does not track {TRACK}; add "
                         f"track_file {{ {TRACK} }} to it")
    if refs[-1][1:2] == ("weight",) and refs[-1][2:3] != ("1",):
        raise ValueError(f"{where}: vrrp_instance {name} tracks {TRACK} with weight "
                         f"{' '.join(refs[-1][2:])}; lvstui needs weight 1")


def takeover_value(instances: tuple[VrrpInstance, ...]) -> int:
    """The number that puts every instance of this director one above the master it hears
    (0 where its own priority already does); ValueError where none can or it would not act."""
    if not instances:
        raise ValueError("keepalived runs no VRRP instance here")
    need = 0
    for v in instances:
        if v.state == "MASTER":
            continue
        if v.nopreempt:
            raise ValueError(f"vrrp_instance {v.name} is nopreempt: it does not take over from "
                             "a live master; ask the peer's lvstui for standby instead")
        if v.master_priority + 1 > TOP:
            raise ValueError(f"the master of {v.name} runs at priority {v.master_priority}: "
                             "no priority here outranks it; standby there first")
        need = max(need, v.master_priority + 1 - v.base_priority)
    return need


def parse_value(text: str) -> int:
    """The number the file holds, as keepalived's strtol reads lvstui's decimal (0: none)."""
    found = re.match(r"\s*([+-]?\d+)", text)
    return int(found.group(1)) if found else 0


class PriorityFile:
    """The file of lvstui's track_file, found in keepalived.conf each time it is used (the
    config may have changed); every write atomic, the value before the last one kept."""

    def __init__(self, conf: str):
        self.conf = conf
        self.before: int | None = None

    def path(self) -> str:
        """ValueError: the config cannot be read or lacks lvstui's track_file."""
        try:
            config = read(self.conf)
        except OSError as exc:
            raise ValueError(f"{self.conf}: {exc.strerror}") from None
        return priority_path(config)

    def value(self) -> int:
        """What the file holds now (0: no file, as keepalived's init_file starts it)."""
        return held(self.path())

    def write(self, value: int) -> None:
        """ValueError where lvstui's track_file is missing; OSError where it cannot write."""
        path = self.path()
        self.before = held(path)
        atomic_write(path, f"{value}\n", mode=0o644, backup=False)

    def restore(self) -> int | None:
        """The value before the last write put back (None: nothing was written)."""
        if self.before is None:
            return None
        before, self.before = self.before, None
        atomic_write(self.path(), f"{before}\n", mode=0o644, backup=False)
        return before


def held(path: str) -> int:
    """The number in the track file at *path* (0: none, or no file)."""
    try:
        return parse_value(read_text(path))
    except OSError:
        return 0
