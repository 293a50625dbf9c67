#!/bin/bash
# Install what the tests need and run every tier: the host tests beside ONE ip_vs VM in which
# the kernel, pair and cluster tiers run side by side (tests/vm/run-vm-streams.sh). Measured on
# 2026-12-03 from fresh clones: 17 to 21 min in all (the kernel stream the long pole), against 24 min 48 s with the tiers one
# after the other. One VM running one tier shows about 105% of the 200% in top: its tests wait
# on daemons, timers and networks; three tiers in it keep both emulated CPUs busy. Two VMs at
# once were far slower (2026-12-02: each about twice as long, and the cluster tier failed on its
# peer link's 60 s): one VM, several tiers. No test asserts
# a time: each waits for its condition with a deadline scaled to the machine (tests/pace.py).
# Every tier is bounded (a test: pytest-timeout's 900 s; the host tier 40 min, each VM its
# KL_TIMEOUT), so a hang fails with its stacks well inside CI's 90 minutes instead of timing out.
# Ends with the time of each tier and the 20 slowest tests (scripts/test-times.py).
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp -d)
trap 'rm -rf "$report"' EXIT
timed() {        # timed NAME COMMAND...: run it, keep its wall seconds in $report/NAME.seconds
    local name=$1 start=$SECONDS rc; shift
    "$@"; rc=$?
    echo $((SECONDS - start)) > "$report/$name.seconds"
    return $rc
}
timed install scripts/install.sh --test || exit 1
timed build scripts/build.sh >/dev/null || exit 1   # the zipapp, man page and completion the tests run
(
    timed host timeout -k 30 2400 .venv/bin/python -m pytest -q -p no:cacheprovider --junitxml "$report/host.xml" \
        > "$report/host.log" 2>&1
    echo $? > "$report/host.rc"
) &
host_pid=$!
KL_TIMEOUT=2400 LVSTUI_REPORT=$report timed kernel-and-pair-and-cluster \
    tests/vm/run-vm-streams.sh kernel:tests/kernel,tests/contract pair:tests/pair \
    cluster:tests/cluster > "$report/vm.out" 2> "$report/vm.err"; vm=$?
wait $host_pid
echo "--- host tests"
cat "$report/host.log"
cat "$report/vm.out"
# heartbeat logs to the VM's console (the seed's logfacility, no syslog there): not shown
grep -v '^heartbeat: \[' "$report/vm.err" >&2
host=$(cat "$report/host.rc")
.venv/bin/python scripts/test-times.py "$report"
echo "host tests: exit $host; kernel, pair and cluster tests (VM): exit $vm"
[ "$host" -eq 0 ] && [ $vm -eq 0 ]
