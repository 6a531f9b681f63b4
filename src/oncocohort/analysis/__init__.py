"""oncocohort.analysis."""
