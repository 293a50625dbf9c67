"""A real server's web server for the cluster bed: HTTP/1.1 with keep-alive, one page that names
the server (``RS1``), so a client can tell who answered, and long-lived connections can ask
again and again on one connection.

    python3 web.py PAGE [PORT]
"""

from __future__ import annotations

import asyncio
import sys


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, page: bytes) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            close = b"connection: close" in head.lower()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                         b"Connection: %s\r\n\r\n%s" % (len(page), b"close" if close else
                                                        b"keep-alive", page))
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(page: str, port: int) -> None:
    body = f"{page}\n".encode()
    server = await asyncio.start_server(lambda r, w: serve(r, w, body), "0.0.0.0", port,
                                        reuse_address=True, backlog=512)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 80))
