"""Real-server health checks: the check types, the engine that acts on the IPVS table."""
