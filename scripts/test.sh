#!/bin/bash
# Install what the tests need and run every tier: host tests, then the kernel, pair and cluster
# tiers in the ip_vs VM.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test || exit 1
scripts/build.sh >/dev/null || exit 1       # the zipapp, man page and completion the tests run
.venv/bin/python -m pytest -q -p no:cacheprovider; host=$?
tests/vm/run-kernel-tests.sh; kernel=$?
tests/vm/run-pair-tests.sh; pair=$?
# heartbeat logs to the VM's console (the seed's logfacility, no syslog there): kept out of sight
tests/vm/run-cluster-tests.sh 2> >(grep -v '^heartbeat: \[' >&2); cluster=$?
echo "host tests: exit $host; kernel tests (VM): exit $kernel; pair tests (VM): exit $pair;" \
     "cluster tests (VM): exit $cluster"
[ $host -eq 0 ] && [ $kernel -eq 0 ] && [ $pair -eq 0 ] && [ $cluster -eq 0 ]
