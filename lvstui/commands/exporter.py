"""``lvstui exporter``: Prometheus metrics of this director over HTTP, read-only (every scrape
is one read of the table, the health state and the VIPs; no endpoint changes anything)."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client.utils import floatToGoString

from ..cases.metrics import Metrics
from ..ipvs.backend import gc_paused
from . import EXPORTER_LISTEN as DEFAULT_LISTEN, stop_on_signals


def parse_listen(text: str) -> tuple[str, int]:
    """``ADDR:PORT``, ``[V6]:PORT`` or ``:PORT`` (all addresses); ValueError with the reason."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r}: use ADDRESS:PORT, e.g. {DEFAULT_LISTEN}")
    return host.strip("[]") or "0.0.0.0", int(port)


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"   # Prometheus' text format


class Exposition:
    """*collector*'s families in Prometheus' text format, as prometheus-client's
    ``generate_latest`` writes them but each label dict escaped once (a real server's dict is
    shared by its fifteen series: escaping per sample was four fifths of a scrape of 10,000
    servers), and kept for the next scrape while the collector keeps the dict (only the ones the
    last scrape used are kept), and whole numbers written as integers."""

    def __init__(self, collector):
        self.collector = collector
        # the last scrape's label dicts by id -> (the dict, its text): holding the dict keeps
        # its id from being reused by another while its text is kept
        self.labelled: dict = {}

    @gc_paused                            # ~150,000 samples, none in a cycle
    def __call__(self) -> bytes:
        out: list[str] = []
        known, labelled = self.labelled, {}
        for metric in self.collector.collect():
            name, kind = metric.name, metric.type
            if kind == "counter":
                name += "_total"
            elif kind == "info":
                name, kind = name + "_info", "gauge"
            elif kind == "stateset":
                kind = "gauge"
            doc = metric.documentation.replace("\\", r"\\").replace("\n", r"\n")
            out.append(f"# HELP {name} {doc}\n# TYPE {name} {kind}\n")
            for sample in metric.samples:
                labels = sample.labels
                kept = labelled.get(id(labels))
                if kept is None:
                    kept = known.get(id(labels)) or (labels, _labels(labels))
                    labelled[id(labels)] = kept
                labels = kept[1]
                value = sample.value
                text = str(value) if type(value) is int else floatToGoString(value)
                out.append(f"{sample.name}{labels} {text}\n")
        self.labelled = labelled          # one assignment: a scrape beside reads either
        return "".join(out).encode()


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return "{" + pairs + "}"


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r'\"')


class _Handler(BaseHTTPRequestHandler):
    """GET /metrics (and /): one read, one exposition; anything else 404. Read-only."""

    exposition = None

    def do_GET(self):                                    # noqa: N802 (http.server's name)
        if self.path.split("?", 1)[0] not in ("/metrics", "/"):
            self.send_error(404, "only /metrics is served")
            return
        body = self.exposition()
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):                # noqa: A002 (http.server's name)
        pass                                             # a scrape every 15 s is no news


def start(session, listen: str, per_server: bool, manager: str):
    """The HTTP server of /metrics, serving from its own thread; ValueError or OSError with
    the reason it cannot."""
    host, port = parse_listen(listen)
    handler = type("MetricsHandler", (_Handler,),
                   {"exposition": Exposition(Metrics(session, per_server, manager))})
    server_class = type("Server", (ThreadingHTTPServer,), {
        "address_family": socket.AF_INET6 if ":" in host else socket.AF_INET,
        "daemon_threads": True})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot listen on {listen}: {exc.strerror}") from None
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
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
