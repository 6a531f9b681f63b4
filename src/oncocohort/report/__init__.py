"""oncocohort.report."""
