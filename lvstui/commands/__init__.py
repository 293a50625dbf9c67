"""The command-line use cases beside the console: each parses nothing (lvstui.cli does) and
goes through the session or the adapters; the package sits on top with the UI."""

EXPORTER_LISTEN = "127.0.0.1:10199"   # Prometheus' 9100-9999 exporter range is all allocated


def stop_on_signals():
    """An event SIGTERM or SIGINT sets: a foreground command waits on it (installed before
    the command says it has started, so a stop right after that line is not lost)."""
    import signal
    import threading
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop
