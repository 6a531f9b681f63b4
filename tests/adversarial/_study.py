"""Helpers of the adversarial suite: a private copy of the demo study, the CLI in-process.

Every test copies the demo spec and data into its own temporary folder, plants one hostile or
careless change (a cell, a column, a spec value, a file) and runs the CLI in-process, the way a
user would, asserting the promised behaviour: every problem with its location, exit 2, no
traceback, nothing written, nothing of the user's destroyed, no patient value printed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rich.console import Console

from oncocohort.cli import main
from oncocohort.study.demo import demo_spec_path

DEMO = demo_spec_path().parent


@dataclass
class Outcome:
    """One CLI call: exit code and everything it printed."""

    code: int
    output: str


def run_cli(argv: list[str]) -> Outcome:
    """``oncocohort ARGV`` in-process, its console captured (wide, no colour)."""
    buf = io.StringIO()
    code = main([str(a) for a in argv], console=Console(file=buf, width=1000,
                                                        color_system=None))
    return Outcome(int(code), buf.getvalue())


@dataclass
class DemoStudy:
    """A private copy of the demo study (``study.yaml`` and its CSVs) to plant problems in."""

    folder: Path

    @property
    def spec_path(self) -> Path:
        return self.folder / "study.yaml"

    def spec(self) -> dict:
        return yaml.safe_load(self.spec_path.read_text(encoding="utf-8"))

    def edit_spec(self, change: Callable[[dict], object]) -> None:
        """Apply ``change`` to the parsed spec and write it back."""
        data = self.spec()
        change(data)
        self.spec_path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                                  encoding="utf-8")

    def write_spec_text(self, text: str) -> None:
        self.spec_path.write_text(text, encoding="utf-8")

    def rows(self, file: str) -> list[list[str]]:
        with open(self.folder / file, encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh))

    def write_rows(self, file: str, rows: list[list[str]]) -> None:
        with open(self.folder / file, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)

    def set_cell(self, file: str, row: int, column: str, value: str) -> None:
        """Set the cell a person sees at ``row`` (header = 1) of ``column`` to ``value``."""
        rows = self.rows(file)
        rows[row - 1][rows[0].index(column)] = value
        self.write_rows(file, rows)

    def cell(self, file: str, row: int, column: str) -> str:
        rows = self.rows(file)
        return rows[row - 1][rows[0].index(column)]

    def find_row(self, file: str, **match: str) -> int:
        """The row number (header = 1) of the first row whose cells equal ``match``."""
        rows = self.rows(file)
        idx = {c: rows[0].index(c) for c in match}
        for n, r in enumerate(rows[1:], start=2):
            if all(r[idx[c]] == v for c, v in match.items()):
                return n
        raise LookupError(f"no row of {file} with {match}")

    def add_column(self, file: str, name: str, values: Callable[[int], str]) -> None:
        rows = self.rows(file)
        rows[0].append(name)
        for i, r in enumerate(rows[1:], start=2):
            r.append(values(i))
        self.write_rows(file, rows)

    def validate(self, *extra: str) -> Outcome:
        return run_cli(["validate", self.spec_path, *extra])

    def run(self, out: Path, *extra: str) -> Outcome:
        return run_cli(["run", self.spec_path, "--out", out, *extra])


def assert_user_error(outcome: Outcome, *expected: str) -> None:
    """Exit 2, no traceback, each ``expected`` text in the output."""
    assert outcome.code == 2, outcome.output
    assert "Traceback" not in outcome.output
    for text in expected:
        assert text in outcome.output, (text, outcome.output)
