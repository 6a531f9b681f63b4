"""Univariable screening then a multivariable Cox model ("Table 2" of an outcome study).

Procedure (:func:`screen_and_fit`):

1. Each candidate variable is fitted alone (``cox(..., covariates=[var])``, rows missing that
   variable dropped): hazard ratio, Wald CI and Wald p for every term; for categorical
   candidates also the log-rank p (:func:`oncocohort.stats.logrank.logrank`).
2. A variable is selected when its screening p-value is below ``threshold``. The p-value is a
   test of the *whole variable*, so a multi-level categorical variable enters (with all its
   levels) or stays out as one; it never enters because one level happens to be significant:

   * ``p_from="wald"``: joint Wald test of the variable's terms (the term's Wald p for a
     single-term variable);
   * ``p_from="lr"``: likelihood-ratio test of the univariable model against the null model;
   * ``p_from="logrank"``: log-rank test for categorical variables; for numeric variables,
     which have no log-rank test, the Cox score test (which is the log-rank test's
     generalisation to a continuous covariate).
3. The selected variables are fitted together; rows missing any of them are dropped, so the
   multivariable model may use fewer subjects than a univariable one (``n`` is reported).

Pre-screening on univariable p-values is a common, not a recommended, practice (it ignores
confounding and inflates type I error of the final model); it is provided because published
real-world studies report it and a study must be reproducible as planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._cox_design import is_categorical
from .cox import Cox, cox
from .logrank import LogRank, logrank

__all__ = ["ScreenResult", "screen_and_fit", "P_FROM"]

P_FROM = ("wald", "lr", "logrank")


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields, not results
class ScreenResult:
    """Result of :func:`screen_and_fit`.

    Attributes
    ----------
    univariable : DataFrame, one row per term of each candidate: ``variable, term, n, hr, lower,
        upper, p`` (term Wald p), ``p_wald`` (joint Wald test of the variable), ``p_lr``,
        ``p_logrank`` (NaN for numeric variables), ``p_screen`` (the one used) and ``selected``.
    multivariable : the multivariable :class:`Cox` fit, or None when no variable passes.
    selected : the variables that passed, in candidate order.
    univariable_fits : the univariable :class:`Cox` fits by variable.
    """

    univariable: pd.DataFrame
    multivariable: Cox | None
    selected: tuple[str, ...]
    threshold: float
    p_from: str
    univariable_fits: Mapping[str, Cox] = field(repr=False, default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``variable, term, model, n, hr, lower, upper, p`` for both models."""
        uni = self.univariable.assign(model="univariable")[
            ["variable", "term", "model", "n", "hr", "lower", "upper", "p"]
        ]
        parts = [uni]
        if self.multivariable is not None:
            t = self.multivariable.table
            fit = self.multivariable
            variable_of = {}
            for var in self.selected:
                for term in t.index:
                    if term == var or term.startswith(f"{var}["):
                        variable_of[term] = var
            parts.append(
                pd.DataFrame(
                    {
                        "variable": [variable_of.get(k, k) for k in t.index],
                        "term": list(t.index),
                        "model": "multivariable",
                        "n": fit.n,
                        "hr": t["hr"].to_numpy(),
                        "lower": t["hr_lower"].to_numpy(),
                        "upper": t["hr_upper"].to_numpy(),
                        "p": t["p"].to_numpy(),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


def screen_and_fit(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    candidates: Sequence[str],
    threshold: float = 0.05,
    p_from: str = "wald",
    ties: str = "efron",
    conf_level: float = 0.95,
    reference: Mapping[str, object] | None = None,
    logrank_tests: Mapping[str, LogRank] | None = None,
) -> ScreenResult:
    """Screen candidates one at a time, then fit those with p < ``threshold`` together.

    Parameters
    ----------
    data, time, event
        As for :func:`oncocohort.stats.cox.cox`.
    candidates
        Column names to screen (numeric or categorical).
    threshold
        A variable is selected when its screening p-value is strictly below this.
    p_from
        ``"wald"`` (default), ``"lr"`` or ``"logrank"``: which test of the whole variable
        decides selection (see the module docstring).
    ties, conf_level, reference
        Passed to every Cox fit.
    logrank_tests
        Log-rank tests of categorical candidates the caller has already computed on the
        same rows (those with the variable; groups in sorted order), by variable: not
        computed again.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [5, 8, 3, 9, 2, 7, 4, 6, 10, 1],
    ...                    "e": [1, 0, 1, 1, 1, 0, 1, 1, 0, 1], "arm": list("ABBAABBAAB"),
    ...                    "age": [60, 55, 71, 48, 66, 59, 70, 52, 58, 64]})
    >>> res = screen_and_fit(df, time="t", event="e", candidates=["arm", "age"], threshold=1.0)
    >>> res.selected
    ('arm', 'age')
    """
    if p_from not in P_FROM:
        raise ValueError(f"p_from must be one of {P_FROM}, not {p_from!r}")
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    candidates = list(candidates)
    if not candidates:
        raise ValueError("candidates must name at least one column")
    missing = [c for c in candidates if c not in data.columns]
    if missing:
        raise ValueError(f"candidate column(s) not in data: {missing}")
    reference = dict(reference or {})
    logrank_tests = dict(logrank_tests or {})

    rows = []
    fits: dict[str, Cox] = {}
    selected: list[str] = []
    for var in candidates:
        ref = {var: reference[var]} if var in reference else None
        try:
            fit = cox(
                data,
                time=time,
                event=event,
                covariates=[var],
                ties=ties,
                conf_level=conf_level,
                reference=ref,
            )
        except ValueError as exc:
            raise ValueError(f"univariable Cox model of {var!r}: {exc}") from exc
        fits[var] = fit
        p_logrank = np.nan
        if var in logrank_tests:
            p_logrank = logrank_tests[var].p_value
        elif is_categorical(data[var]):
            sub = data[[time, event, var]].dropna()
            p_logrank = logrank(
                sub[time].to_numpy(float), sub[event].to_numpy(float), sub[var].to_numpy()
            ).p_value
        p_screen = {
            "wald": fit.wald_test.p_value,
            "lr": fit.lr_test.p_value,
            "logrank": p_logrank if not np.isnan(p_logrank) else fit.score_test.p_value,
        }[p_from]
        passed = bool(p_screen < threshold)
        if passed:
            selected.append(var)
        t = fit.table
        for term in t.index:
            rows.append(
                {
                    "variable": var,
                    "term": term,
                    "n": fit.n,
                    "hr": t.at[term, "hr"],
                    "lower": t.at[term, "hr_lower"],
                    "upper": t.at[term, "hr_upper"],
                    "p": t.at[term, "p"],
                    "p_wald": fit.wald_test.p_value,
                    "p_lr": fit.lr_test.p_value,
                    "p_logrank": p_logrank,
                    "p_screen": p_screen,
                    "selected": passed,
                }
            )
    multi = None
    if selected:
        ref = {k: v for k, v in reference.items() if k in selected} or None
        multi = cox(
            data,
            time=time,
            event=event,
            covariates=selected,
            ties=ties,
            conf_level=conf_level,
            reference=ref,
        )
    return ScreenResult(
        univariable=pd.DataFrame(rows),
        multivariable=multi,
        selected=tuple(selected),
        threshold=threshold,
        p_from=p_from,
        univariable_fits=fits,
    )
