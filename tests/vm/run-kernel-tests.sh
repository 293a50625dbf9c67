#!/bin/bash
# The kernel tier alone: tests/vm/run-kernel-tests.sh [pytest args...] (see run-vm-tests.sh).
exec "$(dirname "$0")/run-vm-tests.sh" kernel "$@"
