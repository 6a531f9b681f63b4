"""oncocohort.derive."""
