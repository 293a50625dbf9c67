#!/bin/bash
# The cluster tier: the seed's whole cluster (two heartbeat directors, IPVS DR, two real
# servers, a client) in the VM. tests/vm/run-cluster-tests.sh [pytest args...]
# (see run-vm-tests.sh).
[ $# -gt 0 ] || set -- tests/cluster
exec "$(dirname "$0")/run-vm-tests.sh" cluster "$@"
