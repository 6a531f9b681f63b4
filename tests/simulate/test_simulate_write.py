"""Writing the synthetic cohort: streamed CSV and the bundled, byte-identical demo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncocohort.simulate.hospital import WIDE_AE_TERMS
from oncocohort.write.synthetic import write_demo, write_escc
from oncocohort.simulate import simulate_escc

DEMO = Path(__file__).resolve().parents[2] / "src" / "oncocohort" / "data" / "demo"
FILES = ("patients.csv", "therapy.csv", "therapy_lines.csv", "lesions.csv",
         "adverse_events.csv", "hospital.xlsx")


def test_bundled_demo_regenerates_byte_identical(tmp_path):
    write_demo(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_streamed_csv_in_chunks(tmp_path, capsys):
    paths = write_escc(tmp_path, seed=11, n_patients=250, chunk_size=100, progress=False)
    assert capsys.readouterr().out == ""
    p = pd.read_csv(paths["patients"], dtype={"subject_id": str})
    assert len(p) == 250 and p["subject_id"].is_unique
    assert p["subject_id"].iloc[0] == "ESCC-0001" and p["subject_id"].iloc[-1] == "ESCC-0250"
    for name, path in paths.items():
        text = path.read_text(encoding="utf-8")
        header = text.split("\n", 1)[0]
        assert text.count(header + "\n") == 1, name  # one header, not one per chunk
    les = pd.read_csv(paths["lesions"], dtype={"subject_id": str})
    assert set(les["subject_id"]) <= set(p["subject_id"])
    # chunks are independent blocks: the second chunk's subjects also have records
    assert (les["subject_id"] > "ESCC-0100").any()


def test_default_chunk_equals_simulate(tmp_path):
    write_escc(tmp_path, progress=False)
    for name in FILES[:-1]:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name
    again = pd.read_csv(tmp_path / "patients.csv", dtype={"subject_id": str})
    assert again["subject_id"].tolist() == simulate_escc()["patients"]["subject_id"].tolist()


def test_write_arguments_checked(tmp_path):
    with pytest.raises(ValueError):
        write_escc(tmp_path, chunk_size=0, progress=False)


@pytest.fixture(scope="module")
def workbook():
    return pd.read_excel(DEMO / "hospital.xlsx", sheet_name=None)


def test_hospital_workbook_matches_long_tables(workbook, tables):
    wide, ae_sheet = workbook["Patients"], workbook["AE"]
    p = tables["patients"]
    assert len(wide) == 231 and wide["ID 病历号"].tolist() == p["subject_id"].tolist()
    assert wide["性别 Sex"].map({"男": "M", "女": "F"}).tolist() == p["sex"].tolist()
    assert len(ae_sheet) == len(tables["adverse_events"])
    ae = tables["adverse_events"]
    worst = ae[ae["related"]].groupby(["subject_id", "ae_term"])["grade"].max()
    treated = wide["Start date"].notna() & wide["Best response"].notna()
    assert treated.sum() == 87
    for term in WIDE_AE_TERMS:
        col = f"{term[0].upper()}{term[1:]} grade"
        got = wide.loc[treated].set_index("ID 病历号")[col]
        want = worst.xs(term, level="ae_term").reindex(got.index, fill_value=0)
        assert got.astype(int).tolist() == want.astype(int).tolist(), term
    assert wide.loc[treated, "Best response"].value_counts().to_dict() == {
        "SD": 45, "PR": 19, "PD": 18, "NE": 5}
