"""Pure numerics on arrays and frames: proportions, Kaplan-Meier, log-rank, Cox, competing
risks, comparisons.

Every function returns a frozen result with named fields and a ``to_frame()``; see
``docs/statistics.md`` for the formulas and the matching options in R, SAS, Stata and SPSS.
"""

from oncocohort.stats._results import Estimate, TestResult
from oncocohort.stats.balance import BALANCE_COLUMNS, balance
from oncocohort.stats.competing_risks import (
    CumulativeIncidence,
    cumulative_incidence,
    gray_test,
)
from oncocohort.stats.concordance import Concordance, compute_concordance
from oncocohort.stats.cox import Cox, CoxWarning, cox
from oncocohort.stats.cox_zph import CoxZph, compute_cox_zph
from oncocohort.stats.evalue import EValue, e_value
from oncocohort.stats.fine_gray import FineGray, fine_gray
from oncocohort.stats.kaplan_meier import CONF_TYPES, KaplanMeier, follow_up, kaplan_meier
from oncocohort.stats.landmark import (
    Landmark,
    MantelByar,
    SimonMakuch,
    landmark,
    mantel_byar,
    simon_makuch,
    status_at,
)
from oncocohort.stats.logrank import LogRank, logrank
from oncocohort.stats.matching import MatchResult, match
from oncocohort.stats.one_sample import (
    ONE_SAMPLE_VARIANCES,
    OneSampleLogRank,
    one_sample_logrank,
)
from oncocohort.stats.propensity import (
    ESTIMANDS,
    PropensityWarning,
    propensity_scores,
    propensity_weights,
)
from oncocohort.stats.proportions import PROPORTION_CI_METHODS, proportion_ci
from oncocohort.stats.reconstruct import ReconstructionQC, reconstruct_ipd, reconstruction_qc
from oncocohort.stats.rmst import Contrast, Rmst, Rmtl, rmst, rmtl
from oncocohort.stats.screen import ScreenResult, screen_and_fit

__all__ = [
    "Estimate",
    "TestResult",
    "proportion_ci",
    "PROPORTION_CI_METHODS",
    "kaplan_meier",
    "KaplanMeier",
    "CONF_TYPES",
    "follow_up",
    "logrank",
    "LogRank",
    "cox",
    "Cox",
    "CoxWarning",
    "compute_cox_zph",
    "CoxZph",
    "compute_concordance",
    "Concordance",
    "screen_and_fit",
    "ScreenResult",
    "cumulative_incidence",
    "CumulativeIncidence",
    "gray_test",
    "propensity_scores",
    "propensity_weights",
    "PropensityWarning",
    "ESTIMANDS",
    "one_sample_logrank",
    "OneSampleLogRank",
    "ONE_SAMPLE_VARIANCES",
    "e_value",
    "EValue",
    "match",
    "MatchResult",
    "balance",
    "BALANCE_COLUMNS",
    "fine_gray",
    "FineGray",
    "rmst",
    "Rmst",
    "rmtl",
    "Rmtl",
    "Contrast",
    "reconstruct_ipd",
    "reconstruction_qc",
    "ReconstructionQC",
    "landmark",
    "Landmark",
    "status_at",
    "mantel_byar",
    "MantelByar",
    "simon_makuch",
    "SimonMakuch",
]
