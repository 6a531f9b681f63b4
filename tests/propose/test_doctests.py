"""The examples in the proposal engine's docstrings run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import oncocohort.propose as propose

MODULES = [m.name for m in pkgutil.iter_modules(propose.__path__, "oncocohort.propose.")]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
