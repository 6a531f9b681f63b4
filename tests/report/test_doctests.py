"""The examples in the report's docstrings run (number formats, prose case)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import oncocohort.report as report

MODULES = [m.name for m in pkgutil.walk_packages(report.__path__, "oncocohort.report.")]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
