#!/bin/bash
# Install what the tests need and run every tier: the host tests, and beside them the kernel,
# pair and cluster tiers in the ip_vs VM, one after another (the VM's emulated CPUs leave a
# core to the host tests most of the time: the whole run takes the VM tiers' time).
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
# heartbeat logs to the VM's console (the seed's logfacility, no syslog there): kept out of sight
tests/vm/run-cluster-tests.sh 2> >(grep -v '^heartbeat: \[' >&2); cluster=$?
wait $host_pid; host=$?
echo "--- host tests"
cat "$host_log"
echo "host tests: exit $host; kernel tests (VM): exit $kernel; pair tests (VM): exit $pair;" \
     "cluster tests (VM): exit $cluster"
[ $host -eq 0 ] && [ $kernel -eq 0 ] && [ $pair -eq 0 ] && [ $cluster -eq 0 ]
