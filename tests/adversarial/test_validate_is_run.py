"""Item 10: validate == run. Whatever ``run`` rejects, ``validate`` reports first, with the
file and the rows: ``validate`` runs the model checks, the cohort selection and every
derivation (``study.run.check_study``), as ``run`` does before its analyses.
"""

from __future__ import annotations

from adversarial._study import assert_user_error


def _duplicate_lesion_row(demo) -> tuple[int, int]:
    """Copy one lesion row to the end of lesions.csv: (the row copied, the new row)."""
    rows = demo.rows("lesions.csv")
    rows.append(list(rows[1]))
    demo.write_rows("lesions.csv", rows)
    return 2, len(rows)


def test_duplicated_lesion_row_is_reported_by_validate_at_both_rows(demo, tmp_path):
    first, copy = _duplicate_lesion_row(demo)
    subject = demo.cell("lesions.csv", first, "subject_id")
    expected = (f"lesions.csv, row {copy}, column 'lesion_id', subject {subject}: lesion "
                f"recorded twice at one visit (same subject, visit date and lesion id; also at "
                f"lesions.csv, row {first}): keep one of the rows")
    v = demo.validate()
    assert_user_error(v, expected)
    assert "No errors." not in v.output
    r = demo.run(tmp_path / "out")
    assert_user_error(r, expected)
    assert not (tmp_path / "out").exists()


def test_an_endpoint_the_data_cannot_give_is_a_user_error_at_validate(demo, tmp_path):
    """An endpoint starting at a date some patients lack fails in the derivation, which
    ``validate`` runs too: exit 2 at the endpoint's YAML path naming the subjects, never an
    internal error and never "No errors." followed by a failing run."""
    demo.edit_spec(lambda s: s["endpoints"].update({"tfs": {
        "label": "Treatment-free survival", "start": "patients.eot_date",
        "events": ["death"], "censor": ["last_alive"]}}))
    expected = ("study.yaml, endpoints.tfs.start: endpoint 'tfs': no patients.eot_date date "
                "for subject(s) ESCC-")
    assert_user_error(demo.validate(), expected)
    assert_user_error(demo.run(tmp_path / "out"), expected)
    assert not (tmp_path / "out").exists()
