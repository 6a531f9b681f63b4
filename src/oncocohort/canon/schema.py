"""The canonical data model: every table, column, type, unit and allowed values.

Every stage after ``sources/`` works on these tables and these column names only; the study
spec maps a user's own column names and codes onto them. The reference part of
``docs/data-model.md`` (between its ``BEGIN GENERATED``/``END GENERATED`` markers) is the
output of ``python -m oncocohort.canon.schema``, and a test checks that the two agree.

Types
-----
``str``      text (subject ids are always text, never numbers: ``"007"`` stays ``"007"``)
``int``      whole number
``float``    real number
``bool``     yes/no (sources map ``Y/N``, ``1/0``, ``yes/no``, ``true/false``)
``date``     calendar date (ISO ``YYYY-MM-DD`` after parsing; partial dates per the spec rule)
``category`` text restricted to ``allowed`` values (after the spec's code mapping)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from oncocohort.canon.codes import RESPONSE_CODES

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "FREE_NUMBER_LIMIT",
    "DATE_RANGE",
    "RESPONSE_CODES",
    "NON_TARGET_STATUS",
    "LESION_TYPES",
    "SEX_CODES",
    "EOT_REASONS",
    "VITAL_STATUS_CODES",
    "DRUG_CLASSES",
    "table",
    "render_markdown",
]

#: Numbers of free covariates (patients columns outside the schema) must lie within
#: +-1e15: the range where a float holds every whole number exactly, and far from overflow
#: in sums and variances. Schema columns have their own ``minimum``/``maximum``.
FREE_NUMBER_LIMIT: float = 1e15

#: The plausible dates of a patient's record (and of a data cut-off), first and last, both
#: included. Dates outside are ``date_out_of_range`` problems (docs/data-model.md,
#: "Plausibility bounds").
DATE_RANGE: tuple[dt.date, dt.date] = (dt.date(1900, 1, 1), dt.date(2100, 12, 31))

ColumnType = Literal["str", "int", "float", "bool", "date", "category"]

NON_TARGET_STATUS: tuple[str, ...] = ("PRESENT", "ABSENT", "UNEQUIVOCAL PROGRESSION", "NE")
LESION_TYPES: tuple[str, ...] = ("TARGET", "NON-TARGET", "NEW")
SEX_CODES: tuple[str, ...] = ("M", "F")
VITAL_STATUS_CODES: tuple[str, ...] = ("alive", "dead")
EOT_REASONS: tuple[str, ...] = (
    "progression",
    "death",
    "adverse event",
    "lost to follow-up",
    "withdrawal",
    "physician decision",
    "other",
)
DRUG_CLASSES: tuple[str, ...] = (
    "ICI",
    "taxane",
    "platinum",
    "fluoropyrimidine",
    "targeted",
    "anti-angiogenic",
    "chemotherapy other",
    "radiotherapy",
    "surgery",
    "other",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    requires_one_of: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    free_columns: bool = False

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_SUBJECT = Column("subject_id", "str", "Subject identifier; the key that links every table.", True)

PATIENTS = Table(
    name="patients",
    description=(
        "One row per patient screened or treated. Baseline covariates beyond the named ones "
        "(histology, metastatic sites, prior therapies, screening attributes...) are kept as "
        "free columns with the name the spec gives them, when the spec names them (a mapping, "
        "a cohort rule, a baseline or subgroup variable, a label, an endpoint date)."
    ),
    key=("subject_id",),
    free_columns=True,
    requires_one_of=(("birth_date", "age"), ("last_alive_date", "death_date")),
    columns=(
        _SUBJECT,
        Column("index_date", "date", "Start of the studied regimen (day 1 of cycle 1).", True),
        Column("birth_date", "date", "Date of birth (or give `age`)."),
        Column("age", "float", "Age at the index date (or give `birth_date`).", unit="years",
               minimum=0, maximum=120),
        Column("sex", "category", "Sex.", allowed=SEX_CODES),
        Column("ecog", "int", "ECOG performance status at baseline.", minimum=0, maximum=5),
        Column("last_alive_date", "date",
               "Last date known to be alive: the last contact. Required unless `death_date` "
               "is given (a dead patient was alive up to the death); with `vital_status` "
               "dead and no `death_date`, it is the date of death."),
        Column("death_date", "date", "Date of death; empty if alive at the last contact."),
        Column("vital_status", "category",
               "Alive or dead at the last contact, for extracts that record a status instead "
               "of a death date (map the hospital's codes in `values:`, e.g. "
               "`{1: alive, 2: dead}`); a dead patient's death date is then the "
               "`last_alive_date`.", allowed=VITAL_STATUS_CODES),
        Column("eot_date", "date", "End of the studied treatment; empty if still on treatment."),
        Column("eot_reason", "category", "Why the studied treatment ended.", allowed=EOT_REASONS),
        Column("data_cutoff", "date",
               "Data cut-off for this patient; defaults to the spec's `study.data_cutoff`."),
        Column("progression_date", "date",
               "Progression date as recorded by the hospital (wide layout); used as given when "
               "no assessments are supplied, checked against them when they are."),
        Column("best_response", "category",
               "Best overall response as recorded by the investigators (wide layout): the "
               "response analysed, as recorded, when the study has no tumour assessments "
               "(`lesions`, `responses`); with them, the derived one is analysed and this one "
               "is compared with it.", allowed=RESPONSE_CODES),
    ),
)

THERAPY = Table(
    name="therapy",
    description=(
        "Administrations (or start/end periods) of the drugs of the studied regimen: one row "
        "per drug per administration or period."
    ),
    key=("subject_id", "drug", "start_date"),
    columns=(
        _SUBJECT,
        Column("drug", "str", "Drug name (e.g. `anlotinib`, `tislelizumab`).", True),
        Column("start_date", "date", "Administration date, or first day of the period.", True),
        Column("end_date", "date", "Last day of the period (equal to start for one dose)."),
        Column("cycle", "int", "Cycle number.", minimum=1, maximum=1000),
        Column("dose", "float", "Dose given per administration (per day for oral drugs).",
               unit="mg", minimum=0, maximum=100_000),
        Column("planned_dose", "float", "Dose planned by the protocol for this administration.",
               unit="mg", minimum=0, maximum=100_000),
        Column("dose_change", "category", "Change against the previous administration.",
               allowed=("none", "reduction", "increase", "delay", "interruption")),
        Column("dose_change_reason", "str", "Why the dose changed (free text)."),
    ),
)

THERAPY_LINES = Table(
    name="therapy_lines",
    description=(
        "Other anticancer therapy: prior lines (before the index date) and subsequent new "
        "therapies (after it). One row per drug per line."
    ),
    key=("subject_id", "line", "drug"),
    columns=(
        _SUBJECT,
        Column("setting", "category", "Before or after the studied regimen.", True,
               allowed=("prior", "subsequent")),
        Column("line", "int", "Line number (1 = first line).", True, minimum=1,
               maximum=100),
        Column("drug", "str", "Drug or procedure name.", True),
        Column("drug_class", "category", "Class of the drug.", allowed=DRUG_CLASSES),
        Column("start_date", "date", "First day of the drug in this line."),
        Column("end_date", "date", "Last dose of the drug in this line."),
        Column("progressed", "bool", "Disease progressed on or after this line."),
    ),
)

LESIONS = Table(
    name="lesions",
    description="Lesion-level tumour measurements, one row per lesion per visit (RECIST 1.1).",
    key=("subject_id", "visit_date", "lesion_id"),
    columns=(
        _SUBJECT,
        Column("visit_date", "date", "Date of the imaging assessment.", True),
        Column("lesion_id", "str", "Lesion identifier, stable across visits.", True),
        Column("lesion_type", "category", "Target, non-target or new lesion.", True,
               allowed=LESION_TYPES),
        Column("site", "str", "Anatomical site (e.g. `liver`, `lymph node`)."),
        Column("nodal", "bool", "Lymph node (short axis measured)."),
        Column("diameter", "float",
               "Longest diameter (short axis for nodal lesions); target lesions only; empty "
               "when not assessed.", unit="mm", minimum=0, maximum=1000),
        Column("non_target_status", "category", "Status of a non-target lesion.",
               allowed=NON_TARGET_STATUS),
    ),
)

RESPONSES = Table(
    name="responses",
    description="Visit-level overall responses supplied directly (used as given).",
    key=("subject_id", "assessment_date"),
    columns=(
        _SUBJECT,
        Column("assessment_date", "date", "Date of the assessment.", True),
        Column("response", "category", "Overall response at the visit (RECIST 1.1).", True,
               allowed=RESPONSE_CODES),
    ),
)

ADVERSE_EVENTS = Table(
    name="adverse_events",
    description="Adverse-event records; several per patient, grades may change over time.",
    key=("subject_id", "ae_term", "onset_date"),
    columns=(
        _SUBJECT,
        Column("ae_term", "str", "Term as recorded (clinical name).", True),
        Column("ctcae_term", "str",
               "CTCAE v5.0 term; filled from `ae_term` by the safety mapping when empty."),
        Column("grade", "int", "CTCAE grade; empty when not recorded.", minimum=1, maximum=5),
        Column("onset_date", "date", "Onset date."),
        Column("end_date", "date", "Resolution date; empty if ongoing."),
        Column("related", "bool", "Related to any drug of the studied regimen."),
        Column("related_drugs", "str",
               "Drugs the event is attributed to, separated by `;` "
               "(e.g. `anlotinib;tislelizumab`)."),
        Column("serious", "bool", "Serious adverse event."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (PATIENTS, THERAPY, THERAPY_LINES, LESIONS, RESPONSES, ADVERSE_EVENTS)
}


def table(name: str) -> Table:
    """Return the definition of canonical table ``name``."""
    return TABLES[name]


def _allowed_text(c: Column) -> str:
    bits = []
    if c.allowed:
        bits.append(", ".join(f"`{a}`" for a in c.allowed))
    if c.minimum is not None or c.maximum is not None:
        lo = "" if c.minimum is None else f"{c.minimum:,g}"
        hi = "" if c.maximum is None else f"{c.maximum:,g}"
        bits.append(f"{lo}..{hi}")
    return "; ".join(bits)


def render_markdown() -> str:
    """The data-model reference as Markdown (the body of ``docs/data-model.md``)."""
    out = []
    for t in TABLES.values():
        out.append(f"## `{t.name}`\n\n{t.description}\n")
        out.append(f"Key: {', '.join(f'`{k}`' for k in t.key)}.")
        for group in t.requires_one_of:
            out.append(f" At least one of {' or '.join(f'`{g}`' for g in group)} is required.")
        if t.free_columns:
            out.append(" Other columns are kept as free baseline covariates when the spec names "
                       "them, and ignored otherwise.")
        out.append("\n\n| column | type | unit | required | allowed | description |\n")
        out.append("|---|---|---|---|---|---|\n")
        for c in t.columns:
            out.append(
                f"| `{c.name}` | {c.type} | {c.unit or ''} | {'yes' if c.required else ''} | "
                f"{_allowed_text(c)} | {c.description} |\n"
            )
        out.append("\n")
    return "".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(), end="")
