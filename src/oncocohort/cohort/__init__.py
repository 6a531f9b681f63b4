"""Cohort selection: inclusion/exclusion rules in a small safe language, and attrition."""

from oncocohort.cohort.rules import RuleSyntaxError, parse_rule
from oncocohort.cohort.select import CohortSelection, Rule, select_cohort

__all__ = ["Rule", "CohortSelection", "select_cohort", "parse_rule", "RuleSyntaxError"]
