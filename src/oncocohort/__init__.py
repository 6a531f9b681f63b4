"""oncocohort: real-world oncology outcome studies, reproducibly.

The data flow is the folder layout: ``spec`` -> ``sources`` -> ``model`` -> ``cohort`` ->
``derive`` -> ``stats`` -> ``analysis`` -> ``report``; ``cli`` only wires them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
