"""oncocohort.study: one study, end to end, as the CLI (and any other front end) runs it.

``options`` turns the spec into each stage's typed options (:class:`~.options.StudyOptions`;
the only code below the CLI that reads the spec); ``load`` reads and validates the data
(:func:`~.load.load_study`); ``cohort`` selects the patients; ``run`` derives and analyses
(:func:`~.run.run_study`); ``demo`` names the bundled demo study. Nothing here writes a file
(:mod:`oncocohort.write` does). The package imports nothing itself, so that a front end can
read :mod:`.demo` without loading the statistics.
"""
