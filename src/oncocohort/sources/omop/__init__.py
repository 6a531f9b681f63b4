"""OMOP CDM source: a cohort defined in the study spec, evaluated in the database through Ibis
(DuckDB embedded by default, PostgreSQL, Spark), then mapped to the canonical tables."""

from oncocohort.sources.omop.cohort import build_cohort, compute_attrition
from oncocohort.sources.omop.connect import Cdm, connect_cdm, parse_database_url
from oncocohort.sources.omop.extract import OmopExtraction, extract_omop_cohort

__all__ = ["Cdm", "connect_cdm", "parse_database_url", "build_cohort", "compute_attrition",
           "OmopExtraction", "extract_omop_cohort"]
