#!/bin/bash
# Install what the tests need and run every tier: the host tests, and beside them the kernel and
# pair tiers in the ip_vs VM (its emulated CPUs leave a core to the host tests most of the
# time); then, alone on the machine, the cluster tier, whose failovers are measured in seconds.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test || exit 1
scripts/build.sh >/dev/null || exit 1       # the zipapp, man page and completion the tests run
host_log=$(mktemp)
trap 'rm -f "$host_log"' EXIT
.venv/bin/python -m pytest -q -p no:cacheprovider > "$host_log" 2>&1 &
host_pid=$!
tests/vm/run-kernel-tests.sh; kernel=$?
tests/vm/run-pair-tests.sh; pair=$?
wait $host_pid; host=$?
echo "--- host tests"
cat "$host_log"
# heartbeat logs to the VM's console (the seed's logfacility, no syslog there): kept out of sight
tests/vm/run-cluster-tests.sh 2> >(grep -v '^heartbeat: \[' >&2); cluster=$?
echo "host tests: exit $host; kernel tests (VM): exit $kernel; pair tests (VM): exit $pair;" \
     "cluster tests (VM): exit $cluster"
[ $host -eq 0 ] && [ $kernel -eq 0 ] && [ $pair -eq 0 ] && [ $cluster -eq 0 ]
