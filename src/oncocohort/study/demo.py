"""The bundled demo study: its specs, and the size of its synthetic OMOP database."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DEMO_PERSONS", "DEMO_SCREENED", "demo_spec_path"]

#: Persons in the synthetic OMOP CDM database of ``oncocohort demo --from-database``.
DEMO_PERSONS = 2_000
#: The demo's screened patients, in every synthetic OMOP database (its smallest size).
DEMO_SCREENED = 231


def demo_spec_path(*, omop: bool = False) -> Path:
    """Path of the bundled demo study spec (inside the installed package); with ``omop`` the
    spec that finds the same cohort in an OMOP CDM database (``study-omop.yaml``)."""
    name = "study-omop.yaml" if omop else "study.yaml"
    return Path(str(resources.files("oncocohort") / "data" / "demo" / name))
