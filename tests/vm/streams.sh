#!/bin/bash
# Inside the ip_vs VM (see run-vm-streams.sh): streams.sh 'MARK[:PATH,...]' ...
# The tests marked `alone` first, then one pytest per MARK at once (collecting only PATHs when
# given: each collection imports every test module it finds, seconds under the emulated CPU),
# each writing NAME.log (and NAME.xml) to $LVSTUI_LOGS; every log printed at the end; the first
# failing stream's status.
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

mark() { echo "${1%%:*}"; }
paths() { case $1 in *:*) echo "${1#*:}" | tr ',' ' ';; *) echo tests;; esac; }
name() { mark "$1" | tr -c 'a-z\n' '-'; }
stream() {      # stream NAME MARK PATH...: pytest on those tests, its output in NAME.log
    local name=$1 mark=$2; shift 2
    "$PY" -m pytest -m "$mark" -p no:cacheprovider -q -rs --junitxml "$LOGS/$name.xml" "$@" \
        > "$LOGS/$name.log" 2>&1
}
any="" everywhere=""
for spec; do any="$any${any:+ or }($(mark "$spec"))"; everywhere="$everywhere $(paths "$spec")"; done
# shellcheck disable=SC2086
stream alone "($any) and alone" $everywhere; rc=$?
[ $rc -eq 5 ] && rc=0                   # none of the chosen tiers has such a test
pids=()
for spec; do
    # shellcheck disable=SC2046
    stream "$(name "$spec")" "($(mark "$spec")) and not alone" $(paths "$spec") & pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid"; r=$?
    [ $rc -ne 0 ] || rc=$r
done
for spec in alone "$@"; do
    log="$LOGS/$(name "$spec").log"
    [ -s "$log" ] && { echo "--- $(name "$spec") tests"; cat "$log"; }
done
exit $rc
