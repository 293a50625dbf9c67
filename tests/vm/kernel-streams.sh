#!/bin/bash
# The kernel tier's streams for run-vm-streams.sh, one per line: the files that use nothing but
# the IPVS table run in a network namespace of their own (@own-table: a table of their own);
# every other kernel test, and any new one, in the VM's root namespace.
cd "$(dirname "$0")/../.."
own_table="tests/kernel/test_ipvsadm_commands.py tests/kernel/test_history_recorder.py
           tests/kernel/test_guard_rails.py tests/kernel/test_console_on_kernel.py"
root_table=$(for f in tests/kernel/test_*.py tests/contract; do
    [[ " $(echo $own_table) " == *" $f "* ]] || echo "$f"; done | paste -sd,)
echo "kernel:$root_table"
echo "kernel:$(echo $own_table | tr ' ' ,)@own-table"
