"""Real HTTP server behaviours on one address, one port each, for judging HTTP checks.

Each behaviour is how some real server answers ``GET /`` (how it writes its headers and
body, when it closes); ``EXPECT`` is the text a check looks for and ``TIMEOUT`` the check's
timeout (``LVSTUI_CHECK_TIMEOUT``, 3 s by default: the slow behaviours scale with it). ``UP`` and ``DOWN`` name what a correct checker must say of each. Used by the host
tests (lvstui's checks against them) and, run as a script, inside the VM where Debian's
ldirectord judges the same servers:

    python3 tests/health/behaviours.py ADDRESS FIRST_PORT     # serves until killed
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import os
import sys
import tempfile
import threading

EXPECT = "service is healthy"
TIMEOUT = float(os.environ.get("LVSTUI_CHECK_TIMEOUT", "3"))   # the VM's referee sets a longer one
PAGE = f"<html><body>{EXPECT}</body></html>\n".encode()
BIG = b"x" * (512 * 1024) + PAGE              # the text near the end of a 512 KiB page


def head(status: str = "200 OK", length: int | None = None, version: str = "1.0",
         extra: str = "") -> bytes:
    cl = f"Content-Length: {length}\r\n" if length is not None else ""
    return f"HTTP/{version} {status}\r\nContent-Type: text/html\r\n{cl}{extra}\r\n".encode()


async def one_write(w):
    w.write(head(length=len(PAGE)) + PAGE)


async def headers_then_body(w):
    w.write(head(length=len(PAGE)))
    await w.drain()
    await asyncio.sleep(0.3)
    w.write(PAGE)


async def text_split_across_segments(w):
    w.write(head(length=len(PAGE)) + PAGE[:20])
    await w.drain()
    await asyncio.sleep(0.3)
    w.write(PAGE[20:])


async def keep_alive_with_length(w):
    w.write(head(length=len(PAGE), version="1.1", extra="Connection: keep-alive\r\n") + PAGE)
    await w.drain()
    await asyncio.sleep(3 * TIMEOUT)            # the connection stays open after the body


async def body_ends_at_close(w):
    w.write(head())
    await w.drain()
    await asyncio.sleep(0.2)
    w.write(PAGE)


async def large_page(w):
    w.write(head(length=len(BIG)))
    for i in range(0, len(BIG), 65536):
        w.write(BIG[i:i + 65536])
        await w.drain()


async def slow_but_in_time(w):
    w.write(head(length=len(PAGE)))
    for i in range(0, len(PAGE), 8):
        await w.drain()
        await asyncio.sleep(TIMEOUT / 2 / (len(PAGE) / 8))
        w.write(PAGE[i:i + 8])


async def chunked(w):
    w.write(head(version="1.1", extra="Transfer-Encoding: chunked\r\n"))
    for part in (PAGE[:25], PAGE[25:]):
        await w.drain()
        await asyncio.sleep(0.1)
        w.write(b"%x\r\n%s\r\n" % (len(part), part))
    w.write(b"0\r\n\r\n")
    await asyncio.sleep(3 * TIMEOUT)


async def too_slow(w):
    await asyncio.sleep(2 * TIMEOUT)
    w.write(head(length=len(PAGE)) + PAGE)


async def unavailable(w):
    body = b"<html>maintenance</html>\n"
    w.write(head("503 Service Unavailable", len(body)) + body)


async def wrong_body(w):
    body = b"<html>It works!</html>\n"
    w.write(head(length=len(body)) + body)


async def accepts_never_answers(w):
    await asyncio.sleep(3 * TIMEOUT)


async def not_http(w):
    w.write(b"SSH-2.0-OpenSSH_9.2p1\r\n")


UP = [one_write, headers_then_body, text_split_across_segments, keep_alive_with_length,
      body_ends_at_close, large_page, slow_but_in_time, chunked]
DOWN = [too_slow, unavailable, wrong_body, accepts_never_answers, not_http]
RAW = UP + DOWN
NAMES = [b.__name__ for b in RAW] + ["python_http_server"]   # the last: Python's http.server
UP_NAMES = [b.__name__ for b in UP] + ["python_http_server"]


async def serve_raw(behaviour, host: str, port: int) -> asyncio.base_events.Server:
    async def answer(reader, writer):
        try:
            await reader.readuntil(b"\r\n\r\n")
            await behaviour(writer)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


def serve_python_http_server(host: str, port: int) -> http.server.ThreadingHTTPServer:
    """Python's own http.server on a directory holding index.html (headers and body in
    separate writes: the server the seed's real servers run)."""
    root = tempfile.mkdtemp()
    with open(os.path.join(root, "index.html"), "wb") as fh:
        fh.write(PAGE)
    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,),
                 {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer((host, port), functools.partial(quiet, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def serve_all(host: str, first_port: int) -> dict[str, int]:
    """Every behaviour on its own port (first_port + index; 0: any free ports)."""
    ports = {}
    for i, behaviour in enumerate(RAW):
        server = await serve_raw(behaviour, host, first_port and first_port + i)
        ports[behaviour.__name__] = server.sockets[0].getsockname()[1]
    py = serve_python_http_server(host, first_port and first_port + len(RAW))
    ports["python_http_server"] = py.server_address[1]
    return ports


async def _main(host: str, first_port: int) -> None:
    ports = await serve_all(host, first_port)
    print(" ".join(f"{name}={port}" for name, port in ports.items()), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], int(sys.argv[2])))
