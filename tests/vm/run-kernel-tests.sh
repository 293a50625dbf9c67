#!/bin/bash
# Run the kernel-marked tests inside one throw-away VM with Debian's ip_vs kernel.
#   tests/vm/run-kernel-tests.sh [pytest args...]
# Exit status: pytest's, or 124/125 when the VM timed out or died (never a silent skip).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${LVSTUI_PYTHON:-$ROOT/.venv/bin/python}
MODULES="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh
         ip_vs_sed ip_vs_nq ip_vs_mh ip_vs_fo ip_vs_ovf ip_vs_pe_sip veth dummy"
[ $# -gt 0 ] || set -- tests
ARGS=$(printf ' %q' "$@")
# The guest's module autoloader cannot reach modprobe (PID 1 runs from the initramfs),
# so every module the tests use is loaded up front.
exec env KL_TIMEOUT="${KL_TIMEOUT:-1500}" KL_MEM="${KL_MEM:-2G}" "$ROOT/tests/vm/run-in-vm.sh" "
set -e
modprobe -a $(echo $MODULES)
cd $(printf %q "$ROOT")
exec $(printf %q "$PY") -m pytest -m kernel -p no:cacheprovider -q -rs$ARGS"
