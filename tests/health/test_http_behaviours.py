"""The HTTP check against real server behaviours on loopback (tests/health/behaviours.py):
every healthy way of answering is up, every broken one is down with its reason. The same
servers are judged by Debian's ldirectord in the VM (tests/kernel/test_http_referee.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lvstui.health.checks import Check, run_check
from tests.health import behaviours as b
from tests.helpers import free_port

CHECK = Check("http", timeout=b.TIMEOUT, status=0, body=b.EXPECT)
REASONS = {"too_slow": f"timeout after {b.TIMEOUT:g} s", "unavailable": "HTTP 503",
           "wrong_body": "body mismatch", "accepts_never_answers": f"timeout after {b.TIMEOUT:g} s",
           "not_http": "not an HTTP answer"}


@pytest.fixture
async def servers():
    return await b.serve_all("127.0.0.1", 0)


@pytest.mark.parametrize("version", ["1.0", "1.1"])
async def test_every_healthy_server_is_up_and_every_broken_one_down(servers, version):
    check = Check(**{**CHECK.__dict__, "http_version": version})
    verdicts = {name: await run_check(check, "127.0.0.1", port) for name, port in servers.items()}
    assert {n for n, r in verdicts.items() if r.up} == set(b.UP_NAMES), verdicts
    assert {n: verdicts[n].reason for n in REASONS} == REASONS
    # keep_alive_with_length and chunked hold the connection open for 3 timeouts after the
    # body: up means the check read to the body's end, not to the close (that is a timeout)


async def test_a_regex_and_head_are_judged_on_the_whole_answer(servers):
    port = servers["text_split_across_segments"]
    assert (await run_check(Check("http", body="/service is heal+thy/"), "127.0.0.1", port)).up
    assert (await run_check(Check("http", body="/^nothing$/"), "127.0.0.1", port)).reason == \
        "body mismatch"
    assert (await run_check(Check("http", method="HEAD"), "127.0.0.1",
                            servers["python_http_server"])).up


async def test_a_page_past_the_cap_is_judged_on_its_first_bytes(monkeypatch, servers):
    monkeypatch.setattr("lvstui.health.checks.MAX_BODY", 256 * 1024)
    result = await run_check(CHECK, "127.0.0.1", servers["large_page"])
    assert result.reason == "body mismatch"          # the text lies past the first 256 KiB



def test_monitor_once_prints_one_verdict_per_server_and_leaves_the_table(tmp_path):
    base = free_port() + 1000
    proc = subprocess.Popen([sys.executable, b.__file__, "127.0.0.1", str(base)],
                            stdout=subprocess.PIPE, text=True)
    try:
        ports = dict(kv.split("=") for kv in proc.stdout.readline().split())
        reals = "\n".join(f"\treal=127.0.0.1:{port} masq 1" for port in ports.values())
        cf = tmp_path / "ldirectord.cf"
        cf.write_text(f"negotiatetimeout={b.TIMEOUT:g}\nvirtual=10.0.0.1:80\n{reals}\n"
                      f"\tservice=http\n\tchecktype=negotiate\n\treceive=\"{b.EXPECT}\"\n")
        run = subprocess.run([sys.executable, "-m", "lvstui.cli", "--audit-log",
                              str(tmp_path / "audit.log"), "monitor", "--once", "--ldirectord",
                              str(cf)], capture_output=True, text=True, timeout=60)
    finally:
        proc.kill()
        proc.wait()
    lines = run.stdout.splitlines()
    assert run.returncode == 1, run
    by_port = {line.split()[1].rsplit(":", 1)[1]: line.split() for line in lines}
    for name, port in ports.items():
        service, server, verdict, *reason, latency = by_port[port]
        assert (service, server) == ("TCP/10.0.0.1:80", f"127.0.0.1:{port}")
        assert verdict == ("up" if name in b.UP_NAMES else "down"), (name, lines)
        assert latency.endswith("ms") and latency[:-2].isdigit()
        assert " ".join(reason) == REASONS.get(name, "ok")
    assert not (tmp_path / "audit.log").exists()       # nothing changed, nothing recorded


def test_monitor_once_exit_codes(tmp_path):
    cf = tmp_path / "health.toml"
    cf.write_text('[[service]]\nvirtual = "tcp 10.0.0.1:80"\ncheck = "on"\n'
                  '[[service.real]]\naddress = "127.0.0.1:80"\n')
    once = [sys.executable, "-m", "lvstui.cli", "monitor", "--once", "--config", str(cf)]
    ok = subprocess.run(once, capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, "TCP/10.0.0.1:80 127.0.0.1:80 up checktype on 0ms\n")
    cf.write_text(cf.read_text().replace('check = "on"', 'check = "off"'))
    down = subprocess.run(once, capture_output=True, text=True)
    assert down.returncode == 1 and down.stdout.split()[2] == "down"
    assert down.stderr == ("TCP/10.0.0.1:80: no real server is up: its VIP would answer "
                           "nobody\n")                 # the service black-holed is named
    cf.write_text('[[service]]\nvirtual = "tcp 10.0.0.1:80"\ncheck = "bogus"\n')
    bad = subprocess.run(once, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown check 'bogus'" in bad.stderr
