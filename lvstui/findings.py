"""A problem found in a configuration file, located as ``file:line`` (compilers' habit)."""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    level: str            # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


def print_findings(findings: list[Finding]) -> int:
    """One line each, errors on stderr, warnings on stdout; returns how many are errors."""
    for finding in findings:
        print(finding, file=sys.stderr if finding.level == "error" else sys.stdout)
    return sum(f.level == "error" for f in findings)
