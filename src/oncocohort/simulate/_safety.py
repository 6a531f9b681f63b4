"""Adverse-event records with exact patient-level worst grades.

Worst grades are assigned first, per patient and reported category, so that the counts of
Table 3 hold by construction; each (patient, category) is then spread over one to three
records with changing grades whose maximum is that worst grade. Records not related to the
regimen are added on top (some with the same terms), so that a summary must filter on
``related`` to reproduce the table.
"""

from __future__ import annotations

import numpy as np

from oncocohort.simulate import _calibration as cal

__all__ = ["assign_worst_grades", "draw_ae_records"]

_SEVERE_4 = {"anaemia", "liver function abnormality", "pneumonitis"}


def assign_worst_grades(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray]:
    """Worst grade (0 = none) per patient (rows) and category (columns, order of ``TRAE``)."""
    cats = list(cal.TRAE)
    worst = np.zeros((n, len(cats)), dtype=int)
    if n == 0:
        return cats, worst
    status = cal.shuffled_labels(rng, cal.TRAE_ANY, n)
    severe = np.flatnonzero(status == "severe")
    anyp = np.flatnonzero(status != "none")
    mild_only = np.flatnonzero(status == "mild")
    n_sev = {k: v for k, v in cal.allocate({k: v[1] for k, v in cal.TRAE.items()},
                                           _scaled_total(n, 1)).items()}
    n_mild = {k: v for k, v in cal.allocate({k: v[0] for k, v in cal.TRAE.items()},
                                            _scaled_total(n, 0)).items()}
    # grade >= 3: one slot per severe patient first, the rest to severe patients without it
    slots = np.concatenate([[j] * n_sev[c] for j, c in enumerate(cats)]).astype(int)
    slots = slots[rng.permutation(len(slots))]
    for p, j in zip(severe, slots[: len(severe)], strict=False):
        worst[p, j] = 3
    for j in slots[len(severe):]:
        pool = severe[worst[severe, j] == 0]
        if len(pool):
            worst[rng.choice(pool), j] = 3
    # grade 1-2: one slot per mild patient first, then anyone with a TRAE and no grade yet
    left = {j: n_mild[c] for j, c in enumerate(cats)}
    for p in mild_only:
        js = [j for j in left if left[j] > 0]
        w = np.array([left[j] for j in js], dtype=float)
        j = int(rng.choice(js, p=w / w.sum()))
        worst[p, j] = 1
        left[j] -= 1
    for j, k in left.items():
        pool = anyp[worst[anyp, j] == 0]
        for p in rng.choice(pool, size=min(k, len(pool)), replace=False):
            worst[p, j] = 1
    # actual grades: 1-2 -> 1 or 2; >=3 -> 3, sometimes 4
    mild = worst == 1
    worst[mild] = np.where(rng.uniform(size=mild.sum()) < 0.6, 1, 2)
    for j, c in enumerate(cats):
        sev = np.flatnonzero(worst[:, j] == 3)
        if c in _SEVERE_4:
            worst[sev, j] = np.where(rng.uniform(size=len(sev)) < 0.2, 4, 3)
    return cats, worst


def _scaled_total(n: int, which: int) -> int:
    total = sum(v[which] for v in cal.TRAE.values())
    return int(round(total * n / cal.N_INCLUDED))


def _grades_over_time(rng: np.random.Generator, g: int) -> list[int]:
    if g >= 2 and rng.uniform() < 0.6:
        seq = [int(rng.integers(1, g)), g]
    else:
        seq = [g]
    if rng.uniform() < 0.3:
        seq.append(max(1, g - 1))
    return seq


def draw_ae_records(rng: np.random.Generator, cats: list[str], worst_row: np.ndarray,
                    last_day: int, pd1: str) -> list[tuple]:
    """Rows ``(term, grade, onset_day, end_day, related, related_drugs, serious)``."""
    rows: list[tuple] = []
    used: set[tuple[str, int]] = set()
    last_day = max(last_day, 4)
    for j, c in enumerate(cats):
        g = int(worst_row[j])
        if g == 0:
            continue
        terms, attrib = cal.TRAE_TERMS[c]
        drugs = {"anlotinib": "anlotinib", "pd1": pd1, "both": f"anlotinib;{pd1}"}[attrib]
        main = terms[0] if len(terms) == 1 or rng.uniform() < 0.7 else str(rng.choice(terms))
        plan = [(main, _grades_over_time(rng, g))]
        others = [t for t in terms if t != main]
        if others and rng.uniform() < 0.5:
            plan.append((str(rng.choice(others)), [int(rng.integers(1, g + 1))]))
        for term, grades in plan:
            hi = min(last_day, 150)
            if hi - 3 + 1 < len(grades):
                grades = [max(grades)]
            days = np.sort(rng.choice(np.arange(3, hi + 1), size=len(grades), replace=False))
            for k, (grade, day) in enumerate(zip(grades, days, strict=True)):
                nxt = int(days[k + 1]) if k + 1 < len(days) else None
                end = int(day) + int(rng.integers(5, 60))
                if nxt is not None:
                    end = min(end, nxt - 1)
                elif end >= last_day:
                    end = None
                rows.append((term, grade, int(day), end, True, drugs,
                             bool(grade >= 3 and rng.uniform() < 0.5)))
                used.add((term, int(day)))
    for _ in range(int(rng.choice([0, 1, 2, 3], p=[0.35, 0.35, 0.2, 0.1]))):
        term = str(rng.choice(cal.UNRELATED_TERMS))
        grade = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
        day = int(rng.integers(1, max(2, last_day)))
        if (term, day) in used:
            continue
        used.add((term, day))
        # ongoing (no end date) when not resolved by the last contact
        end = None if rng.uniform() < 0.3 or day + 14 >= last_day else day + 14
        rows.append((term, grade, day, end, False, None, False))
    return rows
