#!/bin/bash
# Rehearse an incident on the seed's whole cluster: boots the ip_vs VM, brings up both heartbeat
# directors, the IPVS DR table with the sync daemons, both real servers and a client
# (tests/cluster/lab.py), and opens a shell on LD1 (rh1.cluster.net) with lvstui at hand.
# Leaving that shell (exit) takes the cluster and the VM down. The VM's console (heartbeat logs
# there) goes to $LOG, not over the shell.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
LOG=${LOG:-/tmp/lvstui-cluster-console.log}
echo "the VM's console: $LOG"
exec 2>"$LOG"
exec env KL_TTY=1 KL_TIMEOUT="${KL_TIMEOUT:-86400}" KL_MEM="${KL_MEM:-2G}" tests/vm/run-in-vm.sh "
modprobe -a ip_vs ip_vs_wlc ip_vs_rr veth bridge
cd $(printf %q "$PWD")
export TERM=${TERM:-xterm-256color}
stty rows $(tput lines 2>/dev/null || echo 24) cols $(tput cols 2>/dev/null || echo 80) 2>/dev/null || true
exec .venv/bin/python -m tests.cluster.lab"
