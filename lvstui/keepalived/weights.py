"""Live weights keepalived keeps: a ``FILE_CHECK`` per real server (the keepalived maintainers'
own answer, keepalived #2609) whose ``track_file`` lvstui writes. keepalived adds the file's
number (times the track_file's weight, 1) to the real server's keepalived.conf weight the
moment the file changes (inotify), and keeps adding it when the server's other checkers fail
and pass again, after a reload and after a restart (the file stays). So a weight W set live on
a server of keepalived.conf weight B is kept by writing W - B into its file; keepalived.conf's
weight stays the intent. Declared once in keepalived.conf (``snippet()`` says the lines)::

    track_file lvstui_w_10.9.9.9_80_10.9.9.1_80 {
        file "/var/lib/lvstui/keepalived/lvstui_w_10.9.9.9_80_10.9.9.1_80"
        weight 1
        init_file 0
    }
    ... real_server 10.9.9.1 80 { weight 3  FILE_CHECK { track_file lvstui_w_... } }
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..files import atomic_write, read_text
from .conf import Block, KaConfig
from .services import configured_services, server_blocks, service_blocks

DIRECTORY = "/var/lib/lvstui/keepalived"
PREFIX = "lvstui_w_"
LIMIT = 253                 # keepalived keeps a track file's weight within [-253, 253]


@dataclass(frozen=True)
class Kept:
    """One real server whose live weight keepalived keeps: its file, its keepalived.conf
    weight."""

    path: str
    base: int

    def delta(self) -> int:
        """The number in the file now (0 where it is missing or unreadable: keepalived's
        reading too)."""
        try:
            return int(read_text(self.path).split()[0], 0)
        except (OSError, ValueError, IndexError):
            return 0

    def weight(self) -> int:
        """The weight keepalived gives the server while its checkers pass."""
        return max(0, self.base + self.delta())

    def write(self, weight: int) -> None:
        """Keep *weight*; ValueError where keepalived cannot (too far from the base)."""
        delta = weight - self.base
        if not -min(self.base, LIMIT) <= delta <= LIMIT:
            raise ValueError(f"keepalived keeps a live weight within {LIMIT} of the "
                             f"server's keepalived.conf weight {self.base}, at least 0")
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        atomic_write(self.path, f"{delta}\n", mode=0o644, backup=False)


def name_of(service: str, server: str) -> str:
    """The track_file lvstui declares for *server* of *service* (endpoints as lvstui names
    them): ``lvstui_w_10.9.9.9_80_10.9.9.1_80``."""
    return PREFIX + re.sub(r"[^0-9A-Za-z.]+", "_", f"{service}_{server}").strip("_").lower()


def kept(config: KaConfig) -> dict[tuple, Kept]:
    """(service key, server key) -> Kept, for each real server of *config* with a FILE_CHECK
    on a track_file of lvstui's (weight 1) that names a file."""
    files = {}
    for block in config.blocks:
        if block.keyword == "track_file" and block.args[:1] and \
                block.args[0].startswith(PREFIX) and (block.value("weight") or "1") == "1" \
                and block.value("file"):
            files[block.args[0]] = block.value("file")
    found = {}
    for block, svc in service_blocks(config):
        for rs_block, rs in server_blocks(block, svc):
            name = tracked_name(rs_block)
            if name in files:
                found[(svc.key, rs.key)] = Kept(files[name], rs.weight)
    return found


def tracked_name(rs_block: Block) -> str | None:
    """The track_file of lvstui's (weight 1) a real server's FILE_CHECK names, or None."""
    for check in rs_block.find("FILE_CHECK"):
        name = check.value("track_file")
        if name and name.startswith(PREFIX) and (check.value("weight") or "1") == "1":
            return name
    return None


def snippet(service: str, server: str, directory: str = DIRECTORY) -> str:
    """The lines keepalived.conf needs for lvstui's live weights of *server* to be kept."""
    name = name_of(service, server)
    return (f"track_file {name} {{\n    file \"{directory}/{name}\"\n    weight 1\n"
            f"    init_file 0\n}}\nand in its real_server:  FILE_CHECK {{ track_file {name} }}")


def restarted(config: KaConfig) -> tuple[list, list[str]]:
    """What a restart of keepalived puts in the table: its virtual servers as the file asks for
    them, each real server alive, a weight it keeps with lvstui's number added (as keepalived
    sets it again); one line for each block it cannot be read from."""
    wanted, skipped = configured_services(config)
    keepers = kept(config)
    for svc in wanted:
        for rs in svc.servers:
            if (svc.key, rs.key) in keepers:
                rs.weight = keepers[(svc.key, rs.key)].weight()
    return wanted, skipped
