"""oncocohort.analysis: every analysis of a study as one analysis-results dataset (ARD)."""

from oncocohort.analysis.ard import ARD_COLUMNS, ArdRow, ard_frame, ard_value
from oncocohort.analysis.options import AnalysisOptions
from oncocohort.analysis.study import StudyAnalysis, analyse_study

__all__ = ["ARD_COLUMNS", "AnalysisOptions", "ArdRow", "StudyAnalysis", "analyse_study",
           "ard_frame", "ard_value"]
