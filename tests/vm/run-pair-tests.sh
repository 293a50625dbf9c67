#!/bin/bash
# The pair tier alone: two directors as network namespaces in the VM, the peer reached over
# real OpenSSH. tests/vm/run-pair-tests.sh [pytest args...] (see run-vm-tests.sh).
[ $# -gt 0 ] || set -- tests/pair
exec "$(dirname "$0")/run-vm-tests.sh" pair "$@"
