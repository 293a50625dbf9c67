"""The Pilot tests' fixtures: a console over a memory table with its audit log in the test's
directory (``console``), and the demo's console (``demo``: simulated network and heartbeat, a
sandbox for the files)."""

from __future__ import annotations

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.session import Session
from lvstui.ui.app import LvsApp

from .apps import demo_app
from .wait import REFRESH


@pytest.fixture
def console(tmp_path):
    """``console(table=None, theme=None, refresh=REFRESH, **session)``: an LvsApp over *table*
    (the reference cluster by default)."""
    def make(table=None, theme=None, refresh=REFRESH, **session) -> LvsApp:
        session.setdefault("audit", AuditLog(str(tmp_path / "audit.log")))
        return LvsApp(Session(reference_cluster() if table is None else table, **session),
                      refresh=refresh, theme=theme)
    return make


@pytest.fixture
def demo(tmp_path):
    """``demo(table=None, refresh=REFRESH, **session)``: the demo's console."""
    return lambda table=None, refresh=REFRESH, **session: demo_app(tmp_path, table, refresh,
                                                                   **session)


