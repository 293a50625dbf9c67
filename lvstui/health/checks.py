"""Real-server checks, all asyncio: TCP connect, HTTP(S) request, external command.

Each returns a ``CheckResult``: up or down, the reason in operator words (``timeout``,
``refused``, ``reset``, ``HTTP 503``, ``body mismatch``, ``exit 1``) and the latency.
"""

from __future__ import annotations

import asyncio
import functools
import re
import socket
import ssl
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CheckResult:
    up: bool
    reason: str
    latency: float           # seconds


@dataclass(frozen=True)
class Check:
    """What to check on a real server (keepalived's TCP_CHECK / HTTP_GET / SSL_GET / MISC_CHECK)."""

    kind: str = "tcp"                    # tcp, http, https, command; on/off: not checked
    port: int | None = None              # None: the real server's port
    timeout: float = 3.0
    path: str = "/"
    method: str = "GET"                  # or HEAD
    virtualhost: str = ""
    status: int = 200                    # 0: any 2xx (ldirectord's rule)
    http_version: str = "1.0"            # or 1.1 (the request line's version)
    body: str = ""                       # substring, or /regex/
    command: tuple[str, ...] = field(default_factory=tuple)   # {host} and {port} substituted


async def run_check(check: Check, host: str, port: int) -> CheckResult:
    if check.kind in ("on", "off"):
        return CheckResult(check.kind == "on", f"checktype {check.kind}", 0.0)
    port = check.port or port
    start = time.monotonic()
    try:
        if check.kind == "command":
            reason = await asyncio.wait_for(_command(check, host, port), check.timeout)
        elif check.kind in ("http", "https"):
            reason = await asyncio.wait_for(_http(check, host, port), check.timeout)
        else:
            reason = await asyncio.wait_for(_tcp(host, port), check.timeout)
    except asyncio.TimeoutError:
        reason = f"timeout after {check.timeout:g} s"
    except ConnectionRefusedError:
        reason = "refused"
    except ConnectionResetError:                  # the server went away mid-answer
        reason = "reset"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    return CheckResult(reason == "", reason or "ok", time.monotonic() - start)


async def _tcp(host: str, port: int) -> str:
    """A bare non-blocking connect: no stream objects (a third of the CPU at 1,000 servers)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
    finally:
        sock.close()
    return ""


MAX_BODY = 4 * 1024 * 1024     # the first 4 MiB of a page are judged; the rest is not read
MAX_HEAD = 64 * 1024           # a status or header line longer than this is not HTTP
MAX_HEADERS = 100
STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) +(\d{3})(?:[ \t].*)?\r?\n?$", re.S)


class NotHttp(Exception):
    """The answer is not HTTP (its words are the check's reason)."""


async def _http(check: Check, host: str, port: int) -> str:
    """One request; the whole answer read as HTTP: to Content-Length, to the end of a chunked
    body, or to the close of the connection (bounded by MAX_BODY and the check's timeout)."""
    context = None
    if check.kind == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE          # health, not identity: as ldirectord does
    reader, writer = await asyncio.open_connection(host, port, ssl=context, limit=MAX_HEAD)
    try:
        vhost = check.virtualhost or (f"[{host}]" if ":" in host else host)
        writer.write(f"{check.method} {check.path} HTTP/{check.http_version}\r\nHost: {vhost}\r\n"
                     "User-Agent: lvstui-health\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status, headers = await _read_head(reader)
        body = b"" if check.method == "HEAD" or status in (204, 304) else \
            await _read_body(reader, headers)
    except NotHttp as exc:
        return str(exc)
    finally:
        writer.close()
        await _closed(writer)
    return _judge(check, status, body)


def _judge(check: Check, status: int, body: bytes) -> str:
    if status != check.status and not (check.status == 0 and 200 <= status < 300):
        return f"HTTP {status}"
    if check.body:
        text = body.decode(errors="replace")
        pattern = body_pattern(check.body)
        if (pattern.search(text) is None) if pattern else check.body not in text:
            return "body mismatch"
    return ""


def body_pattern(body: str) -> re.Pattern | None:
    """``/regex/`` compiled; None for a plain substring. ValueError for a regex that is not."""
    if not (len(body) > 1 and body[0] == body[-1] == "/"):
        return None
    try:
        return _compiled(body[1:-1])
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"{body!r} is not a regular expression: {exc}") from None


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


async def _line(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\n")
    except asyncio.LimitOverrunError:
        raise NotHttp("not an HTTP answer (a line over 64 KiB)") from None
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            return exc.partial
        raise NotHttp("connection closed before the answer") from None


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    """The status and the headers (names in lower case), interim 1xx answers skipped."""
    while True:
        m = STATUS_LINE.match(await _line(reader))
        if not m:
            raise NotHttp("not an HTTP answer")
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = await _line(reader)
            if line in (b"\r\n", b"\n") or not line.endswith(b"\n"):
                break
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not name.strip():
                raise NotHttp("not an HTTP answer (a bad header line)")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        else:
            raise NotHttp(f"not an HTTP answer (over {MAX_HEADERS} headers)")
        status = int(m[3])
        if not 100 <= status < 200 or status == 101:
            return status, headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    """The body, as much of it as arrives (a page cut short is judged on what came)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    length = headers.get("content-length", "").split(",")[0].strip()
    if length.isascii() and length.isdigit():
        return await _read_up_to(reader, min(int(length[:12]), MAX_BODY))
    return await _read_up_to(reader, MAX_BODY)


async def _read_up_to(reader: asyncio.StreamReader, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = await reader.read(min(size - len(data), 65536))
        if not chunk:
            break
        data += chunk
    return bytes(data)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    data = bytearray()
    try:
        while len(data) < MAX_BODY:
            size_text = (await _line(reader)).split(b";")[0].strip()
            if not re.fullmatch(rb"[0-9a-fA-F]{1,8}", size_text):
                break                                # malformed: judge what came
            size = int(size_text, 16)
            chunk = await _read_up_to(reader, min(size, MAX_BODY - len(data)))
            data += chunk
            if size == 0 or len(chunk) < size:
                break
            await _line(reader)                      # the CRLF after the chunk
    except NotHttp:                                  # closed mid-body: judge what came
        pass
    return bytes(data)


async def _command(check: Check, host: str, port: int) -> str:
    argv = [a.replace("{host}", host).replace("{port}", str(port)) for a in check.command]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    try:
        code = await proc.wait()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    return "" if code == 0 else f"exit {code}"


async def _closed(writer) -> None:
    try:
        await writer.wait_closed()
    except (OSError, ssl.SSLError):
        pass


def describe(check: Check) -> str:
    """The check in one line, as the console and the state file show it."""
    target = f":{check.port}" if check.port else ""
    if check.kind in ("http", "https"):
        want = "any 2xx" if check.status == 0 else str(check.status)
        body = f", body {check.body!r}" if check.body else ""
        host = f", Host {check.virtualhost}" if check.virtualhost else ""
        return (f"{check.kind.upper()} {check.method} {check.path}{target} → {want}{body}{host}; "
                f"timeout {check.timeout:g} s")
    if check.kind == "command":
        return f"command {' '.join(check.command)}; timeout {check.timeout:g} s"
    if check.kind in ("on", "off"):
        return f"not checked (checktype {check.kind})"
    return f"TCP connect{target}; timeout {check.timeout:g} s"
