#!/bin/bash
# Build the one file to copy to a director, and its man page and shell completion:
#   dist/lvstui-VERSION.pyz   a zipapp (shiv) that Debian 12's /usr/bin/python3 runs with no venv,
#                             no pip, no network (psutil's compiled part for Linux x86-64 inside)
#   dist/lvstui.1             the man page, made from the argument parser (argparse-manpage)
#   dist/lvstui.bash, dist/_lvstui   bash and zsh completion (shtab)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
# editable as a path entry (compat), not setuptools' import finder: each lvstui process starts
# without the finder's own imports (~0.3 s of `lvstui list` in the VM's emulated CPU)
.venv/bin/pip install -q --disable-pip-version-check -e '.[build]' --config-settings editable_mode=compat
VERSION=$(.venv/bin/python -c 'import lvstui; print(lvstui.__version__)')
mkdir -p dist
rm -f "dist/lvstui-$VERSION.pyz"
# pip of the venv's Python 3.11 picks the wheels: pure ones, and psutil's abi3 one (x86-64)
.venv/bin/shiv -q -o "dist/lvstui-$VERSION.pyz" -p "/usr/bin/env python3" -e lvstui.cli:main \
    --compressed --reproducible .
.venv/bin/argparse-manpage --module lvstui.cli --function _parser --prog lvstui \
    --project-name lvstui --version "$VERSION" --author "the lvstui developers" \
    --description "console for Linux Virtual Server (IPVS) clusters with Heartbeat" \
    --url "https://github.com/lvstui/lvstui" --output dist/lvstui.1
.venv/bin/python -c 'import shtab; from lvstui.cli import _parser; print(shtab.complete(_parser(), "bash"))' > dist/lvstui.bash
.venv/bin/python -c 'import shtab; from lvstui.cli import _parser; print(shtab.complete(_parser(), "zsh"))' > dist/_lvstui
echo "dist/lvstui-$VERSION.pyz dist/lvstui.1 dist/lvstui.bash dist/_lvstui"
