"""The proposal engine: a sheet of raw cells -> a role per column, with confidence and evidence.

For each column the engine gathers candidate roles from the header
(:func:`oncocohort.propose.vocabulary.match_header`) and from the cells
(:func:`oncocohort.propose.content.profile_column`), and scores each one:

``score = header strength x fit``

* header strength: 1.0 when the header *is* a known name of the role, 0.85 when it contains
  one; roles suggested by the cells alone start at 0.6-0.7 (0.96 for content that is a direct
  identifier whatever the header says: phone numbers, national ID numbers, e-mail addresses);
* fit: how well the cells agree with what the role expects (dates for a date role, 0-5 for
  ECOG, response codes for the best response ...): 0.95 when they agree, lower when they
  partly do, 0 when they contradict (then the header is overruled and the evidence says so).

A column of an SPSS, Stata or SAS file may carry a *variable label* beside its short name
(``startdt``: "Treatment start date"). The label is header evidence of its own, matched and
weighed as a header is (its notes say "variable label"); the spec still maps the real
variable name, and a covariate's display label is the variable label.

The best-scoring role wins; roles that only one column may have (the canonical patients
columns, the vital status) go to the column with the higher score, and the other falls back
to its next candidate. A score of at least 0.8 is "sure"; below, a "guess", marked as such in
the spec with its evidence. What cannot be decided is asked (:mod:`oncocohort.propose.todos`).
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from oncocohort.propose.ae import ae_term_of, grade_words_removed, is_grade_header
from oncocohort.propose.codes import code_table, response_share, sex_share, status_share
from oncocohort.propose.content import ColumnContent, profile_column, read_dates
from oncocohort.propose.grid import Grid, find_header
from oncocohort.propose.results import ColumnProposal, Note, SheetProposal
from oncocohort.propose.roles import CANONICAL_ROLES, COVARIATE_NAMES, ROLES
from oncocohort.propose.vocabulary import match_header

__all__ = ["propose_sheet", "propose_columns", "split_sheet", "with_codes", "with_date_format",
           "with_role"]

_AGREE = 0.95
_HOSPITAL_NUMBERS = ("住院号", "病案号", "病历号", "门诊号", "档案号", "就诊号", "mrn",
                     "medical record number", "hospital number", "chart number")
#: Words the cohort rule language reserves; a covariate never gets one as its name.
_RESERVED = {"and", "or", "not", "is", "missing", "in", "true", "false", "none"}


@dataclass(frozen=True)
class _Candidate:
    role: str
    score: float
    evidence: tuple[Note, ...]
    variable: str | None = None
    ae_term: str | None = None


def _in(c: ColumnContent, low: float, high: float, integers: bool = False) -> bool:
    n = c.numbers
    return bool(n and c.dates is None and low <= n.minimum and n.maximum <= high
                and (n.integers or not integers))


def _fit_subject(c: ColumnContent) -> float:
    if c.dates is not None or (c.numbers and not c.numbers.integers):
        return 0.0
    return 1.0 if c.n_distinct * 10 >= c.present * 9 else 0.7  # repeats: asked


def _fit_sex(c: ColumnContent) -> float:
    if sex_share(c.code_values) == 1:
        return 1.0
    return 0.8 if c.n_distinct == 2 and c.numbers is not None else 0.0


def _fit_status(c: ColumnContent) -> float:
    if c.dates is not None or not c.codes:
        return 0.0
    if status_share(c.code_values) >= 0.5:
        return 1.0
    return 0.8 if c.n_distinct <= 3 else 0.0


_FIT_ROLE = {
    "age": lambda c: float(_in(c, 0, 120)),
    "ecog": lambda c: float(_in(c, 0, 5, integers=True)),
    "subject_id": _fit_subject,
    "best_response": lambda c: 1.0 if response_share(c.code_values) >= 0.5 else 0.0,
    "sex": _fit_sex,
    "vital_status": _fit_status,
    "derived": lambda c: 0.0 if c.dates is not None else 1.0,
}
_FIT_KIND = {
    "date": lambda c: 1.0 if c.dates is not None else 0.0,
    "number": lambda c: 1.0 if c.numbers is not None and c.dates is None else 0.0,
    "code": lambda c: 1.0 if c.codes and c.dates is None else 0.3 if c.dates is None else 0.0,
    "text": lambda c: 1.0 if c.numbers is None and c.dates is None else 0.3,
    "grade": lambda c: float(_in(c, 0, 5, integers=True)),
}


def _fit(role: str, c: ColumnContent) -> float:
    """How well the cells agree with a role: 0 (contradict) to 1 (agree); 0.6 if empty."""
    if c.empty:
        return 0.6
    rule = _FIT_ROLE.get(role) or _FIT_KIND.get(ROLES[role].kind)
    return rule(c) if rule else 1.0


def _content_notes(c: ColumnContent, quoted: bool = True) -> tuple[Note, ...]:
    """What the cells hold; ``quoted=False`` (columns left out) gives counts only."""
    if c.empty:
        return (Note.of("empty"),)
    d = c.dates
    if d is not None:
        if d.style == "serial":
            return (Note.of("serial_numbers"),)
        notes = [Note.of("dates", style=d.style, n=d.parsed, m=c.present)]
        if d.style in ("day_first", "month_first"):
            notes.append(Note.of(d.style, k=d.deciding))
        return tuple(notes)
    if not quoted:
        return (Note.of("distinct", k=c.n_distinct, m=c.present),)
    if c.numbers is not None:
        n = c.numbers
        return (Note.of("integers" if n.integers else "numbers", low=f"{n.minimum:g}",
                        high=f"{n.maximum:g}"),)
    if c.codes:
        return (Note.of("codes", k=c.n_distinct, values=", ".join(c.code_values)),)
    return (Note.of("distinct", k=c.n_distinct, m=c.present),)


def _ae_candidates(header: str, c: ColumnContent) -> list[_Candidate]:
    grade_fit = _fit("ae_grade", c)
    if not grade_fit:
        return []
    if is_grade_header(header):
        name = grade_words_removed(header)
        term = ae_term_of(name)
        ev = (Note.of("ae_header", term=term) if term else Note.of("ae_header_unknown"),)
        return [_Candidate("ae_grade", (0.95 if term else 0.8) * grade_fit, ev, None, term)]
    term = ae_term_of(" ".join(header.split()))
    if term:
        return [_Candidate("ae_grade", 0.7 * grade_fit, (Note.of("ae_name", term=term),),
                           None, term)]
    return []


def _header_candidates(header: str, c: ColumnContent, *, kind: str = "header"
                       ) -> list[_Candidate]:
    """Roles the header (``kind`` ``"header"``) or the variable label (``"label"``) names."""
    out = []
    for m in match_header(header):
        key = m.role
        role = COVARIATE_NAMES.get(key, key)
        if key in ("ae_text", "row_number"):
            role = "free_text" if key == "ae_text" else "ignore"
        if role not in ROLES:
            continue
        fit = _fit(role, c)
        if key == "row_number":
            fit = 1.0 if c.sequence or c.empty else 0.5
        exact = m.strength == 1.0
        if kind == "label":
            ev = (Note.of("label_exact", header=header, term=m.term) if exact
                  else Note.of("label_contains", header=header, term=m.term))
        else:
            ev = (Note.of("header_exact", header=header, term=m.term) if exact
                  else Note.of("header_contains", header=header, term=m.term))
        if fit == 0:
            out.append(_Candidate(role, 0.0, (ev, Note.of("contradicts", role=role))))
            continue
        variable = key if key in COVARIATE_NAMES else None
        extra = (Note.of("row_numbers"),) if key == "row_number" else ()
        extra += (Note.of("ae_free_text"),) if key == "ae_text" else ()
        out.append(_Candidate(role, m.strength * fit * _AGREE, (ev, *extra), variable))
    return out


def _content_candidates(c: ColumnContent) -> list[_Candidate]:
    if c.empty:
        return [_Candidate("ignore", 0.9, (Note.of("empty"),))]
    found = []
    for pattern in ("national_id", "phone", "email"):
        if pattern in c.patterns:
            found.append(_Candidate("identifier", 0.96, (Note.of(f"looks_{pattern}"),)))
    if c.sequence:
        found.append(_Candidate("ignore", 0.7, (Note.of("row_numbers"),)))
    if c.codes and response_share(c.code_values) >= 0.6:
        found.append(_Candidate("best_response", 0.7, (Note.of("recist_codes"),)))
    if c.codes and c.n_distinct <= 3 and sex_share(c.code_values) == 1:
        found.append(_Candidate("sex", 0.7, (Note.of("code_words"),)))
    if c.codes and c.numbers is None and status_share(c.code_values) >= 0.6:
        found.append(_Candidate("vital_status", 0.7, (Note.of("code_words"),)))
    if c.dates is not None:
        found.append(_Candidate("covariate_date", 0.6, ()))
    elif c.numbers is not None and not (c.numbers.integers and c.n_distinct <= 5):
        found.append(_Candidate("covariate_number", 0.6, ()))
    elif c.codes:
        found.append(_Candidate("covariate", 0.6, ()))
    elif "long_text" in c.patterns or "list_text" in c.patterns or c.numbers is None:
        found.append(_Candidate("free_text", 0.6, (Note.of("free_text"),)))
    return found


def _best_per_role(cands: list[_Candidate]) -> list[_Candidate]:
    """The strongest candidate of each role (header and label may both name one)."""
    best: dict[str, _Candidate] = {}
    for x in cands:
        if x.role not in best or x.score > best[x.role].score:
            best[x.role] = x
    return [x for x in cands if best[x.role] is x]


def _candidates(header: str, c: ColumnContent, label: str | None = None
                ) -> list[_Candidate]:
    cands = _ae_candidates(header, c) + _header_candidates(header, c)
    if label:
        cands += _ae_candidates(label, c) + _header_candidates(label, c, kind="label")
        cands = _best_per_role(cands)
    cands += _content_candidates(c)
    contradicted = [x for x in cands if x.score == 0]
    kept = sorted((x for x in cands if x.score > 0), key=lambda x: -x.score)
    header_won = kept and any(n.code.startswith(("header_", "label_"))
                              for n in kept[0].evidence)
    if contradicted and kept and not header_won:  # say which header role the cells overruled
        best = kept[0]
        kept[0] = replace(best, evidence=best.evidence + contradicted[0].evidence)
    return kept


def _snake(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).casefold()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text


def _variable_name(col: ColumnProposal, taken: set[str]) -> str:
    """A covariate's spec name: its conventional name, the Latin part of its header in snake
    case (``远处转移 Metastatic`` -> ``metastatic``), or ``column_<n>`` (a header with no Latin
    word), unique within the sheet."""
    base = col.variable
    if base is None:
        latin = "".join(ch for ch in unicodedata.normalize("NFKC", col.header) if ch.isascii())
        base = _snake(latin)
        if not re.match(r"^[a-z_]", base) or base in _RESERVED or keyword.iskeyword(base):
            base = f"column_{col.position + 1}"
    if base in CANONICAL_ROLES:
        base = f"{base}_covariate"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _finish(col: ColumnProposal, taken: set[str]) -> ColumnProposal:
    """Fill the spec name, code table, date format and label of a chosen role."""
    role = ROLES[col.role]
    variable = label = None
    if role.group == "patients":
        variable = col.role
        taken.add(variable)
    elif role.group == "status":
        variable = "vital_status"
    elif role.group == "covariate":
        variable = _variable_name(col, taken)
        label = col.variable_label or col.header
    codes: tuple[tuple[str, str | None], ...] = ()
    evidence = col.evidence
    confidence = col.confidence
    table = code_table(col.role, col.content.code_values, col.header)
    if col.variable_label and (table is None or table.open):  # "Dead (1 = yes)"
        by_label = code_table(col.role, col.content.code_values, col.variable_label)
        if by_label is not None and not by_label.open:
            table = by_label
    if table is not None:
        codes = table.pairs
        evidence = evidence + tuple(n for n in table.evidence if n not in evidence)
        if table.open:
            confidence = min(confidence, 0.79)
    date_format = col.content.dates.format if (role.kind == "date" and col.content.dates) \
        else None
    named = f"{col.header} {col.variable_label or ''}".casefold()
    if col.role == "subject_id" and any(h in named for h in _HOSPITAL_NUMBERS):
        evidence = evidence + (Note.of("hospital_number"),)
    return replace(col, variable=variable, label=label, codes=codes, date_format=date_format,
                   evidence=evidence, confidence=confidence)


def _assign(headers: Sequence[str], contents: Sequence[ColumnContent],
            cands: list[list[_Candidate]], labels: Sequence[str | None]
            ) -> list[ColumnProposal]:
    """Give each column its best candidate; unique roles to the best-scoring column."""
    choice = [0] * len(headers)
    taken: dict[str, int] = {}
    order = sorted(range(len(headers)), key=lambda j: -cands[j][0].score)
    pending = list(order)
    notes: dict[int, list[Note]] = {j: [] for j in range(len(headers))}
    while pending:
        j = pending.pop(0)
        while choice[j] < len(cands[j]):
            cand = cands[j][choice[j]]
            if not ROLES[cand.role].unique or cand.role not in taken:
                if ROLES[cand.role].unique:
                    taken[cand.role] = j
                break
            notes[j].append(Note.of("also", role=cand.role, other=headers[taken[cand.role]]))
            choice[j] += 1
    out = []
    for j, header in enumerate(headers):
        if choice[j] < len(cands[j]):
            cand = cands[j][choice[j]]
        else:
            cand = _Candidate("covariate" if contents[j].codes else "ignore", 0.5, ())
        alts = tuple(dict.fromkeys(x.role for x in cands[j] if x.role != cand.role))
        quoted = ROLES[cand.role].group != "left_out"  # never quote what is left out
        evidence = cand.evidence + tuple(notes[j]) + _content_notes(contents[j], quoted)
        out.append(ColumnProposal(j, header, cand.role, round(cand.score, 3), evidence,
                                  contents[j], variable=cand.variable, ae_term=cand.ae_term,
                                  alternatives=alts, variable_label=labels[j]))
    return out


def _fallback_subject(cols: list[ColumnProposal]) -> list[ColumnProposal]:
    """Without a header naming the patient id, the first id-like covariate is it: every row
    filled, every value once, each with a digit, not row numbers 1, 2, 3, ..."""
    if any(c.role == "subject_id" for c in cols):
        return cols
    for i, c in enumerate(cols):
        if c.role in ("covariate", "covariate_number", "free_text") and c.content.id_like:
            cols[i] = replace(c, role="subject_id", confidence=0.5, variable=None,
                              evidence=(Note.of("unique_values"), *c.evidence))
            break
    return cols


def propose_columns(headers: Sequence[str], columns: Sequence[Sequence[str | None]], *,
                    labels: Mapping[str, str] | None = None) -> tuple[ColumnProposal, ...]:
    """A role for each column given its header and its cells (``None`` = empty), and its
    variable label (``labels``: header -> label, from an SPSS, Stata or SAS file).

    Examples
    --------
    >>> cols = propose_columns(["Patient ID", "Sex"], [["P1", "P2"], ["M", "F"]])
    >>> [(c.header, c.role, c.level) for c in cols]
    [('Patient ID', 'subject_id', 'sure'), ('Sex', 'sex', 'sure')]
    >>> cols = propose_columns(["pid", "dthdt"], [["P1", "P2"], ["2024-01-02", None]],
    ...                        labels={"dthdt": "Date of death"})
    >>> [(c.header, c.role) for c in cols]
    [('pid', 'subject_id'), ('dthdt', 'death_date')]
    """
    named = [(labels or {}).get(h) or None for h in headers]
    named = [x if x and x.strip() != h else None for x, h in zip(named, headers, strict=True)]
    contents = [profile_column(cells) for cells in columns]
    cands = [_candidates(h, c, x) or [_Candidate("ignore", 0.5, ())]
             for h, c, x in zip(headers, contents, named, strict=True)]
    cols = _fallback_subject(_assign(headers, contents, cands, named))
    taken: set[str] = set()
    finished = [_finish(c, taken) for c in cols if ROLES[c.role].group == "patients"]
    by_pos = {c.position: c for c in finished}
    for c in cols:
        if c.position not in by_pos:
            by_pos[c.position] = _finish(c, taken)
    return tuple(by_pos[j] for j in range(len(cols)))


def with_role(col: ColumnProposal, role_name: str, *, others: Sequence[ColumnProposal] = ()
              ) -> ColumnProposal:
    """``col`` with the role a user chose (confidence 1, evidence "chosen by you").

    ``others`` are the sheet's other columns, so that a covariate's name stays unique.
    """
    taken = {c.variable for c in others if c.variable and c.position != col.position}
    base = replace(col, role=role_name, confidence=1.0, variable=None, label=None,
                   evidence=(Note.of("user"),), ae_term=col.ae_term)
    if role_name == "ae_grade" and not base.ae_term:
        name = grade_words_removed(col.header) if is_grade_header(col.header) else col.header
        base = replace(base, ae_term=ae_term_of(name))
    return _finish(base, taken)


def with_codes(col: ColumnProposal, mapping: dict[str, str | None]) -> ColumnProposal:
    """``col`` with the meaning of its codes given by a user (codes not named keep theirs)."""
    codes = tuple((code, mapping.get(code, target)) for code, target in col.codes)
    evidence = col.evidence if Note.of("user") in col.evidence else (*col.evidence,
                                                                      Note.of("user"))
    return replace(col, codes=codes, evidence=evidence)


def with_date_format(col: ColumnProposal, cells: Sequence[str | None], fmt: str | None
                     ) -> ColumnProposal:
    """``col`` read with the date format a user chose (``None``: year-first or ISO)."""
    content = replace(col.content, dates=read_dates(cells, fmt))
    evidence = col.evidence if Note.of("user") in col.evidence else (*col.evidence,
                                                                      Note.of("user"))
    return replace(col, content=content, date_format=fmt, evidence=evidence)


def split_sheet(grid: Grid) -> tuple[int, list[str], list[list[str | None]]]:
    """The header row's index, the headers and the cells of each column below it.

    Empty columns without a header are not columns of the sheet and are skipped; a header
    cell left empty above data is named ``column <n>`` as the sources reader names it.
    """
    h = find_header(grid)
    header_cells = grid.cells[h]
    body = grid.cells[h + 1:]
    headers, columns = [], []
    for j in range(grid.width):
        name = header_cells[j] if j < len(header_cells) else None
        cells = [r[j] if j < len(r) else None for r in body]
        if name is None and all(v is None for v in cells):
            continue
        headers.append(name if name is not None else f"column {j + 1}")
        columns.append(cells)
    return h, headers, columns


def propose_sheet(grid: Grid, *, file: str, sheet: str | None = None,
                  sheets: Sequence[str] = (), encoding: str | None = None,
                  labels: Mapping[str, str] | None = None) -> SheetProposal:
    """The proposal for a one-row-per-patient sheet (header row found first); ``labels``:
    the variable labels of an SPSS, Stata or SAS file (variable name -> label)."""
    h, headers, columns = split_sheet(grid)
    return SheetProposal(
        file=file, sheet=sheet, sheets=tuple(sheets), header_row=grid.row_numbers[h],
        title_rows=tuple(grid.row_numbers[:h]), data_rows=tuple(grid.row_numbers[h + 1:]),
        columns=propose_columns(headers, columns, labels=labels), encoding=encoding)
