"""oncocohort.cohort."""
