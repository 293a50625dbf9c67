"""Text for the console: human-readable numbers, the director's role, the peers line."""

from __future__ import annotations

from rich.cells import cell_len


def human(n: float, unit: str = "") -> str:
    """``1234`` -> ``1.2k``; ``5_600_000`` with ``B/s`` -> ``5.6MB/s``."""
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            return f"{n / limit:.1f}{suffix}{unit}"
    return f"{int(n)}{unit}"


def fit(parts: list[str], width: int, joint: str = " · ") -> str:
    """*parts* joined in their order (the first matters most) as far as they fit whole in
    *width* cells; an ellipsis says more was left out. Never a part cut mid-word."""
    for k in range(len(parts), 0, -1):
        text = joint.join(parts[:k] + (["…"] if k < len(parts) else []))
        if cell_len(text) <= width:
            return text
    return parts[0] if parts else ""


def plural(n: int, word: str) -> str:
    """``1 service``, ``2 services``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def ago(seconds: float) -> str:
    """``75`` -> ``1m``: how long a state has lasted, in the largest whole unit."""
    seconds = max(0, int(seconds))
    for size, suffix in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"


def director_role(services, held: set | None) -> str:
    """Active when this host holds the table's VIPs, standby when it holds none of them."""
    vips = {s.address for s in services if not s.is_fwmark}
    if held is None or not vips:
        return "role unknown"
    here = vips & held
    if here == vips:
        return f"active director (holds {'the VIP' if len(vips) == 1 else f'all {len(vips)} VIPs'})"
    if not here:
        return "standby director (VIPs held elsewhere)"
    return f"partly active: holds {len(here)} of {len(vips)} VIPs"


def peers_text(cluster) -> str:
    """One line: each node, its status and links; what this node holds."""
    if cluster is None:
        return "Heartbeat peers: not watched in this session"
    if cluster.manager == "keepalived":
        return f"keepalived: {cluster.summary or cluster.error}"
    if not cluster.running:
        return f"Heartbeat: {cluster.error}"
    nodes = " · ".join(
        f"{n.name}{' (here)' if n.name == cluster.me else ''} {n.status}"
        + (f" [{', '.join(f'{i} {s}' for i, s in n.links.items())}]" if n.links else "")
        for n in cluster.nodes)
    return (f"Heartbeat: {nodes} · resources here: {cluster.resources} · deadtime "
            f"{cluster.deadtime} s")
