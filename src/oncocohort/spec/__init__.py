"""oncocohort.spec."""
