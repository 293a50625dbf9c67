#!/bin/bash
# Run several VM tiers in ONE throw-away ip_vs VM, side by side: one pytest per mark
# expression, all at once (tests/vm/streams.sh inside the guest). Each tier keeps to its own
# network namespaces, and most VM tests wait on daemons and networks rather than on the
# emulated CPU, so the tiers overlap their waits. Tests marked `alone` (they unload ip_vs,
# which every other namespace's table holds) run first, by themselves.
#   tests/vm/run-vm-streams.sh 'MARK[:PATH,...]' ...      e.g. kernel pair:tests/pair cluster
# (PATHs: where that tier's tests are, so its pytest collects only those.)
# LVSTUI_REPORT=DIR: each stream's JUnit report (NAME.xml) and output (NAME.log) there.
# Exit status: 0 when every stream passed, else the first failing stream's; 124/125 when the
# VM timed out or died (the streams' output so far is printed then).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || { echo "usage: $0 'MARK[:PATH,...]' ..." >&2; exit 2; }
LOGS=${LVSTUI_REPORT:-}
if [ -n "$LOGS" ]; then
    mkdir -p "$LOGS" && LOGS=$(cd "$LOGS" && pwd)
    export KL_RW="${KL_RW:-} $LOGS"
fi
ARGS=$(printf ' %q' "$@")
env KL_TIMEOUT="${KL_TIMEOUT:-2400}" KL_MEM="${KL_MEM:-3G}" "$ROOT/tests/vm/run-in-vm.sh" "
exec env LVSTUI_PYTHON=$(printf %q "${LVSTUI_PYTHON:-$ROOT/.venv/bin/python}") \
    LVSTUI_LOGS=$(printf %q "$LOGS") bash $(printf %q "$ROOT/tests/vm/streams.sh")$ARGS"
rc=$?
if [ $rc -ge 124 ] && [ -n "$LOGS" ]; then
    for log in "$LOGS"/*.log; do [ -f "$log" ] && { echo "--- ${log##*/} (so far)"; cat "$log"; }; done
fi
exit $rc
