"""oncocohort.canon: the vocabulary every stage shares, importing nothing else of the package.

``schema`` the canonical tables and columns; ``codes`` RECIST response codes and the named
dates of endpoints; ``ctcae`` the CTCAE v5.0 term list; ``conventions`` the statistical and
derivation conventions a study states, their allowed values and defaults; ``formats`` the
file formats read and written. Nothing is imported here, so that
``python -m oncocohort.canon.schema`` (which writes ``docs/data-model.md``) runs cleanly.
"""
