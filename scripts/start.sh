#!/bin/bash
# Install lvstui and start it: on the kernel's IPVS table, or on the simulated reference
# cluster (--demo) where this kernel has no IPVS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
if [ ! -e /proc/net/ip_vs ] && ! modprobe ip_vs 2>/dev/null && [[ " $* " != *" --demo "* ]]; then
    echo "lvstui: this kernel has no IPVS; starting on the simulated cluster (--demo)" >&2
    set -- --demo "$@"
fi
exec .venv/bin/lvstui "$@"
