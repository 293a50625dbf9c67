#!/bin/bash
# Run the tests of one or more VM tiers inside ONE throw-away VM with Debian's ip_vs kernel
# (the kernel and pair tiers share a boot: see scripts/test.sh).
#   tests/vm/run-vm-tests.sh 'MARK EXPRESSION' [pytest args...]     e.g. 'kernel or pair'
# LVSTUI_REPORT=DIR: a JUnit XML report of the run written there (the directory is shared
# read-write with the VM). Exit status: pytest's, or 124/125 when the VM timed out or died
# (never a silent skip).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${LVSTUI_PYTHON:-$ROOT/.venv/bin/python}
MARK=$1; shift
# The guest's module autoloader cannot reach modprobe (PID 1 runs from the initramfs),
# so every module the tests use is loaded up front.
MODULES="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh
         ip_vs_sed ip_vs_nq ip_vs_mh ip_vs_fo ip_vs_ovf ip_vs_pe_sip veth dummy bridge"
[ $# -gt 0 ] || set -- tests
REPORT=()
if [ -n "${LVSTUI_REPORT:-}" ]; then
    mkdir -p "$LVSTUI_REPORT"
    LVSTUI_REPORT=$(cd "$LVSTUI_REPORT" && pwd)
    REPORT=(--junitxml "$LVSTUI_REPORT/$(echo "$MARK" | tr -c 'a-z\n' '-').xml")
    export KL_RW="${KL_RW:-} $LVSTUI_REPORT"
fi
ARGS=$(printf ' %q' "${REPORT[@]}" "$@")
exec env KL_TIMEOUT="${KL_TIMEOUT:-2400}" KL_MEM="${KL_MEM:-2G}" "$ROOT/tests/vm/run-in-vm.sh" "
set -e
modprobe -a $(echo $MODULES)
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
cd $(printf %q "$ROOT")
export LVSTUI_VM=1
exec $(printf %q "$PY") -m pytest -m $(printf %q "$MARK") -p no:cacheprovider -q -rs$ARGS 2>&1"
