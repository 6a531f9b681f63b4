"""Synthetic data: a calibrated metastatic ESCC cohort (anlotinib plus PD-1 antibody).

The generator is pure (tables in memory, or chunk by chunk); writing them to files is
``report/simulated.py``'s job, as all file output is ``report/``'s.
"""

from oncocohort.simulate.escc import DEFAULT_SEED, simulate_escc

__all__ = ["simulate_escc", "DEFAULT_SEED"]
