"""A real server added to or removed from the ``virtual_server`` block keepalived.conf declares
for its service, as line edits of the file that holds the block: so that a reload or restart
of keepalived keeps what lvstui made live. An added server gets its siblings' checkers (their
lines copied as they are written) and its own weight; a removed one loses its block's lines."""

from __future__ import annotations

from ..model import RealServer, format_endpoint
from .conf import Block, KaConfig, decomment
from .lines import LineEdits, step
from .services import METHODS, server_blocks, service_blocks
from .weights import PREFIX

CHECKERS = ("HTTP_GET", "SSL_GET", "TCP_CHECK", "MISC_CHECK", "DNS_CHECK", "SMTP_CHECK",
            "BFD_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK")


def _service_block(config: KaConfig, key) -> tuple[Block | None, list]:
    """The virtual_server block of service *key* and its real servers (block, server)."""
    for block, svc in service_blocks(config):
        if svc.key == key:
            return block, server_blocks(block, svc)
    return None, []


def _own_lines(edits: LineEdits, b: Block) -> bool:
    """Whether *b* starts its first line and its ``}`` is alone on its last."""
    return b.closed is not None and b.closed.path == b.line.path and \
        edits.starts(b.line.path, b.line.number, b.keyword) and \
        decomment(edits.physical(b.closed.path, b.closed.number))[0] == "}"


def _checker_lines(edits: LineEdits, sibling: Block, indent: str) -> list[str]:
    """The sibling's checker blocks as written, lvstui's own FILE_CHECK (that server's weight
    file) left out, each line moved to *indent*."""
    out = []
    base = edits.inner_indent(sibling)
    for child in sibling.children:
        if child.keyword not in CHECKERS or not _own_lines(edits, child):
            continue
        if child.keyword == "FILE_CHECK" and (child.value("track_file") or "").startswith(PREFIX):
            continue
        for n in range(child.line.number, child.closed.number + 1):
            line = edits.physical(child.line.path, n)
            out.append(indent + line[len(base):] if line.startswith(base) else
                       indent + line.lstrip(" \t"))
    return out


def _port_moved(lines: list[str], old: int, new: int) -> list[str]:
    """A copied checker's ``connect_port`` of the sibling's port moved to the new server's."""
    return [line.replace(f"connect_port {old}", f"connect_port {new}")
            if decomment(line)[0].split() == ["connect_port", str(old)] else line
            for line in lines]


def add_server(config: KaConfig, key, rs: RealServer) -> tuple[dict[str, str], str | None]:
    """The files' texts with *rs* added to the virtual_server of service *key* (before its
    closing brace); or ({}, why not)."""
    vs, servers = _service_block(config, key)
    if vs is None:
        return {}, "keepalived.conf declares no such virtual_server"
    edits = LineEdits(config)
    if not _own_lines(edits, vs):
        return {}, f"{vs.line.path}:{vs.line.number}: its braces share a line with others"
    if any(known.key == rs.key for _, known in servers):
        return {}, f"{rs.endpoint} is declared already"
    indent = edits.inner_indent(vs)
    inner = indent + step(indent)
    body = [f"weight {rs.weight}"]
    method = next((word for word, f in METHODS.items() if f is rs.forwarding), None)
    if method is None:
        return {}, f"keepalived has no lvs_method for {rs.forwarding.value} forwarding"
    if method != (vs.value("lb_kind", "lvs_method") or "NAT"):
        body.append(f"lvs_method {method}")
    checks = _port_moved(_checker_lines(edits, servers[-1][0], inner), servers[-1][1].port,
                         rs.port) if servers else []
    lines = [f"{indent}real_server {rs.address} {rs.port} {{", *(inner + line for line in body),
             *checks, f"{indent}}}"]
    edits.insert(vs.closed.path, vs.closed.number, lines)
    return edits.result(), None


def remove_server(config: KaConfig, key, server_key) -> tuple[dict[str, str], str | None]:
    """The files' texts without the real_server block of *server_key* in the virtual_server
    of service *key*; or ({}, why not)."""
    vs, servers = _service_block(config, key)
    if vs is None:
        return {}, "keepalived.conf declares no such virtual_server"
    edits = LineEdits(config)
    found = [b for b, rs in servers if rs.key == server_key]
    if not found:
        return {}, f"{format_endpoint(*server_key)} is not declared there"
    b = found[-1]
    if not _own_lines(edits, b):
        return {}, f"{b.line.path}:{b.line.number}: its braces share a line with others"
    edits.drop(b.line.path, b.line.number, b.closed.number)
    return edits.result(), None
