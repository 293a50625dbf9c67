#!/bin/bash
# Install what the tests need and run every tier: host tests, then the kernel tier and the cluster
# tier in the ip_vs VM.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test || exit 1
scripts/build.sh >/dev/null || exit 1       # the zipapp, man page and completion the tests run
.venv/bin/python -m pytest -q -p no:cacheprovider; host=$?
tests/vm/run-kernel-tests.sh; kernel=$?
# heartbeat logs to the VM's console (the seed's logfacility, no syslog there): kept out of sight
tests/vm/run-cluster-tests.sh 2> >(grep -v '^heartbeat: \[' >&2); cluster=$?
echo "host tests: exit $host; kernel tests (VM): exit $kernel; cluster tests (VM): exit $cluster"
[ $host -eq 0 ] && [ $kernel -eq 0 ] && [ $cluster -eq 0 ]
