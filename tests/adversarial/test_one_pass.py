"""Item 11: one pass. A bad date, a cohort rule on an unknown column, an unknown baseline
variable and an endpoint date column the data lack are all reported by one ``validate``:
source problems, model problems and the spec's names checked against the data's columns
(``study.checks.check_names``) are collected in one list.
"""

from __future__ import annotations

from adversarial._study import assert_user_error


def test_bad_date_unknown_rule_column_and_baseline_variable_in_one_pass(demo):
    row = demo.find_row("patients.csv", subject_id="ESCC-0003")
    demo.set_cell("patients.csv", row, "index_date", "2023-02-30")

    def plant(spec):
        spec["cohort"]["inclusion"][1]["rule"] = "ecog_ps <= 2"
        spec["baseline"].append("smoking_status")
        spec["endpoints"]["os"]["censor"] = ["patients.last_visit"]

    demo.edit_spec(plant)
    out = demo.validate()
    assert_user_error(
        out,
        f"patients.csv, row {row}, column 'index_date', subject ESCC-0003:",
        "cohort.inclusion[1]: rule 'ecog' uses column 'ecog_ps', which the patients table "
        "does not have; did you mean 'ecog'?",
        "baseline[12]: baseline variable 'smoking_status' is neither a column of the patients "
        "table nor a derived subgroup variable",
        "endpoints.os.censor[0]: endpoint 'os' uses the date 'patients.last_visit', but the "
        "patients table has no column 'last_visit'",
        "4 errors")


def test_names_checked_even_when_a_source_cannot_be_read(demo):
    """A source that cannot be read (a mapped column missing) does not hide the spec's names
    checked against the patients file that could be read."""
    demo.edit_spec(lambda s: (s["sources"]["therapy"].update({"columns": {"dose": "Dose"}}),
                              s["baseline"].append("smoking_status")))
    out = demo.validate()
    assert_user_error(out, "column 'Dose' (for therapy.dose) is not in the file",
                      "baseline variable 'smoking_status'", "2 errors")
