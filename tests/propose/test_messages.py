"""Every message code the engine can emit is worded in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import oncocohort.propose as propose
from oncocohort.propose.messages import LANGUAGES, MESSAGES, ROLE_LABELS
from oncocohort.propose.roles import ROLES

SOURCE = Path(propose.__file__).parent


def _emitted_codes() -> set[str]:
    codes = set()
    for path in SOURCE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'Note\.of\(\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'Note\.of\(f"\{[a-z_.]+\}_([a-z_]+)"', text))
    return codes


def test_the_scan_finds_the_codes():
    assert {"header_exact", "status_codes", "dates"} <= _emitted_codes()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_is_worded(lang):
    dynamic = {"ambiguous_dates", "mixed_dates", "serial_dates", "looks_phone",
               "looks_national_id", "looks_email", "day_first", "month_first"}
    missing = (_emitted_codes() | dynamic) - set(MESSAGES[lang])
    assert not missing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_role_has_a_label(lang):
    assert set(ROLE_LABELS[lang]) == set(ROLES)


def test_catalogues_have_the_same_codes_and_parameters():
    en, zh = MESSAGES["en"], MESSAGES["zh"]
    assert set(en) == set(zh)
    for code in en:
        assert set(re.findall(r"\{(\w+)", en[code])) == set(re.findall(r"\{(\w+)", zh[code]))
