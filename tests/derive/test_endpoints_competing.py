"""Competing events and status times: one patient per scenario, expected rows typed by hand."""

import numpy as np
import pandas as pd
import pytest

from oncocohort.derive.endpoints import (
    STATUS_COLUMNS,
    Endpoint,
    TimeOptions,
    derive_param_tte,
    derive_status_times,
)

T = pd.Timestamp
DAYS = TimeOptions(unit="days")
TTP = Endpoint("ttp", "Time to progression", "index", ("progression",),
               ("last_adequate_assessment", "index"), competing=("death",))

# A: progression, later death          -> event of interest at the progression (cause 1)
# B: death without progression         -> competing event at the death (cause 2)
# C: progression and death the same day -> event of interest (cause 1 wins a tie)
# D: neither                           -> censored at the last adequate assessment (cause 0)
# E: death after the data cut-off       -> censored at the cut-off (known free of both then)
DATES = pd.DataFrame({
    "subject_id": ["A", "B", "C", "D", "E"],
    "index": [T("2024-01-01")] * 5,
    "progression": [T("2024-03-01"), pd.NaT, T("2024-04-10"), pd.NaT, pd.NaT],
    "death": [T("2024-06-01"), T("2024-02-15"), T("2024-04-10"), pd.NaT, T("2025-02-01")],
    "last_adequate_assessment": [T("2024-02-20"), T("2024-02-01"), T("2024-03-20"),
                                 T("2024-05-01"), T("2024-10-01")],
    "first_response": [T("2024-02-01"), pd.NaT, pd.NaT, T("2024-03-01"), T("2025-01-15")],
    "data_cutoff": [T("2024-12-31")] * 5,
})


@pytest.mark.by_hand
def test_competing_events_by_patient():
    r = derive_param_tte(DATES, TTP, options=DAYS).set_index("subject_id")
    assert list(r["cause"]) == [1, 2, 1, 0, 0]
    assert list(r["event"]) == [1, 0, 1, 0, 0]
    assert list(r["cnsr"]) == [0, 2, 0, 1, 1]
    # admiral day count: adt - index + 1
    assert list(r["aval"]) == [61.0, 46.0, 101.0, 122.0, 366.0]
    assert r.at["B", "evntdesc"] == "competing: death"
    assert r.at["A", "evntdesc"] == "progression"
    assert r.at["E", "cnsdtdsc"] == "data cut-off"


@pytest.mark.by_hand
def test_without_competing_dates_nothing_changes():
    plain = Endpoint("ttp", "TTP", "index", ("progression",),
                     ("last_adequate_assessment", "index"))
    r = derive_param_tte(DATES, plain, options=DAYS)
    assert list(r["cause"]) == list(r["event"]) == [1, 0, 1, 0, 0]
    assert list(r["cnsr"]) == [0, 1, 0, 1, 1]


def test_a_date_cannot_be_event_and_competing():
    with pytest.raises(ValueError, match="both an event and a competing event"):
        Endpoint("x", "X", "index", ("death",), ("index",), competing=("death",))


@pytest.mark.by_hand
def test_status_times_from_the_endpoint_start():
    os_ = Endpoint("os", "OS", "index", ("death",), ("last_adequate_assessment",))
    tte = derive_param_tte(DATES, os_, options=DAYS)
    st = derive_status_times(DATES, tte, [("os", "first_response")], options=DAYS)
    assert tuple(st.columns) == STATUS_COLUMNS
    got = st.set_index("subject_id")["status_time"]
    # A: 2024-02-01 is day 32; D: 2024-03-01 day 61; E: response after the cut-off: none
    assert got["A"] == 32.0 and got["D"] == 61.0
    assert np.isnan(got["B"]) and np.isnan(got["C"]) and np.isnan(got["E"])
    empty = derive_status_times(DATES, tte, [], options=DAYS)
    assert tuple(empty.columns) == STATUS_COLUMNS and empty.empty
