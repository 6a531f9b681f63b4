"""What the spec asks for must be in the data: endpoints naming dates the study was not given,
report sections switched on without their data, and sections switched off although the data
have them; ``validate`` and ``run`` say the same.

The lung workbook (``lung_en.yaml``) has one patients sheet and nothing else: no tumour
assessments, no therapy, no adverse events. The demo (``oncocohort.data.demo``) has them all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from _cohorts import read_ard
from oncocohort.study.load import load_study

DEMO = Path(__file__).parents[2] / "src" / "oncocohort" / "data" / "demo"


def _edited(cohort_dir: Path, extra: str) -> Path:
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8") + extra
    path = cohort_dir / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _errors(said: str) -> list[str]:
    return [line.strip() for line in said.splitlines() if line.strip().startswith("error")]


def _validate_and_run(run_cli, spec: Path) -> list[str]:
    """The error lines, which ``validate`` and ``run`` must print alike (both exit 2)."""
    code, said = run_cli(["validate", str(spec)])
    assert code == 2, said
    code, ran = run_cli(["run", str(spec), "--out", str(spec.parent / "out")])
    assert code == 2, ran
    assert not (spec.parent / "out").exists()
    assert _errors(said) == _errors(ran)
    return _errors(said)


def test_an_endpoint_naming_progression_without_assessments_is_an_error(cohort_dir, run_cli):
    # PFS on a sheet with no lesions, responses or progression date would be OS renamed.
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8")
    os_line = "  os: {label: Overall survival, events: [death], censor: [last_alive]}\n"
    assert os_line in text
    spec = cohort_dir / "edited.yaml"
    spec.write_text(text.replace(os_line, os_line + (
        "  pfs: {label: PFS, events: [progression, death], censor: [last_alive]}\n"
        "  ttnt: {label: TTNT, start: first_response, events: [new_therapy, death], "
        "censor: [last_alive]}\n")), encoding="utf-8")
    errors = _validate_and_run(run_cli, spec)
    assert len(errors) == 3, errors
    pfs = next(e for e in errors if "endpoints.pfs.events" in e)
    assert "names progression but the study has no data" in pfs
    assert "tumour assessments (lesions or responses) or a progression_date column" in pfs
    where = sorted(e.split(":")[0].split(", ")[1] for e in errors)
    assert where == ["endpoints.pfs.events", "endpoints.ttnt.events", "endpoints.ttnt.start"]
    ttnt = next(e for e in errors if "endpoints.ttnt.events" in e)
    assert "new_therapy needs lines of therapy (therapy_lines)" in ttnt
    problems = load_study(spec).problems
    assert {p.code for p in problems if p.severity == "error"} == {"endpoint_without_data"}


def test_a_section_switched_on_without_its_data_is_an_error(cohort_dir, run_cli):
    spec = _edited(cohort_dir, "\noutputs: {sections: {response: true, safety: true}}\n")
    errors = _validate_and_run(run_cli, spec)
    assert len(errors) == 2, errors
    response = next(e for e in errors if "outputs.sections.response" in e)
    assert "the response section is switched on but the study has no tumour measurements" \
        in response
    assert any("outputs.sections.safety" in e and "adverse-event records" in e
               for e in errors)
    problems = load_study(spec).problems
    assert [p.code for p in problems if p.severity == "error"] == ["section_without_data"] * 2


def test_a_section_switched_off_is_left_out_though_the_data_have_it(tmp_path, run_cli):
    where = tmp_path / "demo"
    shutil.copytree(DEMO, where)
    spec = where / "study.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        "outputs:\n  formats: [html, docx, csv]",
        "outputs:\n  formats: [html, csv]\n  sections: {safety: false}")
    assert "sections: {safety: false}" in text
    spec.write_text(text, encoding="utf-8")
    assert len(pd.read_csv(where / "adverse_events.csv")) > 0  # the data have AEs
    code, said = run_cli(["validate", str(spec)])
    assert code == 0, said
    out = tmp_path / "out"
    code, ran = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, ran
    assert not [p.name for p in (out / "tables").iterdir() if p.stem.startswith("safety")]
    ard = read_ard(out)
    assert not ard["analysis"].str.startswith("safety").any()
    assert "response" in set(ard["analysis"])  # the other sections stay
    html = (out / "report.html").read_text(encoding="utf-8").lower()
    assert "ctcae" not in html and "treatment-related adverse events" not in html


def test_without_a_regimen_the_methods_time_from_the_index_date(cohort_dir, run_cli):
    # No index_date_label and no regimen or therapy data: nothing said of a regimen.
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8")
    spec = cohort_dir / "edited.yaml"
    spec.write_text(text.replace('  index_date_label: "start of treatment"\n', ""),
                    encoding="utf-8")
    assert "index_date_label" not in spec.read_text(encoding="utf-8")
    out = cohort_dir / "out"
    code, said = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, said
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "regimen" not in html.lower()
    assert "Overall survival ran from the index date to death" in html
    assert "Observation time: from the index date to death or the last contact" in html


def test_a_level_of_one_patient_has_a_median_whose_limits_are_not_estimable(cohort_dir,
                                                                          run_cli):
    # ECOG 3 in R's lung is one patient, dead on day 118: the median is 118 days, its
    # interval undefined (R survfit: NA, NA): "118 (NE)" (whole days), not "(NR-NR)" (NR is
    # for a median, or a limit, whose curve does not fall to 0.5).
    text = (cohort_dir / "lung_en.yaml").read_text(encoding="utf-8")
    cut = 'cut: [0, 1, 2], labels: ["0", "1", "2-3"]'
    assert cut in text
    spec = cohort_dir / "edited.yaml"
    spec.write_text(text.replace(cut, 'cut: [0, 1, 2, 3], labels: ["0", "1", "2", "3"]'),
                    encoding="utf-8")
    out = cohort_dir / "out"
    code, said = run_cli(["run", str(spec), "--out", str(out)])
    assert code == 0, said
    table = pd.read_csv(out / "tables" / "subgroups_os.csv", header=1, dtype=str)
    row = table[table["Characteristic"].str.strip() == "3"].iloc[0]
    assert (row["Patients"], row["Events"], row["Median, days (95% CI)"]) == (
        "1", "1", "118 (NE)")
    assert not table["Median, days (95% CI)"].fillna("").str.contains("NR").any()
    ard = read_ard(out)
    limits = ard[(ard["group_var"] == "ecog_group") & (ard["group_level"] == "3")
                 & (ard["variable"] == "median") & ard["statistic"].isin(["lower", "upper"])]
    assert len(limits) == 2 and (limits["value"] == "").all()
    assert limits["method"].str.contains("not estimable, NE").all()
