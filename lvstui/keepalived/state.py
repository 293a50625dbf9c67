"""keepalived's own view of its VRRP instances, asked the way it answers: its JSON dump, written
to ``$TMPDIR/keepalived.json`` (its TMPDIR, /tmp by default) when it gets SIGRTMIN+2
(``keepalived --signum=JSON``). Never a notify script's leftovers: an answer that does not come
is said, with the age of the last one. Its checkers' verdicts likewise, from the data dump
its checker process writes on SIGUSR1 (``checkers.py`` reads it)."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass, field

from . import PID_FILE
from .checkers import DATA_FILE, Verdict, parse

JSON_SIGNAL = signal.SIGRTMIN + 2          # keepalived --signum=JSON (a build with JSON)
DATA_SIGNAL = signal.SIGUSR1               # keepalived --signum=DATA
STATES = {0: "INIT", 1: "BACKUP", 2: "MASTER", 3: "FAULT"}


@dataclass(frozen=True)
class VrrpInstance:
    name: str
    state: str                    # MASTER, BACKUP, FAULT, INIT
    vrid: int
    interface: str
    base_priority: int
    effective_priority: int
    vips: tuple[str, ...]
    last_transition: float        # wall clock
    master_priority: int = 0      # the master's, as this instance last heard it
    nopreempt: bool = False


@dataclass(frozen=True)
class VrrpState:
    """keepalived's answer: its instances and how old the answer is (None: no answer)."""

    running: bool
    pid: int | None = None
    instances: tuple[VrrpInstance, ...] = ()
    age: float | None = None
    fresh: bool = False           # it answered this read
    error: str = ""
    stats: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckerState:
    """keepalived's checker verdicts and how old they are (*fresh*: it answered this read)."""

    running: bool
    verdicts: tuple[Verdict, ...] = ()
    age: float | None = None
    fresh: bool = False
    error: str = ""
    pid: int | None = None


class Keepalived:
    """The keepalived of this director, found by its pid file."""

    def __init__(self, pid_file: str = PID_FILE, wait: float = 2.0, clock=time.time):
        self.pid_file, self.wait, self.clock = pid_file, wait, clock

    def pid(self) -> int | None:
        try:
            with open(self.pid_file) as fh:
                pid = int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _alive(pid) else None

    def not_running(self) -> str:
        return f"keepalived is not running here (no live pid in {self.pid_file})"

    def state(self) -> VrrpState:
        pid = self.pid()
        if pid is None:
            return VrrpState(False, error=self.not_running())
        path = os.path.join(_tmp_dir(pid), "keepalived.json")
        why = self.ask(pid, JSON_SIGNAL, path)
        return self._last(pid, path, why) if why else self._read(pid, path, fresh=True)

    def checkers(self) -> CheckerState:
        """keepalived's verdict on each real server (its checker process's data dump)."""
        pid = self.pid()
        if pid is None:
            return CheckerState(False, error=self.not_running())
        path = os.path.join(_tmp_dir(pid), DATA_FILE)
        why = self.ask(pid, DATA_SIGNAL, path)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                verdicts = tuple(parse(fh.read()))
            age = max(0.0, self.clock() - os.stat(path).st_mtime)
        except OSError as exc:
            return CheckerState(True, error=why or f"cannot read {path}: {exc.strerror}",
                                pid=pid)
        return CheckerState(True, verdicts, age, not why,
                            why + (f"; its last answer is {age:.0f} s old" if why else ""), pid)

    def ask(self, pid: int, signum: int, path: str) -> str:
        """Send *signum* and wait until keepalived rewrote *path*: "" when it did, else why
        not."""
        before = _mtime(path)
        try:
            os.kill(pid, signum)
        except OSError as exc:
            return f"cannot ask keepalived (pid {pid}): {exc.strerror}"
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            now = _mtime(path)
            if now is not None and now != before:
                time.sleep(0.02)                   # written by one write(); let it end
                return ""
            time.sleep(0.02)
        return f"keepalived (pid {pid}) did not answer within {self.wait:g} s"

    def _last(self, pid: int, path: str, why: str) -> VrrpState:
        """The last answer, marked stale, or only why there is none."""
        state = self._read(pid, path, fresh=False)
        return VrrpState(True, pid, state.instances, state.age, False,
                         why + (f"; its last answer is {state.age:.0f} s old"
                                if state.age is not None else ""))

    def _read(self, pid: int, path: str, fresh: bool) -> VrrpState:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                entries = json.load(fh)
            age = max(0.0, self.clock() - os.stat(path).st_mtime)
            return VrrpState(True, pid, tuple(decode(e) for e in entries), age, fresh)
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            return VrrpState(True, pid, error=f"cannot read {path}: {exc}")


def decode(entry: dict) -> VrrpInstance:
    """One instance of keepalived's JSON dump."""
    data = entry["data"]
    return VrrpInstance(str(data["iname"]), STATES.get(data.get("state"), "UNKNOWN"),
                        int(data.get("vrid", 0)), str(data.get("ifp_ifname", "")),
                        int(data.get("base_priority", 0)), int(data.get("effective_priority", 0)),
                        tuple(str(v).split()[0] for v in data.get("vips", [])),
                        float(data.get("last_transition", 0.0)),
                        int(data.get("master_priority", 0)), bool(data.get("nopreempt", False)))


def _alive(pid: int) -> bool:
    """A live keepalived has this pid: never another process that took a stale pid file's
    number (SIGRTMIN+2 would end it)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            name, state = fh.read().split(" (", 1)[1].rsplit(") ", 1)
    except (OSError, IndexError, ValueError):
        return False
    return name == "keepalived" and state[:1] != "Z"


def _tmp_dir(pid: int) -> str:
    """Where keepalived writes its dumps: its own TMPDIR, else /tmp."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            for item in fh.read().split(b"\0"):
                if item.startswith(b"TMPDIR="):
                    return item[7:].decode(errors="replace") or "/tmp"
    except OSError:
        pass
    return "/tmp"


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None

