"""keepalived.conf read as keepalived 2.2.7 reads it (lib/parser.c): lines, ``!`` and ``#``
comments outside quotes (``\\#`` kept), a quoted word as one, ``include GLOB`` followed
(relative to the including file), ``{`` and ``}`` split off the line they end, a block per
keyword that has one — and where each word came from (file and line), for file:line findings
and for edits written into the file that holds the block."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

from ..files import read_text
from .keywords import KEYWORDS

BOB, EOB = "{", "}"


@dataclass(frozen=True)
class Line:
    """One logical line: its words, where it is."""

    path: str
    number: int
    words: tuple[str, ...]


@dataclass
class Block:
    """A keyword line, with the block that follows it: keywords (*children*) or values."""

    line: Line
    children: list[Block] = field(default_factory=list)
    values: list[Line] = field(default_factory=list)
    closed: Line | None = None               # the line of its "}"

    @property
    def keyword(self) -> str:
        return self.line.words[0]

    @property
    def args(self) -> tuple[str, ...]:
        return self.line.words[1:]

    def find(self, keyword: str) -> list[Block]:
        return [b for b in self.children if b.keyword == keyword]

    def value(self, *keywords: str) -> str | None:
        """The first word after the last of *keywords* in this block (keepalived: the last
        one counts), or None."""
        found = [b for b in self.children if b.keyword in keywords and b.args]
        return found[-1].args[0] if found else None


@dataclass
class Problem:
    """What keepalived says while reading (an error makes ``keepalived -t`` refuse)."""

    line: Line
    message: str
    level: str = "error"


class Lines:
    """The logical lines, one look ahead (a value block starts with the next line's ``{``)."""

    def __init__(self, lines: list[Line]):
        self.lines, self.at = lines, 0

    def __iter__(self):
        return self

    def __next__(self) -> Line:
        if self.at >= len(self.lines):
            raise StopIteration
        self.at += 1
        return self.lines[self.at - 1]

    def peek(self) -> Line | None:
        return self.lines[self.at] if self.at < len(self.lines) else None


@dataclass
class KaConfig:
    path: str
    blocks: list[Block]
    problems: list[Problem]                  # what keepalived itself reports while reading
    files: list[str]                         # the file and every file it includes


def words(text: str) -> tuple[tuple[str, ...], str | None]:
    """keepalived's alloc_strvec: whitespace-separated words, a ``"quoted string"`` one word
    (without its quotes); the problem when a quote is not closed."""
    out, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return tuple(out), None
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return tuple(out), f"Unmatched quote: '{text}'"
            out.append(text[i + 1:end])
            i = end + 1
        else:
            start = i
            while i < len(text) and text[i] not in ' \t"':
                i += 1
            out.append(text[start:i])


def decomment(text: str) -> tuple[str, str | None]:
    """keepalived's decomment: leading blanks and a comment (``!`` or ``#`` outside quotes)
    off, ``\\#`` and ``\\!`` unescaped; the problem of an unterminated quote."""
    text = text.lstrip(" \t")
    out, quote, i = [], False, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            quote = not quote
        elif c == "\\" and i + 1 < len(text):
            if not quote and text[i + 1] in "#!":
                out.append(text[i + 1])
                i += 2
                continue
            out.append(text[i:i + 2])
            i += 2
            continue
        elif c in "!#" and not quote:
            break
        out.append(c)
        i += 1
    problem = f"Unterminated quote '{''.join(out)}'" if quote else None
    return "".join(out).rstrip(" \t"), problem


def split_braces(text: str) -> list[str]:
    """read_line's split: a line ends at its first ``{`` or ``}`` outside quotes, which
    starts the next one."""
    parts = []
    while text:
        at, quote = None, False
        for i, c in enumerate(text):
            if c == '"':
                quote = not quote
            elif c in "{}" and not quote:
                at = i
                break
        if at is None:
            parts.append(text)
            break
        if at == 0:
            parts.append(text[0])
            text = text[1:].lstrip(" \t")
        else:
            parts.append(text[:at].rstrip(" \t"))
            text = text[at:]
    return [p for p in parts if p]


class Reader:
    """The logical lines of a file and of what it includes, in keepalived's order."""

    def __init__(self, overlay: dict[str, str] | None = None):
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.overlay = overlay or {}             # path -> the text read instead of the file's

    def lines(self, path: str, depth: int = 0):
        self.files.append(path)
        text = self.overlay[path] if path in self.overlay else read_text(path)
        for number, raw in enumerate(text.splitlines(), 1):
            body, problem = decomment(raw.rstrip("\r\n"))
            if problem:
                self.problems.append(Problem(Line(path, number, ()), problem))
            if not body:
                continue
            if body[0] in "@$~":
                self.problems.append(Problem(Line(path, number, ()), "not read by lvstui: "
                                             "conditional lines, definitions and ~SEQ are "
                                             "keepalived's own", "warning"))
                continue
            head = body.split(None, 1)
            if head[0] == "include" and len(head) == 2:
                yield from self.include(path, number, head[1].strip(), depth)
                continue
            for part in split_braces(body):
                found, problem = words(part)
                if problem:
                    self.problems.append(Problem(Line(path, number, found), problem))
                if found:
                    yield Line(path, number, found)

    def include(self, path: str, number: int, pattern: str, depth: int):
        pattern = pattern.strip('"')
        where = os.path.join(os.path.dirname(path), pattern)
        matches = sorted(glob.glob(where))
        if not matches:
            self.problems.append(Problem(Line(path, number, ("include", pattern)),
                                         f"No config files matched '{pattern}'.", "warning"))
        for match in matches:
            if depth >= 8:
                self.problems.append(Problem(Line(path, number, ("include", pattern)),
                                             "includes nested too deep"))
                return
            try:
                yield from self.lines(match, depth + 1)
            except OSError as exc:
                self.problems.append(Problem(Line(path, number, ("include", pattern)),
                                             f"cannot read {match}: {exc.strerror}"))


def read(path: str, text: str | None = None, overlay: dict[str, str] | None = None) -> KaConfig:
    """The file's blocks (of *text* when given: what the file would hold; *overlay*: the same
    for any of the files it includes too); OSError when the file itself cannot be read."""
    reader = Reader({**(overlay or {}), **({path: text} if text is not None else {})})
    lines = list(reader.lines(path))
    problems = reader.problems
    blocks = _stream(Lines(lines), KEYWORDS, problems, top=True)
    return KaConfig(path, blocks, problems, reader.files)


def _stream(lines: Lines, keywords: dict, problems: list[Problem], top: bool = False,
            need_bob: bool = False) -> list[Block]:
    """process_stream: keyword lines, a block after each that has one, until ``}``."""
    blocks: list[Block] = []
    for line in lines:
        word = line.words[0]
        if need_bob:
            need_bob = False
            if word == BOB and not top:
                continue
            problems.append(Problem(line, "Missing '{' at beginning of configuration block"))
        elif word == BOB:
            problems.append(Problem(line, "Unexpected '{' - ignoring"))
            continue
        if word == EOB:
            if top:
                problems.append(Problem(line, "Extra '}' found"))
                continue
            blocks.append(Block(line))              # the caller's end marker
            return blocks
        if word not in keywords:
            problems.append(Problem(line, f"Unknown keyword '{word}'"))
            continue
        block = Block(line)
        blocks.append(block)
        sub = keywords[word]
        if sub is not None:
            inner = _stream(lines, sub, problems, need_bob=True)
            if inner and inner[-1].keyword == EOB and not inner[-1].children:
                block.closed = inner.pop().line
            else:
                problems.append(Problem(line, "There are 1 missing '}'s or extra '{'s"))
            block.children = inner
        else:
            _values(lines, block, problems)
    return blocks


def _values(lines: Lines, block: Block, problems: list[Problem]) -> None:
    """A keyword whose next line is ``{``: the lines up to its ``}`` are its values."""
    ahead = lines.peek()
    if ahead is None or ahead.words[0] != BOB:
        return
    next(lines)
    depth = 1
    for line in lines:
        if line.words[0] == BOB:
            depth += 1
        elif line.words[0] == EOB:
            depth -= 1
            if depth == 0:
                block.closed = line
                return
        block.values.append(line)
    problems.append(Problem(block.line, "There are 1 missing '}'s or extra '{'s"))
