#!/usr/bin/env python3
"""Make lvstui/keepalived/keywords.py from keepalived's own parser sources: every
install_keyword_root / install_keyword / install_sublevel / install_sublevel_end call, followed
through the functions that install them, as keepalived runs them at start.

    git clone https://github.com/acassen/keepalived && git -C keepalived checkout v2.2.7
    scripts/keepalived_keywords.py keepalived > lvstui/keepalived/keywords.py
"""

from __future__ import annotations

import glob
import pprint
import re
import sys

CALL = re.compile(r'install_keyword_root\("([^"]+)"|install_keyword\("([^"]+)"|'
                  r'install_keyword_quiet\("([^"]+)"|(install_sublevel_end)\(\)|'
                  r'(install_sublevel)\(\)|install_keyword\((keyword),|'
                  r'\b(\w+)\((?:"([^"]+)"|(false)\))?')
ROOTS = ("init_global_keywords", "init_check_keywords", "init_vrrp_keywords",
         "init_bfd_keywords", "add_track_file_keywords")
HEADER = '''"""The keywords keepalived 2.2.7 knows, block by block, as its parsers install them
(keepalived/core/global_parser.c, vrrp/vrrp_parser.c, check/check_*.c, bfd/bfd_parser.c,
trackers/track_file.c at tag v2.2.7; every keyword of the Debian build, conditional ones
included). A keyword maps to its own block's keywords, or None: a plain keyword, or one whose
block holds values, not keywords (virtual_ipaddress, unicast_peer, track_interface, ...).
Made by scripts/keepalived_keywords.py from those sources: facts, not code to edit."""

KEYWORDS = '''


def functions(source_dir: str) -> dict[str, str]:
    """name -> body of each C function that installs keywords."""
    found = {}
    for path in glob.glob(f"{source_dir}/keepalived/**/*.c", recursive=True):
        with open(path, errors="replace") as fh:
            src = fh.read()
        for m in re.finditer(r"^(\w+)\(([^)]*)\)\s*\n\{(.*?)^\}", src, re.S | re.M):
            if "install_" in m[3]:
                found[m[1]] = m[3]
    return found


def tree(funcs: dict[str, str]) -> dict:
    root: dict = {}
    at = {"sublevel": 0, "root": None}

    def block(level: int) -> dict:
        node = root[at["root"]]
        for _ in range(level):
            node = node[list(node)[-1]]
        return node

    def add(node: dict, name: str) -> None:
        node[name] = node.pop(name, {})          # keepalived appends: a repeat moves last

    def run(name: str, depth: int = 0, arg: str | None = None) -> None:
        body = funcs[name]
        if arg is False:                       # install_checker_common_keywords(false)
            body = re.sub(r"if \(connection_keywords\) \{.*?\n\t\}", "", body, flags=re.S)
        for m in CALL.finditer(body):
            root_kw, kw, quiet, end, sub, param, call, literal, false = m.groups()
            if root_kw:
                add(root, root_kw)
                at["root"] = root_kw
            elif kw or quiet or param:
                add(block(at["sublevel"]), kw or quiet or arg)
            elif sub:
                at["sublevel"] += 1
            elif end:
                at["sublevel"] -= 1
            elif call in funcs and call != name and depth < 10:
                run(call, depth + 1, False if false else literal)

    for name in ROOTS:
        if name in funcs:
            run(name)
    return root


def plain(node: dict) -> dict:
    return {k: (plain(v) if v else None) for k, v in node.items()}


if __name__ == "__main__":
    text = pprint.pformat(plain(tree(functions(sys.argv[1]))), width=100, sort_dicts=False)
    sys.stdout.write(HEADER + text + "\n")
