"""Synthetic data: a calibrated metastatic ESCC cohort (anlotinib plus PD-1 antibody).

The generator is pure (tables in memory, or chunk by chunk, and the hospital's own workbook
sheets in ``hospital``); writing them to files is :mod:`oncocohort.write.synthetic`'s job, as
all file output is :mod:`oncocohort.write`'s.
"""

from oncocohort.simulate.escc import DEFAULT_SEED, simulate_escc

__all__ = ["simulate_escc", "DEFAULT_SEED"]
