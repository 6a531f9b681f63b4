"""Command-line interface (placeholder while the foundation lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("oncocohort: under construction")
    return 0


def run_main() -> None:
    sys.exit(main())
