#!/bin/bash
# Inside the ip_vs VM (see run-vm-streams.sh): streams.sh 'MARK' ['MARK' ...]
# The tests marked `alone` first, then one pytest per MARK at once, each writing NAME.log (and
# NAME.xml) to $LVSTUI_LOGS; every log printed at the end; the first failing stream's status.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${LVSTUI_PYTHON:-$ROOT/.venv/bin/python}
LOGS=${LVSTUI_LOGS:-}
[ -n "$LOGS" ] || LOGS=$(mktemp -d)
# The guest's module autoloader cannot reach modprobe (PID 1 runs from the initramfs),
# so every module the tests use is loaded up front.
modprobe -a ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh \
    ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_mh ip_vs_fo ip_vs_ovf ip_vs_pe_sip veth dummy bridge || exit 1
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
export LVSTUI_VM=1

name() { echo "$1" | tr -c 'a-z\n' '-'; }
stream() {      # stream NAME MARK: pytest on those tests, its output in NAME.log
    "$PY" -m pytest -m "$2" -p no:cacheprovider -q -rs --junitxml "$LOGS/$1.xml" tests \
        > "$LOGS/$1.log" 2>&1
}
any=$(printf '(%s) or ' "$@"); any=${any% or }
stream alone "($any) and alone"; rc=$?
[ $rc -eq 5 ] && rc=0                   # none of the chosen tiers has such a test
pids=()
for mark; do
    stream "$(name "$mark")" "($mark) and not alone" & pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid"; r=$?
    [ $rc -ne 0 ] || rc=$r
done
for mark in alone "$@"; do
    log="$LOGS/$(name "$mark").log"
    [ -s "$log" ] && { echo "--- $(name "$mark") tests"; cat "$log"; }
done
exit $rc
