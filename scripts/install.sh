#!/bin/bash
# Install what lvstui needs on a Debian machine (as root): the venv, and with --test everything
# the test tiers use (qemu for the ip_vs VM, ipvsadm as referee, iproute2, tmux).
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS="python3 python3-venv iproute2 kmod"
[ "${1:-}" = "--test" ] && PKGS="$PKGS qemu-system-x86 busybox-static cpio ipvsadm tmux util-linux iputils-arping heartbeat ldirectord keepalived prometheus openssh-server openssh-client"
missing=$(for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ] || { [ "${1:-}" = "--test" ] && [ ! -d /var/cache/lvstui-vm/kernel ]; }; then
    apt-get update -qq
fi
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
# the venv on Debian's own python3 (installed above), the interpreter a director runs lvstui
# with, whatever other python3 comes first on PATH (pyenv's shims on a developer's machine)
PY=/usr/bin/python3
if [ "$(readlink -f .venv/bin/python 2>/dev/null)" != "$(readlink -f $PY)" ]; then
    rm -rf .venv
    $PY -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
    .venv/bin/pip install -q --disable-pip-version-check -e '.[test]' \
        --config-settings editable_mode=compat        # a path entry: no import finder to load
    rm -f .venv/.installed-*; touch "$stamp"
fi
