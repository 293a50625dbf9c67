#!/bin/bash
# Inside the ip_vs VM (see run-vm-streams.sh): streams.sh 'MARK[:PATH,...][@NETNS]' ...
# The tests marked `alone` first, then one pytest per MARK at once (collecting only PATHs when
# given: each collection imports every test module it finds, seconds under the emulated CPU),
# each writing NAME.log (and NAME.xml) to $LVSTUI_LOGS; every log printed at the end; the first
# failing stream's status. @NETNS: that stream runs in a network namespace of its own made for
# it (loopback up), so its tests have an IPVS table of their own: two streams of kernel tests
# that each clear "the" table (ipvsadm -C) cannot wipe each other's.
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

body() { echo "${1%@*}"; }
mark() { local b; b=$(body "$1"); echo "${b%%:*}"; }
paths() { local b; b=$(body "$1"); case $b in *:*) echo "${b#*:}" | tr ',' ' ';; *) echo tests;; esac; }
netns() { case $1 in *@*) echo "${1##*@}";; esac; }
name() { echo "$(mark "$1")${1//[!@]/}$(netns "$1")" | tr -c 'a-z0-9\n' '-'; }
stream() {      # stream NAME MARK NETNS PATH...: pytest on those tests, its output in NAME.log
    local name=$1 mark=$2 ns=$3 in=(); shift 3
    if [ -n "$ns" ]; then
        ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
        in=(ip netns exec "$ns")
    fi
    "${in[@]}" "$PY" -m pytest -m "$mark" -p no:cacheprovider -q -rs --junitxml "$LOGS/$name.xml" \
        "$@" > "$LOGS/$name.log" 2>&1
}
any="" everywhere=""
for spec; do any="$any${any:+ or }($(mark "$spec"))"; everywhere="$everywhere $(paths "$spec")"; done
# shellcheck disable=SC2086
stream alone "($any) and alone" "" $everywhere; rc=$?
[ $rc -eq 5 ] && rc=0                   # none of the chosen tiers has such a test
pids=()
for spec; do
    # shellcheck disable=SC2046
    stream "$(name "$spec")" "($(mark "$spec")) and not alone" "$(netns "$spec")" $(paths "$spec") &
    pids+=($!)
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
