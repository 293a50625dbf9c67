"""``lvstui monitor`` as the operator runs it: a process, real HTTP backends, SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys

from lvstui.health.state import read_state

from .test_health import Backend


async def until(predicate, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_monitor_publishes_state_logs_reasons_and_stops_on_sigterm(tmp_path):
    a, b = [await Backend().start() for _ in range(2)]
    config = tmp_path / "health.toml"
    config.write_text(f"""
[[service]]
virtual = "tcp 10.0.0.1:80"
check = "http"
body = "hello"
interval = 0.2
timeout = 0.5
fall = 2
rise = 1
  [[service.real]]
  address = "127.0.0.1:{a.port}"
  forwarding = "masq"
  weight = 3
  [[service.real]]
  address = "127.0.0.1:{b.port}"
  forwarding = "masq"
""")
    state, audit = tmp_path / "run" / "health.json", tmp_path / "audit.log"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lvstui.cli", "--audit-log", str(audit), "monitor", "--backend",
        "memory", "--config", str(config), "--state", str(state),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    svc = (4, "tcp", "10.0.0.1", 80, 0)

    def health(backend):
        assert proc.returncode is None, "the monitor died"
        current = read_state(str(state))
        return current and current.servers.get((svc, ("127.0.0.1", backend.port)))

    try:
        await until(lambda: health(a) and health(a).up and health(b) and health(b).up)
        assert read_state(str(state)).running
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lvstui.cli", "monitor", "--backend", "memory", "--config",
            str(config), "--state", str(state), stderr=asyncio.subprocess.PIPE)
        assert await second.wait() == 1                     # two monitors would fight
        assert b"another lvstui monitor is running" in await second.stderr.read()
        b.status = 503
        await until(lambda: not health(b).up)
        assert (health(b).result, health(b).last_failure, health(b).weight) == \
            ("HTTP 503", "HTTP 503", 1)
        b.status = 200
        await until(lambda: health(b).up)
        assert health(b).last_failure == "HTTP 503" and 0 < health(b).latency
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 10)
        for backend in (a, b):
            await backend.stop()
    assert proc.returncode == 0, err.decode()
    log = out.decode()
    assert f"127.0.0.1:{b.port}: down (HTTP 503): quiesced (weight 0, was 1)" in log
    assert f"127.0.0.1:{b.port}: up: weight 1" in log and log.rstrip().endswith("stopped")
    assert not read_state(str(state)).running                 # published on the way out
    commands = audit.read_text()
    assert "via=monitor" in commands and "via=console" not in commands
    assert "result=ok ipvsadm -A -t 10.0.0.1:80 -s wlc" in commands
    assert f"result=ok ipvsadm -e -t 10.0.0.1:80 -r 127.0.0.1:{b.port} -m -w 0" in commands


def test_monitor_refuses_a_bad_config(tmp_path):
    import subprocess
    config = tmp_path / "ldirectord.cf"
    config.write_text("virtual=10.0.0.1:80\n\treal=10.0.0.2:80 bridge\n")
    done = subprocess.run([sys.executable, "-m", "lvstui.cli", "monitor", "--backend", "memory",
                           "--ldirectord", str(config), "--state", str(tmp_path / "s.json")],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert f"{config}:2: error: unknown forwarding 'bridge'" in done.stderr
    assert not (tmp_path / "s.json").exists()
