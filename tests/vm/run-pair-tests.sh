#!/bin/bash
# The pair tier: two directors as network namespaces in one throw-away VM with Debian's ip_vs
# kernel, the peer reached over real OpenSSH.
#   tests/vm/run-pair-tests.sh [pytest args...]
# Exit status: pytest's, or 124/125 when the VM timed out or died (never a silent skip).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${LVSTUI_PYTHON:-$ROOT/.venv/bin/python}
[ $# -gt 0 ] || set -- tests/pair
ARGS=$(printf ' %q' "$@")
exec env KL_TIMEOUT="${KL_TIMEOUT:-900}" KL_MEM="${KL_MEM:-2G}" "$ROOT/tests/vm/run-in-vm.sh" "
set -e
modprobe -a ip_vs ip_vs_wlc ip_vs_rr veth bridge
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
cd $(printf %q "$ROOT")
export LVSTUI_VM=1
exec $(printf %q "$PY") -m pytest -m pair -p no:cacheprovider -q -rs$ARGS 2>&1"
