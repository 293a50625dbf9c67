"""Hypothesis profiles: ``ci`` (the default, a bounded run in every test run) and ``long``
(bench/fuzz.py sets it through LVSTUI_FUZZ_EXAMPLES)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=int(os.environ.get("LVSTUI_FUZZ_EXAMPLES", 300)),
                          deadline=None, derandomize="LVSTUI_FUZZ_EXAMPLES" not in os.environ,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")
