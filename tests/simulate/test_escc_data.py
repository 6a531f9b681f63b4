"""The generator's records: canonical shape, determinism, scaling and RECIST margins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oncocohort.canon.schema import TABLES
from oncocohort.simulate import simulate_escc
from oncocohort.simulate._calibration import allocate

CANONICAL = ("patients", "therapy", "therapy_lines", "lesions", "adverse_events")


def test_tables_use_canonical_names_and_codes(tables):
    assert set(tables) == set(CANONICAL)
    for name in CANONICAL:
        t, schema = tables[name], TABLES[name]
        if not schema.free_columns:
            assert set(t.columns) <= set(schema.names), name
        for col in schema.required:
            assert col in t.columns and t[col].notna().all(), (name, col)
        for c in schema.columns:
            if c.allowed and c.name in t.columns:
                assert set(t[c.name].dropna()) <= set(c.allowed), (name, c.name)
        assert not t.duplicated(list(schema.key)).any(), name
    assert "responses" not in tables
    assert not {"best_response", "progression_date"} & set(tables["patients"].columns)


def test_deterministic_from_seed(tables):
    again = simulate_escc()
    for name in CANONICAL:
        pd.testing.assert_frame_equal(tables[name], again[name])
    other = simulate_escc(seed=1)
    assert not other["lesions"].equals(tables["lesions"])


def test_screen_failures_have_only_minimal_records(tables, selection):
    out = set(selection.excluded)
    assert len(out) == 144
    for name in ("therapy", "lesions", "adverse_events", "therapy_lines"):
        assert not set(tables[name]["subject_id"]) & out, name


def test_lesion_schedule(tables, included):
    les = tables["lesions"].merge(included[["subject_id", "index_date"]], on="subject_id")
    day = (les["visit_date"] - les["index_date"]).dt.days
    base = (les.groupby("subject_id")["visit_date"].transform("min") == les["visit_date"])
    base = base.to_numpy()
    assert day[base].between(-28, -1).all()
    visits = les.loc[~base].groupby("subject_id")["visit_date"].unique()
    for sid, v in visits.items():
        v = np.sort(v)
        first = (v[0] - included.set_index("subject_id").loc[sid, "index_date"]).days
        assert first >= 44
        gaps = np.diff(v).astype("timedelta64[D]").astype(int)
        assert ((gaps >= 42) & (gaps <= 56)).all()
    targets = les[les["lesion_type"] == "TARGET"]
    n_t = targets.groupby("subject_id")["lesion_id"].nunique()
    assert n_t.between(1, 5).all()
    tbase = (targets.groupby("subject_id")["visit_date"].transform("min")
             == targets["visit_date"])
    nodal = targets["nodal"].astype(bool)
    assert (targets.loc[tbase & nodal, "diameter"] >= 15).all()
    assert (targets.loc[tbase & ~nodal, "diameter"] >= 10).all()
    # 5 patients without any post-baseline scan (not evaluable)
    assert len(included) - len(visits) == 5


def test_target_sums_keep_margins_from_recist_cutoffs(tables, included):
    """No post-baseline target sum lies within reach of a RECIST cut-off by rounding.

    Fractions of baseline avoid 0.66-0.74 (PR at -30 %), and the ratio to the running nadir
    avoids 1.15-1.25 (PD at +20 %); where the ratio passes 1.25 the growth is over 5 mm.
    """
    les = tables["lesions"]
    les = les[les["subject_id"].isin(included["subject_id"]) & (les["lesion_type"] == "TARGET")]
    sums = les.groupby(["subject_id", "visit_date"])["diameter"].sum().reset_index()
    for _, g in sums.groupby("subject_id"):
        s = g.sort_values("visit_date")["diameter"].to_numpy()
        nadir = s[0]
        for x in s[1:]:
            assert not 1.15 < x / nadir < 1.25
            if x / nadir >= 1.25:  # progression by the target sum: evaluation stops here
                assert x - nadir >= 5
                break
            assert not 0.66 < x / s[0] < 0.74
            nadir = min(nadir, x)


@pytest.mark.by_hand
def test_allocate_largest_remainder():
    assert allocate({"a": 61, "b": 26}, 87) == {"a": 61, "b": 26}
    # 10 * 61/87 = 7.01, 10 * 26/87 = 2.99 -> 7, 3
    assert allocate({"a": 61, "b": 26}, 10) == {"a": 7, "b": 3}
    # ties go to the earlier key
    assert allocate({"a": 1, "b": 1}, 1) == {"a": 1, "b": 0}
    assert allocate({"a": 0, "b": 0}, 3) == {"a": 0, "b": 0}


def test_other_sizes_keep_proportions():
    t = simulate_escc(seed=7, n_patients=462)
    p = t["patients"]
    assert len(p) == 462 and p["subject_id"].is_unique
    assert p["regimen"].eq("anlotinib + PD-1 antibody").sum() > 87
    treated = p["eot_reason"].notna() | p["subject_id"].isin(t["therapy"]["subject_id"])
    assert treated.sum() == 2 * 87
    small = simulate_escc(seed=3, n_patients=12)
    assert len(small["patients"]) == 12


def test_bad_size():
    with pytest.raises(ValueError):
        simulate_escc(n_patients=0)


@pytest.mark.parametrize("seed", [2, 7])
def test_follow_up_limit_censors_instead_of_stacking_events(seed):
    """Latent times past the longest follow-up (33.6 months) are censored, not moved onto it.

    A cap on the death day once put 6 of 59 deaths of the demo on one day at the end of the
    curve; with twice the demo's size such a cap would stack a dozen. Beyond 24 months (past the
    scheduled-scan clustering) day-granular dates give at most a pair of deaths on one day, the
    longest observation stays within the limit, and the tail holds censored patients.
    """
    t = simulate_escc(seed=seed, n_patients=462)
    p = t["patients"]
    p = p[p["subject_id"].isin(t["therapy"]["subject_id"])]
    dead = p["death_date"].notna()
    days = (p["death_date"].fillna(p["last_alive_date"]) - p["index_date"]).dt.days
    assert days.max() <= 1022
    late_deaths = days[dead & (days > 730)]
    assert len(late_deaths) > 0 and late_deaths.value_counts().max() <= 2
    assert (days[~dead] > 900).sum() >= 3
    # long survivors followed up to the data cut-off: last contact on the cut-off day
    at_cutoff = p.loc[~dead & (days > 900), "last_alive_date"] == pd.Timestamp("2025-07-05")
    assert at_cutoff.any()


@pytest.mark.by_hand
def test_pick_first_takes_flagged_patients_first():
    from oncocohort.simulate._outcomes import _pick_first

    rng = np.random.default_rng(0)
    pool = np.array([0, 2, 3, 5, 7])
    first = np.zeros(8, dtype=bool)
    first[[1, 3, 7]] = True  # patient 1 is flagged but not in the pool
    got = _pick_first(rng, pool, 3, first)
    assert len(got) == 3 and len(set(got.tolist())) == 3 and set(got.tolist()) <= set(pool)
    assert set(got[:2].tolist()) == {3, 7}
    assert set(_pick_first(rng, pool, 1, first).tolist()) <= {3, 7}
    assert _pick_first(rng, pool, 0, first).size == 0
    # weights apply to the rest only; a zero weight is never picked
    w = np.array([1.0, 9.0, 1.0, 0.0, 9.0, 1.0, 9.0, 0.0])  # indexed by patient
    assert set(_pick_first(rng, pool, 3, np.zeros(8, dtype=bool), w).tolist()) == {0, 2, 5}
    assert set(_pick_first(rng, pool, 3, first, w)[:2].tolist()) == {3, 7}  # flags beat weights
