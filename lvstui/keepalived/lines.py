"""Line edits of keepalived.conf and the files it includes: lines inserted before a line or a
range of lines dropped, each file in its own line ends and indentation, every other byte kept
(keepalived.conf's edits are never a re-serialization of what lvstui read)."""

from __future__ import annotations

from dataclasses import dataclass

from ..files import atomic_write, read_text
from .conf import Block, KaConfig, decomment


@dataclass
class EditedFile:
    """One file of a proposal, as ``Ha.write`` saves it (atomically, the old one kept .bak)."""

    path: str
    new: str

    def text(self) -> str:
        return self.new

    def save(self) -> None:
        atomic_write(self.path, self.new)


class LineEdits:
    """Lines to insert before given lines of the config's files, and lines to drop."""

    def __init__(self, config: KaConfig):
        self.texts = {path: read_text(path) for path in dict.fromkeys(config.files)}
        self.before: dict[tuple[str, int], list[str]] = {}
        self.dropped: set[tuple[str, int]] = set()

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

    def inner_indent(self, owner: Block) -> str:
        """The indentation of *owner*'s own lines (its first child's, else its own and a
        step)."""
        for child in owner.children:
            if child.line.path == owner.line.path and child.line.number != owner.line.number:
                return self.indent(child.line.path, child.line.number)
        outer = self.indent(owner.line.path, owner.line.number)
        return outer + step(outer)

    def insert(self, path: str, number: int, lines: list[str]) -> None:
        """*lines* (without their ends) before line *number* of *path*."""
        self.before.setdefault((path, number), []).extend(lines)

    def drop(self, path: str, first: int, last: int) -> None:
        """Lines *first* to *last* of *path*."""
        self.dropped.update((path, n) for n in range(first, last + 1))

    def result(self) -> dict[str, str]:
        out = {}
        for path, text in self.texts.items():
            wanted = {n: lines for (p, n), lines in self.before.items() if p == path}
            gone = {n for p, n in self.dropped if p == path}
            if not wanted and not gone:
                continue
            end = "\r\n" if "\r\n" in text else "\n"
            kept = text.splitlines(keepends=True)
            out[path] = "".join("".join(line + end for line in wanted.get(i, []))
                                + ("" if i in gone else old) for i, old in enumerate(kept, 1))
        return out


def step(indent: str) -> str:
    """One more level of indentation, in the file's own kind (a tab where it uses tabs)."""
    return "\t" if "\t" in indent else "    "


def block(indent: str, head: str, body: list[str]) -> list[str]:
    """``head {``, *body* one level in, ``}``."""
    inner = indent + step(indent)
    return [f"{indent}{head} {{", *(inner + line for line in body), f"{indent}}}"]
