"""Treatment records of the synthetic cohort: regimen administrations, prior and later lines.

Anlotinib is taken once daily on days 1-14 of 21-day cycles (one ``therapy`` row per cycle
period, ``end_date`` = last day taken) and the PD-1 antibody is given on day 1 of each cycle
(200 mg, one row per infusion). Dose reductions follow 12 -> 10 -> 8 mg (or 10 -> 8 mg) with
the toxicity that caused them; short interruptions end a period early; PD-1 delays push a cycle
by one to two weeks.
"""

from __future__ import annotations

import numpy as np

from oncocohort.simulate import _calibration as cal
from oncocohort.simulate._outcomes import Course

__all__ = ["draw_therapy", "draw_prior_lines", "draw_subsequent"]

_LEVELS = {12.0: 10.0, 10.0: 8.0, 8.0: 8.0}
_INTERRUPT_P = 0.11  # per cycle; tuned so the mean relative dose intensity is about 90 %
_INTERRUPT_REASONS = ("fatigue", "hand-foot syndrome", "hypertension", "diarrhoea",
                      "oral mucositis", "patient request")


def draw_therapy(rng: np.random.Generator, c: Course, start_dose: float, pd1: str,
                 reduction: str | None, pd1_delay: str | None) -> tuple[list[tuple], int]:
    """Rows ``(drug, start_day, end_day, cycle, dose, planned_dose, change, reason)``.

    Returns the rows and the day of the last dose (the end-of-treatment day).
    """
    stop = c.on_cutoff_day if c.eot_day is None else c.eot_day
    n_cycles = max(1, (stop - 1) // 21 + 1)
    red_at = int(rng.integers(2, max(3, n_cycles))) if reduction and n_cycles >= 2 else None
    red2_at = None
    if red_at is not None and start_dose == 12.0 and n_cycles > red_at + 2 and rng.uniform() < 0.3:
        red2_at = int(rng.integers(red_at + 1, n_cycles))
    delay_at = int(rng.integers(2, max(3, n_cycles))) if pd1_delay and n_cycles >= 2 else None
    rows: list[tuple] = []
    dose = start_dose
    day = 0
    last = 0
    for cyc in range(1, n_cycles + 1):
        change, reason = "none", None
        if cyc == delay_at:
            day += int(rng.integers(7, 15))
            change, reason = "delay", pd1_delay
        if day > stop:
            break
        if cyc in (red_at, red2_at):
            dose = _LEVELS[dose]
            change, reason = "reduction", reduction
        length = 14
        if change == "none" and cyc > 1 and rng.uniform() < _INTERRUPT_P:
            length = int(rng.integers(5, 11))
            change, reason = "interruption", str(rng.choice(_INTERRUPT_REASONS))
        end = min(day + length - 1, stop)
        rows.append(("anlotinib", day, end, cyc, dose, start_dose, change, reason))
        pd1_change = "delay" if cyc == delay_at else "none"
        rows.append((pd1, day, day, cyc, 200.0, 200.0, pd1_change,
                     pd1_delay if cyc == delay_at else None))
        last = max(end, day)
        day += 21
    return rows, last


_ICI = ("camrelizumab", "sintilimab", "tislelizumab", "toripalimab", "pembrolizumab",
        "nivolumab")
_TAXANE = ("paclitaxel", "docetaxel", "nab-paclitaxel")
_PLATINUM = ("cisplatin", "nedaplatin", "carboplatin", "oxaliplatin")
_TARGETED = ("nimotuzumab", "apatinib")
_FILLER = (("S-1", "fluoropyrimidine"), ("capecitabine", "fluoropyrimidine"),
           ("irinotecan", "chemotherapy other"), ("5-fluorouracil", "fluoropyrimidine"))


def draw_prior_lines(rng: np.random.Generator, n_lines: int, ici: bool, taxane: bool,
                     platinum: bool, targeted: bool, tfi_days: int | None) -> list[tuple]:
    """Rows ``(setting, line, drug, class, start_day, end_day, progressed)`` (days < 0).

    The ICI is always in the last prior line and its last dose is ``tfi_days`` before the index
    date, so the treatment-free interval of a rechallenge is read from the records.
    """
    content: list[list[tuple[str, str]]] = [[] for _ in range(n_lines)]
    if platinum:
        content[0].append((str(rng.choice(_PLATINUM)), "platinum"))
    if taxane:
        content[int(rng.integers(0, n_lines))].append((str(rng.choice(_TAXANE)), "taxane"))
    if targeted:
        at = int(rng.integers(1, n_lines)) if n_lines > 1 else 0
        content[at].append((str(rng.choice(_TARGETED)), "targeted"))
    if ici:
        content[-1].append((str(rng.choice(_ICI)), "ICI"))
    for drugs in content:
        if not drugs:
            drugs.append(_FILLER[int(rng.integers(0, len(_FILLER)))])
    end = -(tfi_days if ici and tfi_days else int(rng.integers(20, 120)))
    rows = []
    for line in range(n_lines, 0, -1):
        start = end - int(rng.integers(60, 240))
        for drug, cls in content[line - 1]:
            drug_end = end if cls == "ICI" else end - int(rng.integers(0, 30))
            rows.append(("prior", line, drug, cls, start, max(drug_end, start), True))
        end = start - int(rng.integers(14, 60))
    return rows[::-1]


def draw_subsequent(rng: np.random.Generator, c: Course, n_prior: int) -> list[tuple]:
    """Some patients alive a month after stopping start a new line of therapy.

    Lines are numbered on from the studied regimen (line ``n_prior + 1``).
    """
    if c.eot_day is None or c.pd_day is None:
        return []
    begin = max(c.pd_day, c.eot_day) + int(rng.integers(14, 45))
    if begin >= c.last_alive_day or rng.uniform() > 0.45:
        return []
    drug, cls = [("irinotecan", "chemotherapy other"), ("S-1", "fluoropyrimidine"),
                 ("docetaxel", "taxane"), ("radiotherapy", "radiotherapy")][int(rng.integers(0, 4))]
    end = min(begin + int(rng.integers(20, 120)), c.last_alive_day)
    return [("subsequent", n_prior + 2, drug, cls, begin, end, None)]


def tfi_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Treatment-free intervals since the last prior ICI dose, from calibrated quantiles."""
    q = np.array(cal.TFI_QUANTILES)
    u = (rng.permutation(n) + rng.uniform(size=n)) / max(n, 1)
    months = np.interp(u, q[:, 0], q[:, 1])
    return np.round(months * cal.DAYS_PER_MONTH).astype(int)
