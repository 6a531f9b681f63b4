"""Adverse events: CTCAE v5.0 term mapping, attribution, treatment emergence, worst grades.

Term mapping (``ae_term`` -> ``ctcae_term``), first match wins
------------------------------------------------------------
1. ``given``: a non-empty ``ctcae_term`` that is a CTCAE v5.0 term (any letter case).
2. ``exact``: ``ae_term`` is a CTCAE v5.0 term, ignoring letter case and white space.
3. ``synonym``: ``ae_term`` is a key of the synonym map: :data:`DEFAULT_SYNONYMS` (common
   clinical names and British spellings: ``anaemia``, ``diarrhoea``, ``hand-foot syndrome``,
   ``ALT increased``...; the one table kept in :mod:`oncocohort.canon.ctcae`) updated by the
   spec's ``safety.synonyms`` (the spec wins).
4. ``unmapped``: kept, with ``ctcae_term`` empty; :func:`unmapped_ae_terms` lists them with
   "did you mean" suggestions. They still count in the "any AE" rows (under their recorded
   name in per-term tables), never silently dropped.

Record-level columns added by :func:`derive_ae`
-----------------------------------------------
``ctcae_term``, ``term_source`` (given/exact/synonym/unmapped), ``term`` (the CTCAE term, or
the recorded name when unmapped), ``soc`` (MedDRA SOC of the CTCAE list; empty when
unmapped), ``ae_group`` (the spec group holding the term, else the term), ``related``
(``related`` is true, or ``related_drugs`` names a regimen drug; when no regimen drugs are
given, any non-empty ``related_drugs``), ``related_<drug>`` per regimen drug (named in
``related_drugs``; a bare ``related = true`` attributes to no drug in particular), ``trtemfl``
(``Y``/``N``: onset on or after the index date and no later than ``treatment_emergent_days``
after the end of treatment: ``eot_date``, else the last dose in ``therapy``, else open; a
missing onset or index date counts as treatment-emergent, the conservative choice), and
``immune_related`` (the CTCAE term is in the spec's immune-related list).

Worst grade per subject (:func:`derive_ae_worst`) lives in
:mod:`oncocohort.derive.safety_grades` and is re-exported here; the grade table of patients
and percentages is an analysis (:func:`oncocohort.analysis.safety.summarise_ae_grades`).

References
----------
National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0, 2017.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from oncocohort.canon.conventions import Conventions
from oncocohort.canon.ctcae import (
    DEFAULT_SYNONYMS,
    ctcae_terms,
    lookup_ctcae_term,
    normalize_term,
    suggest_ctcae_terms,
)
from oncocohort.derive._common import check_known_subjects, index_patients, require_columns
from oncocohort.derive.safety_grades import derive_ae_worst

__all__ = [
    "DEFAULT_SYNONYMS",
    "SafetyOptions",
    "map_ctcae_term",
    "reason_ae_name",
    "derive_ae",
    "unmapped_ae_terms",
    "derive_ae_worst",
]

def _index_synonyms(mapping: Mapping[str, str], where: str) -> dict[str, str]:
    out = {}
    for key, target in mapping.items():
        hit = lookup_ctcae_term(target)
        if hit is None:
            sugg = suggest_ctcae_terms(target)
            hint = f"; did you mean {' or '.join(map(repr, sugg))}?" if sugg else ""
            raise ValueError(f"{where}: {target!r} (for {key!r}) is not a CTCAE v5.0 term{hint}")
        out[normalize_term(key)] = hit.term
    return out


@dataclass(frozen=True)
class SafetyOptions:
    """How adverse events are mapped, grouped, attributed and windowed (spec ``safety:``).

    Attributes
    ----------
    synonyms
        Recorded name -> CTCAE v5.0 term, on top of :data:`DEFAULT_SYNONYMS` (which
        ``default_synonyms=False`` switches off).
    groups
        Group name -> member terms (CTCAE terms or synonyms), e.g. ``{"Nausea and vomiting":
        ("Nausea", "Vomiting")}``. A term may belong to one group only.
    regimen_drugs
        Drugs of the studied regimen, for attribution (``related_<drug>`` columns).
    immune_related
        Terms flagged as immune-related adverse events.
    treatment_emergent_days
        Days after the end of treatment still counted as treatment-emergent (default 30).
    """

    synonyms: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    regimen_drugs: tuple[str, ...] = ()
    immune_related: tuple[str, ...] = ()
    treatment_emergent_days: int = Conventions().treatment_emergent_days
    default_synonyms: bool = True

    def __post_init__(self) -> None:
        # the spec hands lists; keep the options immutable in practice
        object.__setattr__(self, "groups", {k: tuple(v) for k, v in self.groups.items()})
        object.__setattr__(self, "synonyms", dict(self.synonyms))
        object.__setattr__(self, "regimen_drugs", tuple(self.regimen_drugs))
        object.__setattr__(self, "immune_related", tuple(self.immune_related))
        base = DEFAULT_SYNONYMS if self.default_synonyms else {}
        index = {**_index_synonyms(base, "default synonyms"),
                 **_index_synonyms(self.synonyms, "safety.synonyms")}
        object.__setattr__(self, "_synonyms", index)
        member_of: dict[str, str] = {}
        for group, members in self.groups.items():
            for m in members:
                term = self._require_term(m, f"safety.groups[{group!r}]")
                if term in member_of and member_of[term] != group:
                    raise ValueError(f"safety.groups: {term!r} is in both {member_of[term]!r} "
                                     f"and {group!r}")
                member_of[term] = group
        object.__setattr__(self, "_group_of", member_of)
        immune = frozenset(self._require_term(t, "safety.immune_related")
                           for t in self.immune_related)
        object.__setattr__(self, "_immune", immune)
        if self.treatment_emergent_days < 0:
            raise ValueError("treatment_emergent_days must be 0 or more")

    def _require_term(self, text: str, where: str) -> str:
        term, source = map_ctcae_term(text, self)
        if term is None:
            sugg = suggest_ctcae_terms(text)
            hint = f"; did you mean {' or '.join(map(repr, sugg))}?" if sugg else ""
            raise ValueError(f"{where}: {text!r} is not a CTCAE v5.0 term or synonym{hint}")
        return term


def map_ctcae_term(text: str, options: SafetyOptions | None = None) -> tuple[str | None, str]:
    """Map one recorded name: ``(ctcae_term, "exact" | "synonym")`` or ``(None, "unmapped")``.

    Examples
    --------
    >>> map_ctcae_term("Anaemia")
    ('Anemia', 'synonym')
    >>> map_ctcae_term("  diarrhea ")
    ('Diarrhea', 'exact')
    """
    hit = lookup_ctcae_term(text)
    if hit is not None:
        return hit.term, "exact"
    synonyms = (options or _DEFAULT_OPTIONS)._synonyms  # type: ignore[attr-defined]
    target = synonyms.get(normalize_term(text))
    return (target, "synonym") if target else (None, "unmapped")


def reason_ae_name(text: str, options: SafetyOptions | None = None) -> str | None:
    """The adverse event a recorded reason (a dose reduction's, an interruption's) names, as
    the safety tables name it: the spec group holding its CTCAE term, else the term; ``None``
    when the reason is no CTCAE term or synonym (``"patient request"``).

    Examples
    --------
    >>> reason_ae_name("hand-foot syndrome"), reason_ae_name("patient request")
    ('Palmar-plantar erythrodysesthesia syndrome', None)
    """
    term, _ = map_ctcae_term(text, options)
    if term is None:
        return None
    return (options or _DEFAULT_OPTIONS)._group_of.get(term, term)  # type: ignore[attr-defined]


def _soc_of() -> dict[str, str]:
    return {t.term: t.soc for t in ctcae_terms()}


def _map_terms(ae: pd.DataFrame, options: SafetyOptions) -> pd.DataFrame:
    """Each record's CTCAE term and where it came from, worked out once per distinct pair
    (recorded name, given term): records repeat a few dozen names."""
    given = ae["ctcae_term"] if "ctcae_term" in ae else pd.Series(None, index=ae.index)
    raw_codes, raw_names = pd.factorize(ae["ae_term"].to_numpy(dtype=object))
    pre_codes, pre_terms = pd.factorize(given.to_numpy(dtype=object))
    # a missing or non-text value maps as any other: factorize may merge them (1 == 1.0)
    pair_codes, pairs = pd.factorize((raw_codes + 1) * (len(pre_terms) + 1) + pre_codes + 1)
    terms, sources = [], []
    for pair in pairs:
        r, p = divmod(int(pair), len(pre_terms) + 1)
        raw = raw_names[r - 1] if r else None
        pre = pre_terms[p - 1] if p else None
        hit = lookup_ctcae_term(pre) if isinstance(pre, str) and pre.strip() else None
        if hit is not None:
            terms.append(hit.term), sources.append("given")
            continue
        term, src = map_ctcae_term(str(raw), options) if isinstance(raw, str) else (None,
                                                                                   "unmapped")
        terms.append(term), sources.append(src)
    return pd.DataFrame({"ctcae_term": np.array(terms, dtype=object)[pair_codes],
                         "term_source": np.array(sources, dtype=object)[pair_codes]},
                        index=ae.index)


def _drug_lists(ae: pd.DataFrame) -> tuple[np.ndarray, list[frozenset[str]]]:
    """The drugs each record names (``related_drugs``, ``;``-separated, case-folded), split once
    per distinct value: (per record, the position of its set in the list; the sets)."""
    raw = ae["related_drugs"] if "related_drugs" in ae else pd.Series(None, index=ae.index)
    codes, distinct = pd.factorize(raw.to_numpy(dtype=object))
    lists = [frozenset(x.strip().casefold() for x in v.split(";") if x.strip())
             if isinstance(v, str) else frozenset() for v in distinct]
    return codes, lists + [frozenset()]  # code -1 (missing): the last, empty set


def _per_record(drugs: tuple[np.ndarray, list[frozenset[str]]],
                test: Callable[[frozenset[str]], bool]) -> np.ndarray:
    """``test`` of each record's drug set, worked out once per distinct set."""
    codes, lists = drugs
    return np.array([test(s) for s in lists], dtype=bool)[codes]


def _treatment_end(patients: pd.DataFrame, therapy: pd.DataFrame | None) -> pd.Series:
    end = pd.to_datetime(patients["eot_date"]) if "eot_date" in patients else pd.Series(
        pd.NaT, index=patients.index)
    if therapy is not None and len(therapy):
        last = pd.to_datetime(therapy.get("end_date", therapy["start_date"])).fillna(
            pd.to_datetime(therapy["start_date"]))
        last_dose = last.groupby(therapy["subject_id"].astype(str)).max()
        end = end.fillna(patients.index.to_series().map(last_dose))
    return end


def derive_ae(
    adverse_events: pd.DataFrame,
    patients: pd.DataFrame,
    *,
    options: SafetyOptions,
    therapy: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Record-level adverse events with CTCAE term, SOC, group, attribution and flags.

    Parameters
    ----------
    adverse_events
        Canonical ``adverse_events`` table (``subject_id``, ``ae_term``; optional
        ``ctcae_term``, ``grade``, ``onset_date``, ``related``, ``related_drugs``...).
    patients
        Canonical ``patients`` table (``subject_id``; ``index_date`` and ``eot_date`` used
        for the treatment-emergent window).
    options
        :class:`SafetyOptions`.
    therapy
        Canonical ``therapy`` table; its last dose ends the window when ``eot_date`` is empty.

    Returns
    -------
    pandas.DataFrame
        The input columns (``ctcae_term`` replaced by the mapped term) plus ``term_source``,
        ``term``, ``soc``, ``ae_group``, ``related``, ``related_<drug>``, ``trtemfl``,
        ``immune_related`` (see the module docstring), in input order.
    """
    require_columns(adverse_events, ["subject_id", "ae_term"], "adverse_events")
    require_columns(patients, ["subject_id"], "patients")
    ae = adverse_events.assign(subject_id=adverse_events["subject_id"].astype(str))
    pat = index_patients(patients)
    check_known_subjects(ae["subject_id"], pat.index, "adverse_events")
    mapped = _map_terms(ae, options)
    ae["ctcae_term"] = mapped["ctcae_term"]
    ae["term_source"] = mapped["term_source"]
    ae["term"] = ae["ctcae_term"].fillna(ae["ae_term"])
    ae["soc"] = ae["ctcae_term"].map(_soc_of())
    ae["ae_group"] = ae["ctcae_term"].map(options._group_of).fillna(ae["term"])  # type: ignore
    ae["grade"] = (ae["grade"] if "grade" in ae else pd.Series(pd.NA, index=ae.index)).astype(
        "Int64")
    drugs = _drug_lists(ae)
    regimen = [d.casefold() for d in options.regimen_drugs]
    flagged = (ae["related"] if "related" in ae else pd.Series(pd.NA, index=ae.index))
    flagged = flagged.astype("boolean").fillna(False).astype(bool)
    named = _per_record(drugs, lambda s: bool(s & set(regimen)) if regimen else bool(s))
    ae["related"] = flagged | named
    for drug, key in zip(options.regimen_drugs, regimen, strict=True):
        ae[f"related_{drug}"] = _per_record(drugs, lambda s, k=key: k in s)
    index = ae["subject_id"].map(pd.to_datetime(pat["index_date"])) if "index_date" in pat \
        else pd.Series(pd.NaT, index=ae.index)
    end = ae["subject_id"].map(_treatment_end(pat, therapy))
    onset = pd.to_datetime(ae["onset_date"]) if "onset_date" in ae else pd.Series(
        pd.NaT, index=ae.index)
    limit = end + pd.Timedelta(days=options.treatment_emergent_days)
    before = onset.notna() & index.notna() & (onset < index)
    after = onset.notna() & limit.notna() & (onset > limit)
    ae["trtemfl"] = np.where(before | after, "N", "Y")
    ae["immune_related"] = ae["ctcae_term"].isin(options._immune).astype(bool)  # type: ignore
    return ae


def unmapped_ae_terms(ae: pd.DataFrame) -> pd.DataFrame:
    """Recorded names that :func:`derive_ae` could not map, for the validation report.

    Returns ``ae_term``, ``n_records``, ``n_subjects`` and ``suggestions`` (closest CTCAE
    terms, ``; ``-separated), most frequent first.
    """
    un = ae[ae["term_source"] == "unmapped"]
    out = un.groupby("ae_term", sort=True).agg(n_records=("subject_id", "size"),
                                               n_subjects=("subject_id", "nunique"))
    out = out.reset_index().sort_values(["n_records", "ae_term"], ascending=[False, True],
                                        kind="stable")
    out["suggestions"] = out["ae_term"].map(lambda t: "; ".join(suggest_ctcae_terms(t)))
    return out.reset_index(drop=True)


_DEFAULT_OPTIONS = SafetyOptions()
