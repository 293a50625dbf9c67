"""Heartbeat's files — ha.cf, haresources, authkeys — read and edited without losing a byte.

Each file keeps its lines exactly as read; an edit rewrites only the line(s) it touches, keeping
indentation, separators and trailing comments. Saving goes through ``files.atomic_write`` (temp
file, fsync, rename, backup); authkeys is always written mode 0600. The authkeys secret never
leaves this module in readable form: ``AuthKeys.describe()`` masks it.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
from dataclasses import dataclass

from ..files import atomic_write, read_text
from . import HA_DIR



def split_directive(body: str) -> dict[str, str] | None:
    """A line (no end) as lead, name, sep, args, tail (the blanks and comment after the
    args), so that joining them gives the line back; None for a blank or comment line.
    Linear in the line's length (a regex with two blank runs was quadratic)."""
    code, hash_, comment = body.partition("#")
    name_at = len(code) - len(code.lstrip())
    rest = code[name_at:]
    name = rest.split(None, 1)[0] if rest.strip() else ""
    if not name:
        return None
    after = rest[len(name):]
    args = after.strip()
    sep = after[:len(after) - len(after.lstrip())]
    tail = after[len(sep) + len(args):] + hash_ + comment
    return {"lead": code[:name_at], "name": name, "sep": sep, "args": args, "tail": tail}


@dataclass(frozen=True)
class Directive:
    name: str
    args: tuple[str, ...]
    lineno: int


class LineFile:
    """A text file as its lines (ends kept), so that an unchanged file saves byte-identical."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.lines = re.findall(r"[^\n]*\n|[^\n]+", text)     # as heartbeat's fgets reads
        self.newline = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"

    def text(self) -> str:
        return "".join(self.lines)

    def directives(self) -> list[Directive]:
        out = []
        for i, line in enumerate(self.lines):
            body = line.rstrip("\r\n")
            if not body.strip() or body.lstrip().startswith("#"):
                continue
            m = split_directive(body)
            if m:
                out.append(Directive(m["name"], tuple(m["args"].split()), i + 1))
        return out

    def _rewrite(self, lineno: int, args: str) -> None:
        line = self.lines[lineno - 1]
        body, end = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")):]
        m = split_directive(body)
        self.lines[lineno - 1] = f"{m['lead']}{m['name']}{m['sep'] or ' '}{args}{m['tail']}{end}"

    def _append(self, text: str) -> None:
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += self.newline
        self.lines.append(text + self.newline)

    def save(self, mode: int | None = None) -> str | None:
        return atomic_write(self.path, self.text(), mode=mode)


class HaCf(LineFile):
    """ha.cf: ``directive value`` lines; nodes and media may repeat."""

    def get(self, name: str) -> tuple[str, ...] | None:
        found = [d for d in self.directives() if d.name == name]
        return found[-1].args if found else None

    def all(self, name: str) -> list[Directive]:
        return [d for d in self.directives() if d.name == name]

    def set(self, name: str, value: str) -> None:
        """Change the (last) line of *name*, or append one."""
        found = self.all(name)
        if found:
            self._rewrite(found[-1].lineno, value)
        else:
            self._append(f"{name} {value}")

    def add(self, name: str, value: str) -> None:
        """Another line of a repeating directive (node, ucast, ...), after the last of its kind."""
        found = self.all(name)
        if not found:
            self._append(f"{name} {value}")
            return
        at = found[-1].lineno
        if not self.lines[at - 1].endswith("\n"):
            self.lines[at - 1] += self.newline
        self.lines.insert(at, f"{name} {value}{self.newline}")

    def remove(self, name: str, args: tuple[str, ...]) -> None:
        for d in self.all(name):
            if d.args == args:
                del self.lines[d.lineno - 1]
                return
        raise KeyError(f"{name} {' '.join(args)}")

    @property
    def nodes(self) -> list[str]:
        return [n for d in self.all("node") for n in d.args]


@dataclass(frozen=True)
class ResourceGroup:
    node: str
    resources: tuple[str, ...]
    lineno: int


class HaResources(LineFile):
    """haresources: ``node resource...``, lines continued with a backslash."""

    def groups(self) -> list[ResourceGroup]:
        out, words, start = [], [], None
        for i, line in enumerate(self.lines):
            body = line.split("#", 1)[0].rstrip()
            if start is None and not body.strip():
                continue
            if start is None:
                start = i + 1
            cont = body.endswith("\\")
            words += body.rstrip("\\").split()
            if not cont:
                if words:
                    out.append(ResourceGroup(words[0], tuple(words[1:]), start))
                words, start = [], None
        return out

    def addresses(self) -> list[str]:
        """The IP addresses heartbeat moves (``IPaddr::``, ``IPaddr2::`` or a bare address),
        in file order, each once."""
        found = []
        for group in self.groups():
            for resource in group.resources:
                m = IP_RESOURCE.match(resource)
                if m and is_ip(m[2]) and m[2] not in found:
                    found.append(m[2])
        return found

    def interface_of(self, address: str) -> str | None:
        """The interface a resource names for *address* (IPaddr's ``IP/CIDR/NIC``), or None
        where heartbeat finds it by the route."""
        for group in self.groups():
            for resource in group.resources:
                m = IP_RESOURCE.match(resource)
                if m and m[2] == address and m[3]:
                    parts = m[3].split("/")
                    return parts[2] if len(parts) > 2 and parts[2] else None
        return None

    def replace_resource(self, old: str, new: str) -> None:
        """Replace one resource word (e.g. the VIP ``172.26.46.119/24/eth0``) where it stands."""
        pattern = re.compile(rf"(?<!\S){re.escape(old)}(?!\S)")
        for i, line in enumerate(self.lines):
            code, hash_, comment = line.partition("#")
            if pattern.search(code):
                self.lines[i] = pattern.sub(new, code, count=1) + hash_ + comment
                return
        raise KeyError(old)


class AuthKeys(LineFile):
    """authkeys: ``auth N`` and ``N method secret`` lines. Secrets are never shown."""

    def active(self) -> str | None:
        for d in self.directives():
            if d.name == "auth" and d.args:
                return d.args[0]
        return None

    def keys(self) -> dict[str, tuple[str, int]]:
        """Key index -> (method, line); the secrets are not part of the answer."""
        return {d.name: (d.args[0].lower() if d.args else "", d.lineno)
                for d in self.directives() if d.name != "auth"}

    def describe(self) -> str:
        active = self.active()
        method = self.keys().get(active, ("?", 0))[0] if active else "?"
        return f"key {active or '?'} ({method}, secret ********)"

    def set_key(self, index: str, method: str, secret: str) -> None:
        if not re.fullmatch(r"\d{1,2}", index):
            raise ValueError("the key index is a number (1-15)")
        if method not in ("sha1", "md5", "crc") or (method != "crc" and not secret.strip()):
            raise ValueError("method sha1 or md5 with a secret (crc: no security)")
        if any(c.isspace() for c in secret):
            raise ValueError("the secret must not contain spaces")
        line = f"{index} {method} {secret}".rstrip()
        existing = self.keys().get(index)
        if existing:
            end = self.newline if self.lines[existing[1] - 1].endswith("\n") else ""
            self.lines[existing[1] - 1] = line + end
        else:
            self._append(line)
        auth = next((d for d in self.directives() if d.name == "auth"), None)
        if auth is None:
            self.lines.insert(0, f"auth {index}{self.newline}")
        else:
            self._rewrite(auth.lineno, index)

    def save(self, mode: int | None = None) -> str | None:
        """Always mode 0600: heartbeat refuses a readable authkeys."""
        return super().save(mode=0o600)


@dataclass(frozen=True)
class HaConfig:
    """The three files of one directory (``/etc/ha.d``)."""

    ha_cf: HaCf
    haresources: HaResources | None
    authkeys: AuthKeys | None
    authkeys_mode: int | None

    @classmethod
    def read(cls, directory: str = HA_DIR) -> HaConfig:
        def load(kind, name):
            path = os.path.join(directory, name)
            try:
                return kind(read_text(path), path)
            except FileNotFoundError:
                return None

        ha_cf = load(HaCf, "ha.cf")
        if ha_cf is None:
            path = os.path.join(directory, "ha.cf")
            raise FileNotFoundError(errno.ENOENT, "not found", path)
        keys_path = os.path.join(directory, "authkeys")
        mode = os.stat(keys_path).st_mode & 0o777 if os.path.exists(keys_path) else None
        return cls(ha_cf, load(HaResources, "haresources"), load(AuthKeys, "authkeys"), mode)


IP_RESOURCE = re.compile(r"^(?:(IPaddr2?)::)?(\d[\d.]*|[0-9a-fA-F:]+:[0-9a-fA-F:.]*)(/.*)?$")


def is_ip(text: str) -> bool:
    """An IPv4 or IPv6 address as heartbeat's IPaddr takes it."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
