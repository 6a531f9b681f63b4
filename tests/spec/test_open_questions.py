"""A ``TODO`` left by ``oncocohort init`` in a field the spec model types (the data cut-off,
or any other value) is reported as init's open question at its YAML path, code
``open_todo``, not as the model's type error; a wrong value stays a type error."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncocohort.problems import InputError
from oncocohort.spec.load import spec_from_dict


def _problems(data: dict) -> dict[str, tuple[str, str]]:
    with pytest.raises(InputError) as info:
        spec_from_dict(data, base_dir=Path("."))
    return {p.location: (p.code, p.message) for p in info.value.problems}


def _spec(**study) -> dict:
    return {"study": {"name": "x", **study}, "conventions": {"time_unit": "TODO"}}


def test_todo_fields_are_open_questions():
    found = _problems(_spec(data_cutoff="TODO"))
    code, message = found["study.data_cutoff"]
    assert code == "open_todo"
    assert message.startswith("'TODO' is an open question of `oncocohort init`: what is the "
                              "study's data cut-off")
    assert "YYYY-MM-DD" in message and "valid date" not in message
    code, message = found["conventions.time_unit"]
    assert (code, message) == ("open_todo", "'TODO' is an open question of `oncocohort "
                                            "init`: what goes here? Write the value, or "
                                            "remove the line")


def test_a_wrong_value_is_still_a_type_error():
    found = _problems({**_spec(data_cutoff="31/12/2024"), "conventions": {"time_unit": "m"}})
    assert found["study.data_cutoff"][0] != "open_todo"
    assert "date" in found["study.data_cutoff"][1]
    assert found["conventions.time_unit"][0] == "literal_error"
