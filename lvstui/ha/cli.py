"""``lvstui check-config``: heartbeat's files checked the way ``nginx -t`` checks nginx's."""

from __future__ import annotations

import os
import sys

from .config import HaConfig, check


def check_config(directory: str, node: str | None) -> int:
    """One line per problem (file:line: level: message); exit 1 on errors, 0 otherwise."""
    try:
        config = HaConfig.read(directory)
    except FileNotFoundError as exc:
        print(f"{exc.filename}: error: not found", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename}: error: {exc.strerror}", file=sys.stderr)
        return 1
    findings = check(config, node or os.uname().nodename)
    for finding in findings:
        print(finding, file=sys.stderr if finding.level == "error" else sys.stdout)
    errors = sum(f.level == "error" for f in findings)
    print(f"{directory}: {errors} error(s), {len(findings) - errors} warning(s)")
    return 1 if errors else 0
