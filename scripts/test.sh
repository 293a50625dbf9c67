#!/bin/bash
# Install what the tests need and run every tier: host tests, then the kernel tier in the ip_vs VM.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test || exit 1
.venv/bin/python -m pytest -q -p no:cacheprovider; host=$?
tests/vm/run-kernel-tests.sh; kernel=$?
echo "host tests: exit $host; kernel tests (VM): exit $kernel"
[ $host -eq 0 ] && [ $kernel -eq 0 ]
