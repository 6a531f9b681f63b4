"""Loading the study spec: the complete example, and every kind of error with its YAML path."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from oncocohort.problems import InputError
from oncocohort.spec import StudySpec, load_spec, spec_from_dict
from oncocohort.spec.load import _SpecLoader

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "study.yaml"


@pytest.fixture(scope="module")
def example() -> StudySpec:
    return load_spec(EXAMPLE)


@pytest.fixture()
def raw() -> dict:
    return yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=_SpecLoader)


def _problems(data: dict) -> dict[str, str]:
    """location -> message of every problem a spec dict raises."""
    with pytest.raises(InputError) as info:
        spec_from_dict(data, base_dir=FIXTURES, file="study.yaml")
    found = {p.location: p.message for p in info.value.problems}
    assert all(p.file == "study.yaml" and p.severity == "error" for p in info.value.problems)
    assert len(found) == len(info.value.problems), "one problem per location in these cases"
    return found


# --- the valid example -----------------------------------------------------------------


def test_example_loads_with_its_values(example: StudySpec) -> None:
    assert example.study.data_cutoff == dt.date(2025, 7, 5)
    assert example.conventions.km_conf_type == "log-log"
    assert example.conventions.response.confirmation_days == 28
    assert example.endpoints["pfs"].censor == ["last_adequate_assessment", "index"]
    assert example.endpoints["pfs"].missed_assessments == 2
    assert example.endpoints["dor"].population == "responders"
    assert [r.name for r in example.cohort.inclusion] == ["escc", "ecog"]
    assert example.landmarks == [12, 24]
    assert example.safety.groups["Nausea and vomiting"] == ["Nausea", "Vomiting"]
    assert example.outputs.small_cell_k is None
    assert example.spec_path == EXAMPLE


def test_source_paths_kept_as_written_and_resolved(example: StudySpec) -> None:
    wide = example.sources.wide
    assert wide.file == "data/hospital.xlsx"
    assert wide.path == FIXTURES / "data" / "hospital.xlsx"
    assert wide.path.is_file()
    assert [n for n, _ in example.sources.items()] == [
        "patients", "therapy", "therapy_lines", "lesions", "responses", "adverse_events", "wide"]


def test_value_codes_are_cell_text(example: StudySpec) -> None:
    # YAML 1 and "1" are one code: the cell text "1"; targets keep their YAML type.
    assert example.sources.wide.values["sex"] == {"男": "M", "女": "F", "1": "M", "2": "F"}
    assert example.sources.adverse_events.values["related"] == {"yes": True, "no": False}


def test_yaml_12_booleans(raw: dict) -> None:
    text = "a: yes\nb: N\nc: true\nd: off\n"
    assert yaml.load(text, Loader=_SpecLoader) == {"a": "yes", "b": "N", "c": True, "d": "off"}


def test_spec_is_frozen(example: StudySpec) -> None:
    with pytest.raises(ValidationError):
        example.study.name = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        example.conventions.conf_level = 0.9  # type: ignore[misc]


def test_validation_options_from_the_spec(example: StudySpec) -> None:
    from oncocohort.model import ValidationOptions
    from oncocohort.study.options import StudyOptions

    assert StudyOptions.from_spec(example).validation == ValidationOptions(
        data_cutoff=dt.date(2025, 7, 5),
        partial_dates="reject",
        ae_synonyms={
            "hand-foot syndrome": "Palmar-plantar erythrodysesthesia syndrome",
            "ALT increased": "Alanine aminotransferase increased",
        },
        ae_groups={
            "Nausea and vomiting": ["Nausea", "Vomiting"],
            "Liver function abnormality": [
                "Alanine aminotransferase increased", "Aspartate aminotransferase increased",
                "Blood bilirubin increased"],
        },
        date_format=None,
        date_formats={"adverse_events": "%d/%m/%Y"},
    )


def test_subgroup_groups_read_as_written(example: StudySpec) -> None:
    inf = float("inf")
    ecog, age = example.subgroups[1].derive, example.subgroups[2].derive
    assert ecog.from_ == "ecog"
    assert ecog.groups() == [(0, 1, "0"), (1, inf, "1-2")]
    assert age.groups() == [(-inf, 65, "<65"), (65, inf, ">=65")]


def test_defaults_when_blocks_are_absent(raw: dict) -> None:
    minimal = {"study": raw["study"], "sources": {"patients": raw["sources"]["patients"]}}
    spec = spec_from_dict(minimal, base_dir=FIXTURES)
    assert spec.conventions.time_unit == "months"
    assert spec.conventions.days_per_month == 30.4375
    assert spec.conventions.day_count == "admiral"
    assert spec.conventions.cox_ties == "efron"
    assert spec.conventions.response.denominator == "all"
    assert spec.endpoints == {}
    assert spec.sources.wide is None


# --- errors, each with its YAML path ---------------------------------------------------


def test_unknown_named_date(raw: dict) -> None:
    raw["endpoints"]["pfs"]["censor"][1] = "visits"
    found = _problems(raw)
    assert list(found) == ["endpoints.pfs.censor[1]"]
    assert found["endpoints.pfs.censor[1]"].startswith("unknown date 'visits'; known dates: index")


def test_patients_column_dates_are_accepted_but_must_name_a_column(raw: dict) -> None:
    raw["endpoints"]["os"]["censor"] = ["patients.last_contact"]
    assert spec_from_dict(raw, base_dir=FIXTURES).endpoints["os"].censor == [
        "patients.last_contact"]
    raw["endpoints"]["os"]["start"] = "patients.last contact"
    assert list(_problems(raw)) == ["endpoints.os.start"]


def test_missing_source_file(raw: dict) -> None:
    raw["sources"]["patients"]["file"] = "data/p.csv"
    assert _problems(raw) == {"sources.patients.file": "file not found: data/p.csv"}


def test_unknown_convention_lists_allowed_values(raw: dict) -> None:
    raw["conventions"]["km_conf_type"] = "loglog"
    found = _problems(raw)
    assert found == {"conventions.km_conf_type":
                     "unknown value 'loglog'; allowed: 'log-log', 'log', 'plain', 'arcsin'"}


def test_unknown_field_did_you_mean(raw: dict) -> None:
    raw["conventions"]["time_units"] = "days"
    raw["endpoints"]["os"]["event"] = ["death"]
    found = _problems(raw)
    assert found["conventions.time_units"] == (
        "unknown field 'time_units'; did you mean 'time_unit'?")
    assert found["endpoints.os.event"] == "unknown field 'event'; did you mean 'events'?"


def test_unknown_source_table_and_block(raw: dict) -> None:
    raw["sources"]["patient"] = raw["sources"].pop("therapy")
    raw["endpoint"] = raw.pop("landmarks")
    found = _problems(raw)
    assert found == {"sources.patient": "unknown field 'patient'; did you mean 'patients'?",
                     "endpoint": "unknown field 'endpoint'; did you mean 'endpoints'?"}


def test_unknown_field_without_close_match_lists_fields(raw: dict) -> None:
    raw["screen"]["zzz"] = 1
    assert _problems(raw) == {"screen.zzz": "unknown field 'zzz'; allowed: threshold, p_from"}


def test_subgroup_cuts_must_ascend(raw: dict) -> None:
    raw["subgroups"][1]["derive"]["cut"] = [1, 0]
    assert _problems(raw) == {"subgroups[1].derive": "cut points must be ascending"}


def test_subgroup_label_count(raw: dict) -> None:
    raw["subgroups"][2]["derive"]["labels"] = ["a", "b", "c"]
    assert _problems(raw) == {
        "subgroups[2].derive": "1 cut points take 1 or 2 labels but 3 are given"}


def test_sources_need_patients(raw: dict) -> None:
    del raw["sources"]["patients"]
    del raw["sources"]["wide"]
    assert _problems(raw) == {
        "sources": "sources must include 'patients' (or a 'wide' patient sheet)"}


def test_wide_alone_is_enough(raw: dict) -> None:
    del raw["sources"]["patients"]
    assert spec_from_dict(raw, base_dir=FIXTURES).sources.patients is None


def test_missing_required_field(raw: dict) -> None:
    del raw["study"]["data_cutoff"]
    assert _problems(raw) == {"study.data_cutoff": "required field is missing"}


def test_bad_date_and_number(raw: dict) -> None:
    raw["study"]["data_cutoff"] = "2025-13-01"
    raw["conventions"]["conf_level"] = 1.5
    found = _problems(raw)
    assert set(found) == {"study.data_cutoff", "conventions.conf_level"}
    assert "less than 1" in found["conventions.conf_level"]


def test_unknown_canonical_column_did_you_mean(raw: dict) -> None:
    raw["sources"]["therapy"]["columns"] = {"dosee": "Dose (mg)"}
    assert _problems(raw) == {"sources.therapy.columns.dosee":
                              "'dosee' is not a column of table therapy; did you mean 'dose'?"}


def test_code_targets_must_be_allowed(raw: dict) -> None:
    raw["sources"]["wide"]["values"]["sex"]["男"] = "Male"
    raw["sources"]["adverse_events"]["values"]["related"]["maybe"] = "perhaps"
    found = _problems(raw)
    assert found == {
        "sources.wide.values.sex.男": "'Male' is not a code of patients.sex; allowed: M, F",
        "sources.adverse_events.values.related.maybe":
            "'perhaps' is not true or false (adverse_events.related is yes/no)",
    }


def test_code_mapped_to_null_is_allowed(raw: dict) -> None:
    raw["sources"]["wide"]["values"]["sex"]["unknown"] = None
    spec = spec_from_dict(raw, base_dir=FIXTURES)
    assert spec.sources.wide.values["sex"]["unknown"] is None


def test_file_type_and_sheet(raw: dict) -> None:
    raw["sources"]["therapy"] = {"file": "data/therapy.json"}
    raw["sources"]["lesions"]["sheet"] = "Lesions"
    assert _problems(raw) == {
        "sources.therapy.file": "unknown file type '.json'; use one of .csv, .dta, .parquet, "
                                ".pq, .sas7bdat, .sav, .tsv, .xlsm, .xlsx, .xpt, .zsav",
        "sources.lesions.sheet": "a sheet is only for Excel workbooks (.xlsx)",
    }


def test_wide_grade_column_used_twice(raw: dict) -> None:
    raw["sources"]["wide"]["ae_grades"]["Fatigue"] = "Sex"
    found = _problems(raw)
    assert found == {"sources.wide.ae_grades.Fatigue":
                     "column 'Sex' is also mapped to 'sex' in columns"}


def test_duplicate_rule_names(raw: dict) -> None:
    raw["cohort"]["exclusion"][1]["name"] = "missing"
    assert _problems(raw) == {"cohort.exclusion": "rule name 'missing' used twice"}


def test_several_errors_at_once(raw: dict) -> None:
    raw["endpoints"]["pfs"]["censor"][1] = "visits"
    raw["sources"]["patients"]["file"] = "data/p.csv"
    raw["conventions"]["cox_ties"] = "discrete"
    raw["subgroups"][1]["derive"]["cut"] = [1, 0]
    raw["outputs"]["formats"] = ["html", "pdf"]
    raw["landmarks"] = [12, -1]
    found = _problems(raw)
    assert set(found) == {"endpoints.pfs.censor[1]", "sources.patients.file",
                          "conventions.cox_ties", "subgroups[1].derive", "outputs.formats[1]",
                          "landmarks[1]"}


def test_problem_reads_as_path_and_message(raw: dict) -> None:
    raw["endpoints"]["pfs"]["censor"][1] = "visits"
    with pytest.raises(InputError) as info:
        spec_from_dict(raw, base_dir=FIXTURES, file="study.yaml")
    assert str(info.value.problems.items[0]).startswith(
        "study.yaml, endpoints.pfs.censor[1]: unknown date 'visits'")


# --- file-level errors -----------------------------------------------------------------


def _load_text(tmp_path: Path, text: str) -> InputError:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_spec(path)
    return info.value


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    err = _load_text(tmp_path, "study:\n  name: x\n  data_cutoff: [2025-07-05\nsources: {}\n")
    (problem,) = err.problems
    assert problem.code == "yaml_syntax"
    assert problem.file == str(tmp_path / "study.yaml")
    assert problem.location.startswith("line 4, column")


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    err = _load_text(tmp_path, "study:\n  name: a\n  name: b\n")
    (problem,) = err.problems
    assert problem.location == "line 3, column 3"
    assert "duplicate key 'name'" in problem.message


def test_spec_not_a_mapping(tmp_path: Path) -> None:
    (problem,) = _load_text(tmp_path, "").problems
    assert problem.code == "not_a_mapping"


def test_spec_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_spec(tmp_path / "nope.yaml")
    assert info.value.problems.items[0].code == "file_not_found"


def test_paths_resolve_against_the_yaml_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.csv").write_text("subject_id\n1\n", encoding="utf-8")
    path = tmp_path / "sub" / "study.yaml"
    path.write_text("study: {name: x, data_cutoff: 2025-01-01}\n"
                    "sources: {patients: {file: p.csv}}\n", encoding="utf-8")
    spec = load_spec(path)
    assert spec.sources.patients.file == "p.csv"
    assert spec.sources.patients.path == tmp_path / "sub" / "p.csv"


def test_missed_assessments_needs_the_interval(raw: dict) -> None:
    del raw["endpoints"]["pfs"]["assessment_interval_days"]
    found = _problems(raw)
    assert list(found) == ["endpoints.pfs"]
    assert "assessment_interval_days" in found["endpoints.pfs"]


def test_regimen_block(raw: dict) -> None:
    raw["regimen"] = {"cycle_days": 21, "drugs": {"anlotinib": {"kind": "daily", "dose": 12,
                                                                "days_on": 14}}}
    spec = spec_from_dict(raw, base_dir=FIXTURES)
    assert spec.regimen.drugs["anlotinib"].days_on == 14
    assert spec.regimen.delay_days == 7
    raw["regimen"]["drugs"]["anlotinib"]["kind"] = "oral"
    assert "regimen.drugs.anlotinib.kind" in _problems(raw)


def test_cohort_rules_or_reported_counts(raw: dict) -> None:
    raw["cohort"]["reported"] = {"screened": 10, "steps": [
        {"kind": "exclusion", "label": "x", "excluded": 7}]}
    assert "cohort" in _problems(raw)
    del raw["cohort"]["inclusion"], raw["cohort"]["exclusion"]
    spec = spec_from_dict(raw, base_dir=FIXTURES)
    assert spec.cohort.reported.steps[0].excluded == 7


# ----------------------------------------------------------------------------- issue 16 blocks
def _spec_with(**extra):
    from oncocohort.spec.model import StudySpec

    base = {
        "study": {"name": "s", "data_cutoff": "2025-01-01"},
        "sources": {"patients": {"file": "patients.csv"}},
        "endpoints": {"os": {"label": "OS", "events": ["death"], "censor": ["last_alive"]}},
    }
    for key, value in extra.items():
        if key == "endpoints":
            base["endpoints"] = {**base["endpoints"], **value}
        else:
            base[key] = value
    return StudySpec.model_validate(base)


def test_competing_rmst_landmark_and_time_varying_blocks():
    spec = _spec_with(
        endpoints={"ttp": {"label": "TTP", "events": ["progression"], "competing": ["death"],
                           "censor": ["last_adequate_assessment"], "rmst": {"tau": 12}}},
        landmark_analyses=[{"endpoint": "os", "at": [2, 3]}],
        time_varying=[{"endpoint": "os", "status": "patients.transplant_date",
                       "label": "Transplant"}])
    assert spec.endpoints["ttp"].competing == ["death"]
    assert spec.endpoints["ttp"].rmst.tau == 12
    assert spec.landmark_analyses[0].status == "first_response"
    assert spec.time_varying[0].label == "Transplant"


@pytest.mark.parametrize(("extra", "message"), [
    ({"endpoints": {"x": {"label": "X", "events": ["death"], "competing": ["death"],
                          "censor": ["index"]}}}, "both an event and a competing event"),
    ({"endpoints": {"x": {"label": "X", "events": ["death"], "censor": ["index"],
                          "rmst": {"tau": 0}}}}, "greater than 0"),
    ({"landmark_analyses": [{"endpoint": "pfs", "at": [3]}]},
     "landmark_analyses[0].endpoint 'pfs' is not an endpoint of the spec; endpoints: os"),
    ({"time_varying": [{"endpoint": "os", "status": "responded"}]}, "unknown date"),
    ({"landmark_analyses": [{"endpoint": "os", "at": []}]}, "at least 1 item"),
])
def test_bad_issue16_blocks_are_reported(extra, message):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=re.escape(message)):
        _spec_with(**extra)
