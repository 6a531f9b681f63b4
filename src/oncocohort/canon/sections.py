"""The report's sections, and the data each needs.

A study shows a section only when it was given the data the section is made of, and the spec
can switch any section off (``outputs.sections: {response: false}``). A section the spec
switches on (``true``) must have its data: that is an error of ``validate`` and ``run`` alike,
naming ``outputs.sections.<name>``, rather than a table of zeros.

=============  ==================================================  =============================
section        what it shows                                       needs
=============  ==================================================  =============================
``flowchart``  the patient selection figure                        always available
``baseline``   Table 1                                             always available
``exposure``   treatment exposure and disposition; swimmer plot    therapy records with a
                                                                   ``regimen``, or end-of-
                                                                   treatment dates/reasons
``response``   best overall response, ORR, DCR; waterfall plot     tumour measurements
                                                                   (``lesions``), visit
                                                                   responses (``responses``)
                                                                   or a recorded best
                                                                   response (``patients.
                                                                   best_response``)
``survival``   the survival table, Kaplan-Meier curves             at least one endpoint
``subgroups``  Table 2 (log-rank, Cox), forest plots, curves by    subgroup variables and an
               subgroup                                            endpoint of all patients
``safety``     Table 3 (adverse events by worst grade)             adverse-event records
=============  ==================================================  =============================
"""

from __future__ import annotations

from typing import Literal

__all__ = ["SECTIONS", "SECTION_NEEDS", "Section"]

Section = Literal["flowchart", "baseline", "exposure", "response", "survival", "subgroups",
                  "safety"]

#: Every section, in report order.
SECTIONS: tuple[Section, ...] = ("flowchart", "baseline", "exposure", "response", "survival",
                                 "subgroups", "safety")

#: What each section is made of, in the words of an error when it is switched on without it.
SECTION_NEEDS: dict[str, str] = {
    "flowchart": "the patients table",
    "baseline": "the patients table",
    "exposure": "therapy records with a regimen, or end-of-treatment dates or reasons",
    "response": "tumour measurements (lesions), visit responses (responses) or a recorded "
                "best response (patients.best_response)",
    "survival": "at least one endpoint",
    "subgroups": "subgroup variables and an endpoint of all patients",
    "safety": "adverse-event records",
}
