"""Synthetic data: a calibrated metastatic ESCC cohort (anlotinib plus PD-1 antibody)."""

from oncocohort.simulate.escc import DEFAULT_SEED, simulate_escc
from oncocohort.simulate.write import write_demo, write_escc

__all__ = ["simulate_escc", "write_escc", "write_demo", "DEFAULT_SEED"]
