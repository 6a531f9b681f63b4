"""The roles a column can play in a study, and what each one expects of its cells.

A role is where a column goes in the study spec: a canonical column of the ``patients``
table (``docs/data-model.md``), the vital status, the worst grade of one adverse event, a
baseline covariate, or nothing (left out, with the reason). :data:`ROLES` lists them in the
order the web app offers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ROLES", "Role", "COVARIATE_NAMES", "CANONICAL_ROLES", "LEFT_OUT_ROLES", "role"]

Kind = Literal["id", "date", "number", "code", "text", "grade", "any"]
Group = Literal["patients", "status", "ae", "covariate", "left_out"]


@dataclass(frozen=True)
class Role:
    """One role.

    Attributes
    ----------
    name
        The role's name (for ``patients`` roles, the canonical column it maps to).
    group
        ``patients`` (a canonical column), ``status`` (vital status), ``ae`` (a worst-grade
        column of one adverse event), ``covariate``, ``left_out``.
    kind
        What the cells should hold: ``id``, ``date``, ``number``, ``code`` (a few distinct
        values), ``text``, ``grade`` (CTCAE grades 0-5), ``any``.
    unique
        At most one column of a sheet can have the role.
    """

    name: str
    group: Group
    kind: Kind
    unique: bool = True


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("subject_id", "patients", "id"),
    Role("index_date", "patients", "date"),
    Role("birth_date", "patients", "date"),
    Role("age", "patients", "number"),
    Role("sex", "patients", "code"),
    Role("ecog", "patients", "number"),
    Role("last_alive_date", "patients", "date"),
    Role("death_date", "patients", "date"),
    Role("vital_status", "status", "code"),
    Role("eot_date", "patients", "date"),
    Role("eot_reason", "patients", "code"),
    Role("progression_date", "patients", "date"),
    Role("best_response", "patients", "code"),
    Role("data_cutoff", "patients", "date"),
    Role("ae_grade", "ae", "grade", unique=False),
    Role("covariate", "covariate", "code", unique=False),
    Role("covariate_number", "covariate", "number", unique=False),
    Role("covariate_date", "covariate", "date", unique=False),
    Role("identifier", "left_out", "any", unique=False),
    Role("free_text", "left_out", "text", unique=False),
    Role("derived", "left_out", "any", unique=False),
    Role("ignore", "left_out", "any", unique=False),
)}

#: Roles that are canonical columns of the patients table.
CANONICAL_ROLES: tuple[str, ...] = tuple(n for n, r in ROLES.items() if r.group == "patients")
#: Roles whose column is left out of the spec.
LEFT_OUT_ROLES: tuple[str, ...] = tuple(n for n, r in ROLES.items() if r.group == "left_out")

#: Header-vocabulary keys that are covariates with a conventional name -> covariate role.
COVARIATE_NAMES: dict[str, str] = {
    "histology": "covariate", "stage": "covariate", "regimen": "covariate",
    "primary_site": "covariate", "smoking": "covariate", "drinking": "covariate",
    "liver_metastases": "covariate", "brain_metastases": "covariate",
    "bone_metastases": "covariate", "lung_metastases": "covariate",
    "prior_surgery": "covariate", "radiotherapy": "covariate", "prior_ici": "covariate",
    "kps": "covariate_number", "bmi": "covariate_number", "weight": "covariate_number",
    "prior_lines": "covariate_number", "n_metastatic_sites": "covariate_number",
    "pd_l1": "covariate_number",
    "diagnosis_date": "covariate_date", "surgery_date": "covariate_date",
}


def role(name: str) -> Role:
    """The role ``name`` (``KeyError`` if unknown)."""
    return ROLES[name]
