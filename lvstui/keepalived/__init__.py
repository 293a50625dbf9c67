"""keepalived: its configuration file read and checked as keepalived 2.2.7 reads and checks it."""

CONF_PATH = "/etc/keepalived/keepalived.conf"
PID_FILE = "/run/keepalived.pid"
