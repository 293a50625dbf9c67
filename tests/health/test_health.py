"""Health checks against real servers on loopback, acting on the memory table."""

from __future__ import annotations

import asyncio
import sys

import pytest

from lvstui.health.checks import Check, run_check
from lvstui.health.engine import Monitor, Policy
from lvstui.ipvs.memory import MemoryBackend
from lvstui.model import Forwarding, RealServer, parse_service


class Backend:
    """A real HTTP server on 127.0.0.1 whose answers the test sets."""

    def __init__(self):
        self.status, self.body, self.delay = 200, "hello from backend", 0.0
        self.server = None
        self.port = 0

    async def start(self, port: int = 0):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", port or self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader, writer):
        """One answer; a TCP check's connect-and-close ends it quietly (a task's exception
        left unretrieved is logged when the task is collected, and Python 3.11.2's traceback,
        which parses source for its carets, can then break an ``ast.parse`` it interrupted:
        "AST constructor recursion depth mismatch")."""
        try:
            await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        await asyncio.sleep(self.delay)
        body = self.body.encode()
        writer.write(b"HTTP/1.0 %d X\r\nContent-Length: %d\r\n\r\n%s" % (self.status, len(body), body))
        await writer.drain()
        writer.close()


@pytest.fixture
async def web():
    servers = [await Backend().start() for _ in range(2)]
    yield servers
    for s in servers:
        if s.server.is_serving():
            await s.stop()


async def test_check_types_and_reasons(web, tmp_path):
    b = web[0]
    http = Check("http", path="/", body="hello")
    assert (await run_check(Check("tcp"), "127.0.0.1", b.port)).up
    assert (await run_check(http, "127.0.0.1", b.port)).up
    assert (await run_check(Check("http", body="/hel+o from/"), "127.0.0.1", b.port)).up
    assert (await run_check(Check("http", body="goodbye"), "127.0.0.1", b.port)).reason == \
        "body mismatch"
    b.status = 503
    assert (await run_check(http, "127.0.0.1", b.port)).reason == "HTTP 503"
    b.status, b.delay = 200, 2
    slow = await run_check(Check("http", timeout=0.3), "127.0.0.1", b.port)
    assert not slow.up and slow.reason.startswith("timeout")   # the 200 comes after 2 s
    await b.stop()
    assert (await run_check(Check("tcp"), "127.0.0.1", b.port)).reason == "refused"
    ok = Check("command", command=(sys.executable, "-c", "import sys; sys.exit({port} != 1)"))
    assert (await run_check(ok, "127.0.0.1", 1)).up
    assert (await run_check(ok, "127.0.0.1", 2)).reason == "exit 1"
    hang = Check("command", timeout=0.3, command=("sleep", "5"))
    assert (await run_check(hang, "127.0.0.1", 1)).reason.startswith("timeout")


def table_with(web, weights=(3, 1)):
    table = MemoryBackend()
    svc = parse_service("10.0.0.1:80")
    table.add_service(svc)
    for b, w in zip(web, weights):
        table.add_server(svc, RealServer("127.0.0.1", b.port, Forwarding.MASQ, weight=w))
    return table, svc


def weights(table, svc):
    return sorted((rs.port, rs.weight) for rs in table.find_service(svc).servers)


async def rounds(monitor, svc, policy, n):
    for _ in range(n):
        await monitor.round(svc, policy)


async def test_fall_quiesces_and_rise_restores(web):
    table, svc = table_with(web)
    log = []
    policy = Policy(Check("http", timeout=0.5), fall=2, rise=2)
    monitor = Monitor(table, [(svc, policy)], log.append)
    a, b = web
    a.status = 500
    await rounds(monitor, svc, policy, 1)
    assert weights(table, svc) == sorted([(a.port, 3), (b.port, 1)])     # one failure: not yet
    await rounds(monitor, svc, policy, 1)
    assert weights(table, svc) == sorted([(a.port, 0), (b.port, 1)])
    assert any("down (HTTP 500): quiesced (weight 0, was 3)" in x for x in log)
    a.status = 200
    await rounds(monitor, svc, policy, 1)
    assert dict(weights(table, svc))[a.port] == 0                          # one success: not yet
    await rounds(monitor, svc, policy, 1)
    assert dict(weights(table, svc))[a.port] == 3


async def test_remove_then_add_back_with_the_same_entry(web):
    table, svc = table_with(web)
    policy = Policy(Check("tcp", timeout=0.5), fall=1, rise=1, action="remove")
    monitor = Monitor(table, [(svc, policy)], lambda m: None)
    a, b = web
    await a.stop()
    await rounds(monitor, svc, policy, 1)
    assert weights(table, svc) == [(b.port, 1)]
    await a.start(a.port)
    await rounds(monitor, svc, policy, 1)
    assert weights(table, svc) == sorted([(a.port, 3), (b.port, 1)])
    rs = table.find_server(svc, "127.0.0.1", a.port)
    assert rs.forwarding is Forwarding.MASQ


async def test_slow_start_ramps_the_weight(web):
    table, svc = table_with(web, weights=(8, 1))
    policy = Policy(Check("tcp"), fall=1, rise=1, slow_start=3)
    monitor = Monitor(table, [(svc, policy)], lambda m: None)
    a = web[0]
    await a.stop()
    await rounds(monitor, svc, policy, 1)
    await a.start(a.port)
    seen = []
    for _ in range(5):
        await rounds(monitor, svc, policy, 1)
        seen.append(dict(weights(table, svc))[a.port])
    assert seen == [2, 4, 6, 8, 8]


async def test_fallback_comes_when_all_are_down_and_goes_when_one_is_back(web):
    table, svc = table_with(web)
    sorry = RealServer("127.0.0.9", 8080, Forwarding.MASQ)
    policy = Policy(Check("tcp", timeout=0.5), fall=1, rise=1, fallback=sorry)
    monitor = Monitor(table, [(svc, policy)], lambda m: None)
    a, b = web
    await a.stop()
    await b.stop()
    await rounds(monitor, svc, policy, 1)
    assert (8080, 1) in weights(table, svc)
    await b.start(b.port)
    await rounds(monitor, svc, policy, 1)
    assert (8080, 1) not in weights(table, svc) and dict(weights(table, svc))[b.port] == 1


async def test_guard_keeps_the_last_healthy_server(web):
    table, svc = table_with(web)
    log = []
    policy = Policy(Check("tcp", timeout=0.5), fall=1, rise=1, keep_healthy=1)
    monitor = Monitor(table, [(svc, policy)], log.append)
    a, b = web
    await a.stop()
    await rounds(monitor, svc, policy, 1)
    assert dict(weights(table, svc))[a.port] == 0
    await b.stop()
    await rounds(monitor, svc, policy, 1)
    assert dict(weights(table, svc))[b.port] == 1                   # the last one stays in
    assert any("KEPT IN by the depool limit" in x and "answer nobody" in x for x in log)


async def test_by_default_the_last_server_stays_in_unless_a_fallback_serves(web):
    """PyBal's answer to a check failing everywhere: the monitor never black-holes the VIP by
    itself; with a fallback (sorry) server the config has its own answer."""
    for fallback, kept in ((None, 1), (RealServer("127.0.0.9", 8080, Forwarding.MASQ), 0)):
        table, svc = table_with(web)
        policy = Policy(Check("tcp", timeout=0.5), fall=1, rise=1, fallback=fallback)
        monitor = Monitor(table, [(svc, policy)], lambda m: None)
        for server in web:
            await server.stop()
        await rounds(monitor, svc, policy, 1)
        live = [port for port, weight in weights(table, svc) if weight and port != 8080]
        assert len(live) == kept, (fallback, weights(table, svc))
        for server in web:
            await server.start(server.port)


def test_the_depool_threshold_keeps_a_share_of_the_servers():
    policy = Policy(depool_threshold=0.5, keep_healthy=0)
    assert [policy.keep(n) for n in (1, 2, 3, 4, 10)] == [1, 1, 2, 2, 5]
    assert Policy().keep(4) == 1 and Policy(keep_healthy=3).keep(4) == 3


async def test_maintenance_is_respected(web):
    table, svc = table_with(web)
    log = []
    policy = Policy(Check("tcp", timeout=0.5), fall=1, rise=1)
    monitor = Monitor(table, [(svc, policy)], log.append)
    a = web[0]
    table.set_weight(svc, "127.0.0.1", a.port, 0)          # the operator drains it
    await rounds(monitor, svc, policy, 3)
    assert dict(weights(table, svc))[a.port] == 0
    assert any("drained by the operator" in x for x in log)
    await a.stop()
    await rounds(monitor, svc, policy, 1)
    await a.start(a.port)
    await rounds(monitor, svc, policy, 2)
    assert dict(weights(table, svc))[a.port] == 0            # not restored by the monitor
    table.set_weight(svc, "127.0.0.1", a.port, 5)          # the operator restores it
    await rounds(monitor, svc, policy, 1)
    assert any("back from maintenance, weight 5" in x for x in log)
    await a.stop()
    await rounds(monitor, svc, policy, 1)
    assert dict(weights(table, svc))[a.port] == 0
    await a.start(a.port)
    await rounds(monitor, svc, policy, 1)
    assert dict(weights(table, svc))[a.port] == 5


async def test_owned_servers_are_added_once_their_first_check_speaks(web):
    table = MemoryBackend()
    svc = parse_service("10.0.0.1:80")
    a, b = web
    await b.stop()
    svc.servers = [RealServer("127.0.0.1", a.port, Forwarding.MASQ, weight=3),
                   RealServer("127.0.0.1", b.port, Forwarding.MASQ, weight=2)]
    log = []
    policy = Policy(Check("tcp", timeout=0.5), fall=2, rise=2)
    monitor = Monitor(table, [(svc, policy)], log.append)
    monitor.prepare()
    assert table.find_service(svc).servers == []              # the service, no server yet
    await rounds(monitor, svc, policy, 1)
    assert weights(table, svc) == sorted([(a.port, 3), (b.port, 0)])
    assert any("down (refused): added quiesced (weight 0)" in x for x in log)
    await b.start(b.port)
    await rounds(monitor, svc, policy, 2)
    assert weights(table, svc) == sorted([(a.port, 3), (b.port, 2)])


async def test_weight_zero_at_start_is_maintenance_unless_we_quiesced_it(web):
    table, svc = table_with(web)
    a, b = web
    table.set_weight(svc, "127.0.0.1", a.port, 0)
    table.set_weight(svc, "127.0.0.1", b.port, 0)
    policy = Policy(Check("tcp", timeout=0.5), fall=1, rise=1)
    monitor = Monitor(table, [(svc, policy)], lambda m: None)
    monitor.prepare(quiesced_before={(svc.key, ("127.0.0.1", b.port))})
    await rounds(monitor, svc, policy, 1)
    assert weights(table, svc) == sorted([(a.port, 0), (b.port, 1)])


async def test_a_server_on_its_own_longer_interval_is_checked_less_often(web):
    table, svc = table_with(web)
    a, b = web
    slow = Policy(Check("tcp"), interval=60)
    policy = Policy(Check("tcp"), interval=0.01, overrides={("127.0.0.1", b.port): slow})
    monitor = Monitor(table, [(svc, policy)], lambda m: None)
    await rounds(monitor, svc, policy, 3)
    health = monitor.health[svc.key]
    assert health[("127.0.0.1", a.port)].passes == 3 and health[("127.0.0.1", b.port)].passes == 1
