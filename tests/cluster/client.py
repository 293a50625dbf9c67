"""The client that watches a failover as users feel it: a new connection every 50 ms (GET /
with Connection: close, 2 s to answer), and a few long-lived connections that ask again and
again on one keep-alive connection. Runs until SIGTERM (or --seconds), then prints one JSON
object: requests, failed, the longest gap between two answered requests, the pages seen, and
how many long-lived connections broke (reset, closed, or no answer within --patience seconds:
TCP's own retransmissions carry a connection across a failover that takes that long).
It prints "started PORT..." (the long-lived connections' own ports) once each has had its first
answer.

    python3 client.py VIP [--long 4] [--every 0.05] [--seconds S] [--patience 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from collections import Counter

REQUEST = b"GET / HTTP/1.1\r\nHost: vip\r\n%s\r\n"


async def ask(reader, writer, close: bool) -> str:
    writer.write(REQUEST % (b"Connection: close\r\n" if close else b""))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    return (await reader.readexactly(length)).decode().strip()


class Watch:
    def __init__(self, vip: str, port: int):
        self.vip, self.port = vip, port
        self.requests = self.failed = 0
        self.answered: list[float] = []
        self.pages: Counter = Counter()
        self.broken: list[str] = []

    async def one_request(self) -> None:
        self.requests += 1
        try:
            async with asyncio.timeout(2.0):
                reader, writer = await asyncio.open_connection(self.vip, self.port)
                try:
                    page = await ask(reader, writer, close=True)
                finally:
                    writer.close()
            self.pages[page] += 1
            self.answered.append(time.monotonic())
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, StopIteration):
            self.failed += 1

    async def long_lived(self, n: int, stop: asyncio.Event, patience: float,
                         ready: asyncio.Future) -> None:
        try:
            reader, writer = await asyncio.open_connection(self.vip, self.port)
        except OSError as exc:
            self.broken.append(f"#{n}: could not connect: {exc}")
            ready.set_result(0)
            return
        try:
            while not stop.is_set():
                async with asyncio.timeout(patience):
                    await ask(reader, writer, close=False)
                if not ready.done():
                    ready.set_result(writer.get_extra_info("sockname")[1])
                await asyncio.sleep(0.1)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            self.broken.append(f"#{n}: {type(exc).__name__} {exc}")
        finally:
            writer.close()
            if not ready.done():
                ready.set_result(0)

    def longest_gap(self, start: float, end: float) -> float:
        times = [start, *self.answered, end]
        return max(b - a for a, b in zip(times, times[1:]))


async def main(args) -> None:
    watch = Watch(args.vip, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    if args.seconds:
        loop.call_later(args.seconds, stop.set)
    start = time.monotonic()
    ready = [loop.create_future() for _ in range(args.long)]
    long_ones = [asyncio.create_task(watch.long_lived(n, stop, args.patience, ready[n]))
                 for n in range(args.long)]
    ports = await asyncio.gather(*ready)
    print("started", *ports, flush=True)
    pending = set()
    while not stop.is_set():
        task = asyncio.create_task(watch.one_request())
        pending.add(task)
        task.add_done_callback(pending.discard)
        try:
            await asyncio.wait_for(stop.wait(), args.every)
        except TimeoutError:
            pass
    end = time.monotonic()
    await asyncio.gather(*pending, *long_ones, return_exceptions=True)
    print(json.dumps({"requests": watch.requests, "failed": watch.failed,
                      "longest_gap": round(watch.longest_gap(start, end), 2),
                      "pages": dict(watch.pages), "long": args.long,
                      "broken": len(watch.broken), "why": watch.broken}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("vip")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--long", type=int, default=4)
    parser.add_argument("--every", type=float, default=0.05)
    parser.add_argument("--seconds", type=float, default=0)
    parser.add_argument("--patience", type=float, default=30.0)
    asyncio.run(main(parser.parse_args()))
