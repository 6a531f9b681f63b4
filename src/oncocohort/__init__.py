"""oncocohort: real-world oncology outcome studies, reproducibly.

The data flow is the folder layout: ``spec`` -> ``sources`` -> ``model`` -> ``cohort`` ->
``derive`` -> ``stats`` -> ``analysis`` -> ``report``, on the shared vocabulary of ``canon``;
``study`` runs them for one study, ``write`` writes the files, ``cli`` only wires them
(docs/architecture.md).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
