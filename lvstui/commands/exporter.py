"""``lvstui exporter``: Prometheus metrics of this director over HTTP, read-only (every scrape
is one read of the table, the health state and the VIPs; no endpoint changes anything)."""

from __future__ import annotations

import contextlib
import sys

from ..cases.metrics import Metrics
from . import stop_on_signals

DEFAULT_LISTEN = "127.0.0.1:10199"   # Prometheus' 9100-9999 exporter range is all allocated


def parse_listen(text: str) -> tuple[str, int]:
    """``ADDR:PORT``, ``[V6]:PORT`` or ``:PORT`` (all addresses); ValueError with the reason."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r}: use ADDRESS:PORT, e.g. {DEFAULT_LISTEN}")
    return host.strip("[]") or "0.0.0.0", int(port)


def start(session, listen: str, per_server: bool, manager: str):
    """The HTTP server of /metrics, serving from its own thread; ValueError or OSError with
    the reason it cannot."""
    from prometheus_client import CollectorRegistry, start_http_server
    host, port = parse_listen(listen)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(Metrics(session, per_server, manager))
    try:
        server, _thread = start_http_server(port, host, registry)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot listen on {listen}: {exc.strerror}") from None
    return server


def serve(session, listen: str, per_server: bool, manager: str) -> int:
    """Serve /metrics until SIGTERM or SIGINT."""
    try:
        server = start(session, listen, per_server, manager)
    except (ValueError, OSError) as exc:
        print(f"lvstui: --listen {exc}" if isinstance(exc, ValueError) else
              f"lvstui: {exc.strerror}", file=sys.stderr)
        return 1
    stop = stop_on_signals()
    print(f"lvstui exporter: metrics on http://{listen}/metrics", file=sys.stderr, flush=True)
    stop.wait()
    server.shutdown()
    return 0


@contextlib.contextmanager
def beside(listen: str | None, session_of, manager: str):
    """``--metrics ADDR:PORT`` of a long-running command: /metrics served beside it, from a
    session over the same table (*session_of()*), for as long as it runs."""
    if not listen:
        yield
        return
    server = start(session_of(), listen, True, manager)
    print(f"lvstui: metrics on http://{listen}/metrics", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        server.shutdown()
