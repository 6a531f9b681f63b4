"""oncocohort.stats."""
