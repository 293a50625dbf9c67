"""One history of the operator's actions: the table's changes (``Change``) and, beside them,
every action outside the table (``Action``): a heartbeat file written, a sysctl or a VIP
changed, a failover. ``u`` takes back the newest entry, whatever it is, or says in one line why
it cannot — it never reaches past it to an older change; ``U`` makes it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .files import atomic_write

Steps = Callable[[], list[str]]        # makes a step; returns the commands it ran


@dataclass(eq=False)
class Action:
    """An action outside the IPVS table: *undo* and *redo* make the reverse and make it again
    (None: u cannot; *why_not* says why, in the operator's words)."""

    what: str
    undo: Steps | None = None
    redo: Steps | None = None
    why_not: str = ""
    peer: list = field(default_factory=list)       # no part on the peer director
    reload: Steps | None = None     # files only: the reload that followed, made again with u, U
    files: bool = False

    def refusal(self) -> str:
        return f"the last action ({self.what}) cannot be undone here: {self.why_not}"


def file_edit(what: str, before: dict[str, str], after: dict[str, str]) -> Action:
    """Files written: u writes back each file's previous bytes, U the new ones (atomically,
    each keeping its mode: authkeys stays 0600). ``reload`` is set when a reload followed."""
    action = Action(what, files=True)

    def write(texts: dict[str, str]) -> list[str]:
        for path, text in texts.items():
            atomic_write(path, text)
        done = [f"write {path}" for path in texts]
        if action.reload is not None:
            done += action.reload()
        return done

    action.undo = lambda: write(before)
    action.redo = lambda: write(after)
    return action


def sysctls(what: str, network, changed: list[tuple[str, str | None, str]]) -> Action:
    """Kernel settings changed (name, old, new): u sets the old values back (never a guess:
    an old value that could not be read makes it an action u cannot take back)."""
    if any(old is None for _, old, _ in changed):
        return Action(what, why_not="its value before could not be read")

    def put(values: list[tuple[str, str]]) -> list[str]:
        for name, value in values:
            network.set(name, value)
        return [f"sysctl -w {name}={value}" for name, value in values]
    return Action(what, lambda: put([(n, old) for n, old, _ in reversed(changed)]),
                  lambda: put([(n, new) for n, _, new in changed]))


def vip(what: str, network, address: str, added: bool, label: str | None = None,
        announce: bool = True) -> Action:
    """A VIP added (u removes it) or removed (u adds it back, announced)."""
    def add() -> list[str]:
        done = [f"added {address} on {network.add_vip(address, label, announce)}"]
        return done + ([f"announced {address} by gratuitous ARP on {network.interface}"]
                       if announce else [])

    def remove() -> list[str]:
        network.remove_vip(address)
        return [f"removed {address} from {network.interface}"]
    return Action(what, remove, add) if added else Action(what, add, remove)


def failover(kind: str) -> Action:
    """A failover: taken back only by the reverse failover, which asks first."""
    reverse, key = ("takeover", "t") if kind == "standby" else ("standby", "h")
    return Action(f"hb_{kind}", why_not=f"the reverse failover takes it back: press {key} "
                                        f"({reverse}), which asks first")
