"""lvstui's own health-check file (TOML): ``[defaults]``, ``[[service]]`` with its checks and
policy, ``[[service.real]]`` — every problem a ``Finding`` at ``file:line``."""

from __future__ import annotations

import bisect
import re
import shlex
import tomllib

from ..findings import Finding
from ..model import (RealServer, ValidationError, VirtualService, parse_int, parse_netmask,
                     parse_service)
from .checks import Check, body_pattern
from .engine import Policy
from .readers import CHECK_KINDS, HealthConfig, fail, server_entry


POLICY_KEYS = {"interval", "fall", "rise", "action", "slow_start", "keep_healthy",
               "depool_threshold", "fallback"}
CHECK_KEYS = {"check", "port", "timeout", "path", "method", "http_version", "virtualhost",
              "status", "body", "command"}
SERVICE_KEYS = {"virtual", "scheduler", "persistence", "netmask", "real"} | POLICY_KEYS | CHECK_KEYS
SERVER_KEYS = {"address", "forwarding", "weight", "interval", "fall", "rise"} | CHECK_KEYS


def read_toml(text: str, path: str) -> HealthConfig:
    config = HealthConfig(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        config.findings.append(Finding(path, int(m[1]) if m else 1, "error", f"not TOML: {exc}"))
        return config
    except ValueError:                    # Python's own limit on an integer's digits
        m = re.search(r"[0-9_]{4000,}", text)
        config.findings.append(Finding(path, text.count("\n", 0, m.start() if m else 0) + 1,
                                       "error", "a number of thousands of digits: no setting "
                                                "takes one"))
        return config
    where = _Lines(text)
    defaults, services = data.get("defaults", {}), data.get("service", [])
    if not isinstance(defaults, dict):
        config.findings.append(Finding(path, where.of("defaults"), "error",
                                       "defaults must be one table: [defaults]"))
        defaults = {}
    if not _tables(services):
        config.findings.append(Finding(path, where.of("service"), "error",
                                       "service must be tables: [[service]]"))
        services = []
    for key in set(data) - {"defaults", "service"}:
        config.findings.append(Finding(path, where.of(key), "error", f"unknown table {key!r}"))
    for key in set(defaults) - (POLICY_KEYS | CHECK_KEYS) - {"fallback"}:
        config.findings.append(Finding(path, where.of(key), "error", f"unknown default {key!r}"))
    seen: set = set()
    for index, table in enumerate(services):
        start = where.table("service", index)
        try:
            svc, policy = _toml_service({**defaults, **table}, table, where, start, path, config)
        except ValidationError as exc:
            key = getattr(exc, "key", None)
            config.findings.append(Finding(path, where.key(start, key) if key else start,
                                           "error", str(exc)))
            continue
        if svc.key in seen:
            config.findings.append(Finding(path, start, "error", f"{svc.name} is listed twice"))
            continue
        seen.add(svc.key)
        config.services.append((svc, policy))
    if not data.get("service"):
        config.findings.append(Finding(path, 1, "error", "no [[service]] to watch"))
    return config


def _tables(value) -> bool:
    return isinstance(value, list) and all(isinstance(t, dict) for t in value)


def _keyed(key: str, fn, *args):
    """Run *fn*; a ValidationError carries the TOML key it came from."""
    try:
        return fn(*args)
    except (ValidationError, TypeError, ValueError) as exc:
        if getattr(exc, "key", None):
            raise
        error = ValidationError(f"{key}: {exc}")
        error.key = key
        raise error from None


def _toml_service(merged: dict, own: dict, where, start: int, path: str, config):
    for key in set(own) - SERVICE_KEYS:
        _keyed(key, fail, f"unknown key (known: {', '.join(sorted(SERVICE_KEYS))})")
    if "virtual" not in own:
        raise ValidationError("virtual = \"tcp VIP:port\" (or \"fwmark N\") is needed")
    svc = _keyed("virtual", parse_service, str(own["virtual"]))
    if "scheduler" in own:
        svc.scheduler = str(own["scheduler"])
    if "persistence" in own:
        svc.persistence = _keyed("persistence", _int, own["persistence"], 0, 2**31 - 1)
    if "netmask" in own:
        svc.netmask = _keyed("netmask", parse_netmask, str(own["netmask"]), svc.family)
    _keyed("scheduler", svc.validate)
    policy = _keyed("check", _toml_policy, merged, svc)
    if not _tables(own.get("real", [])):
        _keyed("real", fail, "real servers are tables: [[service.real]]")
    listed = set()
    for n, real in enumerate(own.get("real", [])):
        line = where.table("service.real", n, after=start)
        try:
            for key in set(real) - SERVER_KEYS:
                _keyed(key, fail, f"unknown key (known: {', '.join(sorted(SERVER_KEYS))})")
            rs = _keyed("address", server_entry, svc, str(real.get("address", "")),
                        str(real.get("forwarding", "gate")),
                        _keyed("weight", _int, real.get("weight", 1), 0, 2**31 - 1))
            if rs.key in listed:
                raise ValidationError(f"real server {rs.endpoint} is listed twice")
            listed.add(rs.key)
            own_keys = set(real) & (CHECK_KEYS | {"interval", "fall", "rise"})
            if own_keys:
                policy.overrides[rs.key] = _keyed("check", _toml_policy, {**merged, **real}, svc)
            svc.servers.append(rs)
        except ValidationError as exc:
            key = getattr(exc, "key", None)
            config.findings.append(Finding(path, where.key(line, key) if key else line,
                                           "error", str(exc)))
    return svc, policy


def _body(value) -> str:
    body_pattern(str(value))
    return str(value)


def _http_version(value) -> str:
    if str(value) not in ("1.0", "1.1"):
        raise ValueError(f"{value!r}: use \"1.0\" or \"1.1\"")
    return str(value)


def _toml_policy(values: dict, svc: VirtualService) -> Policy:
    kind = values.get("check", "tcp")
    if kind not in CHECK_KINDS:
        raise ValueError(f"unknown check {kind!r}: use one of {', '.join(CHECK_KINDS)}")
    command = values.get("command", ())
    if isinstance(command, str):
        command = shlex.split(command)
    if kind == "command" and not command:
        raise ValueError("check = \"command\" needs command = [\"/path\", \"{host}\", \"{port}\"]")
    check = Check(kind, port=_keyed("port", _int, values.get("port", 0), 0, 65535) or None,
                  timeout=_keyed("timeout", _seconds, values.get("timeout", 3)),
                  path=str(values.get("path", "/")), method=str(values.get("method", "GET")),
                  virtualhost=str(values.get("virtualhost", "")),
                  status=_keyed("status", _int, values.get("status", 200), 0, 599),
                  body=_keyed("body", _body, values.get("body", "")),
                  command=tuple(map(str, command)),
                  http_version=_keyed("http_version", _http_version,
                                      values.get("http_version", "1.0")))
    action = values.get("action", "quiesce")
    if action not in ("quiesce", "remove"):
        raise ValueError(f"action: {action!r}: use quiesce or remove")
    fallback = values.get("fallback")
    return Policy(check=check,
                  interval=_keyed("interval", _seconds, values.get("interval", 5)),
                  fall=_keyed("fall", _int, values.get("fall", 3), 1, 1000),
                  rise=_keyed("rise", _int, values.get("rise", 2), 1, 1000),
                  action=action,
                  slow_start=_keyed("slow_start", _int, values.get("slow_start", 0), 0, 100),
                  keep_healthy=_keyed("keep_healthy", _int, values["keep_healthy"], 0, 10**6)
                  if "keep_healthy" in values else None,
                  depool_threshold=_keyed("depool_threshold", _share,
                                          values.get("depool_threshold", 0.0)),
                  fallback=_keyed("fallback", _fallback, fallback, svc) if fallback else None)


def _fallback(text, svc: VirtualService) -> RealServer:
    """``"127.0.0.1:80"`` or ``"127.0.0.1:80 masq"`` (gate when not said), weight 1."""
    words = str(text).split()
    if not 1 <= len(words) <= 2:
        raise ValidationError(f"cannot read {text!r}: use \"address:port [gate|masq|ipip]\"")
    return server_entry(svc, words[0], words[1] if len(words) > 1 else "gate", 1)


def _int(value, low: int, high: int) -> int:
    return parse_int("value", str(value), low, high)


def _share(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValidationError(f"{value!r} is not a share of the servers (0 to 1, e.g. 0.5)")
    return float(value)


def _seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise ValidationError(f"{value!r} is not a number of seconds (0-3600)")
    return float(value)


class _Lines:
    """Line numbers for TOML keys and tables (tomllib gives none)."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}        # [[name]] -> its line numbers, in order
        for n, line in enumerate(self.lines, 1):
            m = re.match(r"\s*\[\[\s*([^\]\s]+)\s*\]\]", line)
            if m:
                self.headers.setdefault(m[1], []).append(n)

    def table(self, name: str, index: int, after: int = 0) -> int:
        """The line of the index-th ``[[name]]`` after line *after* (one look-up, no scan)."""
        lines = self.headers.get(name, [])
        first = bisect.bisect_right(lines, after)
        return lines[first + index] if first + index < len(lines) else after or 1

    def key(self, start: int, key: str) -> int:
        for n, line in enumerate(self.lines[start:], start + 1):
            if re.match(r"\s*\[", line):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", line):
                return n
        return start

    def of(self, key: str) -> int:
        for n, line in enumerate(self.lines, 1):
            if re.match(rf"\s*(\[+\s*)?{re.escape(key)}\b", line):
                return n
        return 1


