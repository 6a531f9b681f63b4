"""oncocohort.simulate."""
