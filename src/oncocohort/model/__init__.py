"""oncocohort.model."""
