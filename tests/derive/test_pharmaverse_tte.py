"""Reference tier: OS, PFS and duration of response against pharmaverseadam ``adtte_onco``.

``adtte_onco`` was built by admiralonco's ``ad_adtte.R`` template (admiral
``derive_param_tte()``) from ``adsl`` and ``adrs_onco``; the extracts in ``data/`` are
written by ``data/extract_refdata.py`` (row/column selection only). We rebuild the named
dates from ADSL (RANDDT, LSTALVDT, DTHDT) and ADRS (PD, RSP, LSTA) and compare ADT, AVAL and
CNSR for every subject of every parameter. Dates and day counts are integers, so the
comparison is exact.
"""

from pathlib import Path

import pandas as pd
import pytest

from oncocohort.derive.dates import derive_named_dates
from oncocohort.derive.endpoints import DOR, OS, PFS, Endpoint, TimeOptions, derive_param_tte

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def named_dates() -> pd.DataFrame:
    adsl = pd.read_csv(DATA / "pv_adsl.csv", dtype=str)
    adsl = adsl[adsl["RANDDT"].notna()]
    patients = pd.DataFrame({
        "subject_id": adsl["USUBJID"],
        "index_date": pd.to_datetime(adsl["RANDDT"]),
        "last_alive_date": pd.to_datetime(adsl["LSTALVDT"]),
        "death_date": pd.to_datetime(adsl["DTHDT"]),
    })
    adrs = pd.read_csv(DATA / "pv_adrs.csv", dtype=str)
    wide = adrs[adrs["PARAMCD"] != "OVR"].pivot(index="USUBJID", columns="PARAMCD",
                                                 values=["ADT", "AVALC"])
    wide = wide.reindex(patients["subject_id"])
    best = pd.DataFrame({
        "subject_id": wide.index,
        "first_pd_date": pd.to_datetime(wide[("ADT", "PD")]),
        "first_response_date": pd.to_datetime(wide[("ADT", "RSP")]),
        "last_adequate_assessment_date": pd.to_datetime(wide[("ADT", "LSTA")]),
        "last_assessment_date": pd.to_datetime(wide[("ADT", "LSTA")]),
        "responder": wide[("AVALC", "RSP")].to_numpy(),
    })
    return derive_named_dates(patients, best)


@pytest.fixture(scope="module")
def adtte() -> pd.DataFrame:
    return pd.read_csv(DATA / "pv_adtte_onco.csv", dtype=str)


ADMIRAL_DAYS = TimeOptions(unit="days", day_count="admiral")


@pytest.mark.parametrize(
    ("paramcd", "endpoint", "n", "n_events"),
    [("OS", OS, 254, 3), ("PFS", PFS, 254, 6),
     ("RSD", Endpoint("rsd", "Duration of response", "first_response", ("progression", "death"),
                      ("last_adequate_assessment",), population="responders"), 4, 1),
     ("RSD", DOR, 4, 1)],
)
def test_matches_adtte_onco(named_dates, adtte, paramcd, endpoint, n, n_events):
    ours = derive_param_tte(named_dates, endpoint, options=ADMIRAL_DAYS).set_index("subject_id")
    ref = adtte[adtte["PARAMCD"] == paramcd].set_index("USUBJID")
    assert len(ours) == len(ref) == n
    assert set(ours.index) == set(ref.index)
    ours = ours.loc[ref.index]
    assert (ours["adt"] == pd.to_datetime(ref["ADT"])).all()
    assert (ours["start_date"] == pd.to_datetime(ref["STARTDT"])).all()
    assert (ours["aval_days"] == ref["AVAL"].astype(float)).all()
    assert (ours["cnsr"] == ref["CNSR"].astype(int)).all()
    assert int(ours["event"].sum()) == n_events


def test_quirk_pfs_after_os_for_1115(named_dates):
    """01-701-1115: last tumour assessment (2013-02-01) after last known alive (2013-01-23)."""
    os_ = derive_param_tte(named_dates, OS, options=ADMIRAL_DAYS).set_index("subject_id")
    pfs = derive_param_tte(named_dates, PFS, options=ADMIRAL_DAYS).set_index("subject_id")
    later = pfs.index[pfs["adt"] > os_.loc[pfs.index, "adt"]].tolist()
    assert later == ["01-701-1115"]
    assert pfs.loc["01-701-1115", "cnsdtdsc"] == "last_adequate_assessment"
