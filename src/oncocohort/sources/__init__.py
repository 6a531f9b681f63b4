"""oncocohort.sources."""
