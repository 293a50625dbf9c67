"""The simulated cluster, for the demo and fast tests: the reference table with traffic, its
real servers' health checks, the director's network and the two directors' heartbeat. Only the
wiring (lvstui.cli, lvstui.console) imports it."""

from .checks import SimulatedChecks, demo_health
from .heartbeat import SimulatedHeartbeat
from .network import SimulatedNetwork
from .sandbox import Sandbox
from .table import REAL_SERVERS, VIP, Traffic, reference_cluster

__all__ = ["REAL_SERVERS", "VIP", "SimulatedChecks", "SimulatedHeartbeat", "SimulatedNetwork", "Sandbox",
           "Traffic", "demo_health", "reference_cluster"]
