#!/bin/bash
# The cluster tier: the seed's whole cluster (two heartbeat directors, IPVS DR, two real servers,
# a client) inside one throw-away VM with Debian's ip_vs kernel.
#   tests/vm/run-cluster-tests.sh [pytest args...]
# Exit status: pytest's, or 124/125 when the VM timed out or died (never a silent skip).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${LVSTUI_PYTHON:-$ROOT/.venv/bin/python}
[ $# -gt 0 ] || set -- tests/cluster
ARGS=$(printf ' %q' "$@")
exec env KL_TIMEOUT="${KL_TIMEOUT:-900}" KL_MEM="${KL_MEM:-2G}" "$ROOT/tests/vm/run-in-vm.sh" "
set -e
modprobe -a ip_vs ip_vs_wlc veth bridge
cd $(printf %q "$ROOT")
exec $(printf %q "$PY") -m pytest -m cluster -p no:cacheprovider -q -rs$ARGS 2>&1"
