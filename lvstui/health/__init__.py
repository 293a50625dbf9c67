"""Real-server health checks: the engine, its config, the monitor and its published state."""

CONFIG_PATH = "/etc/lvstui/health.toml"
STATE_PATH = "/run/lvstui/health.json"
