"""Adversarial cases built at test time from the bundled demo study.

Every test copies the demo spec and data into its own temporary folder, plants one hostile or
careless change (a cell, a column, a spec value, a file) and runs the CLI in-process, as a user
would, asserting the promised behaviour: every problem with its location, exit 2, no
traceback, nothing written, nothing of the user's destroyed, no patient value printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adversarial._study import DEMO, DemoStudy


@pytest.fixture
def demo(tmp_path: Path) -> DemoStudy:
    """A fresh copy of the demo study in ``tmp_path / "study"``."""
    folder = tmp_path / "study"
    shutil.copytree(DEMO, folder)
    return DemoStudy(folder)
