"""The HA manager's files as the console shows and edits them (heartbeat's ha.cf,
haresources, authkeys today): rows of settings with their file:line, and each edit a typed
use case — checked, proposed as a diff with secrets masked, written through ``session.ha``."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import ValidationError
from .area import Area
from .results import Proposal

LINES = ("node", "ucast", "bcast", "mcast", "serial")    # the lines an operator adds


@dataclass
class FileRow:
    """One row of the files: *kind* (directive, line, resource, authkey), the label shown,
    what an edit needs (*payload*), the value shown and where it is (file:line)."""

    kind: str
    label: str
    payload: object
    value: str
    where: str


@dataclass
class HaFiles:
    """The files read: their rows and findings, or why they cannot be read."""

    rows: list[FileRow] = field(default_factory=list)
    findings: list = field(default_factory=list)
    error: str | None = None


def _rows(config) -> list[FileRow]:
    from ..ha.check import TIMES
    cf, rows = config.ha_cf, []
    for name in TIMES + ("udpport", "auto_failback"):
        found = cf.all(name)
        rows.append(FileRow("directive", name, name,
                            " ".join(found[-1].args) if found else "(not set)",
                            f"ha.cf:{found[-1].lineno}" if found else "ha.cf"))
    for kind in LINES:
        for d in cf.all(kind):
            rows.append(FileRow("line", f"{kind} {' '.join(d.args)}", (kind, d.args), "",
                                f"ha.cf:{d.lineno}"))
    if config.haresources is not None:
        for g in config.haresources.groups():
            rows += [FileRow("resource", f"resource of {g.node}", r, r, f"haresources:{g.lineno}")
                     for r in g.resources]
    if config.authkeys is not None:
        rows.append(FileRow("authkey", "auth key", None, config.authkeys.describe(), "authkeys"))
    return rows


class HaFileEdits(Area):
    """The files' rows, and the edits the console offers on them."""

    def read(self) -> HaFiles:
        try:
            config, findings = self.session.ha.read()
        except OSError as exc:
            return HaFiles(error=f"{exc.filename or self.session.ha.dir}: {exc.strerror}")
        return HaFiles(_rows(config), findings)

    @staticmethod
    def check_setting(name: str, text: str) -> str:
        """A directive's new value, or ValidationError in the operator's words."""
        from ..ha.check import TIMES, parse_time
        if name in TIMES and parse_time(text) is None:
            raise ValidationError(f"{name}: seconds (2) or milliseconds (500ms)")
        if not text or any(c.isspace() for c in text):
            raise ValidationError("one value, without spaces")
        return text

    @staticmethod
    def check_word(text: str) -> str:
        """A resource: one word."""
        if not text or any(c.isspace() for c in text):
            raise ValidationError("one word, without spaces")
        return text

    @staticmethod
    def check_key(text: str) -> tuple[str, str, str]:
        """INDEX METHOD SECRET of a new key, checked by the one authkeys validator."""
        from ..ha.config import AuthKeys
        words = text.split()
        if len(words) != 3:
            raise ValidationError("INDEX METHOD SECRET, e.g. 2 sha1 s3cret")
        try:
            AuthKeys("", "authkeys").set_key(*words)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return words[0], words[1], words[2]

    @staticmethod
    def check_line(text: str) -> tuple[str, str]:
        """A line to add: node NAME, or a media line."""
        name, _, value = text.strip().partition(" ")
        if name not in LINES or not value.strip():
            raise ValidationError("node NAME, or a media line: ucast eth1 192.168.0.2")
        return name, value.strip()

    def set_setting(self, name: str, value: str) -> Proposal:
        return self.session.ha.propose(f"ha.cf: {name} {value}",
                                       lambda c: c.ha_cf.set(name, value))

    def replace_resource(self, old: str, new: str) -> Proposal:
        return self.session.ha.propose(f"haresources: {old} -> {new}",
                                       lambda c: c.haresources.replace_resource(old, new))

    def set_key(self, index: str, method: str, secret: str) -> Proposal:
        return self.session.ha.propose("authkeys: new key (secret not shown)",
                                       lambda c: c.authkeys.set_key(index, method, secret))

    def add_line(self, name: str, value: str) -> Proposal:
        return self.session.ha.propose(f"ha.cf: add {name} {value}",
                                       lambda c: c.ha_cf.add(name, value))

    def remove_line(self, name: str, args) -> Proposal:
        return self.session.ha.propose(f"ha.cf: remove {name} {' '.join(args)}",
                                       lambda c: c.ha_cf.remove(name, args))
