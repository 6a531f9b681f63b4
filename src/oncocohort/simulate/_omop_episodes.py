"""Treatment episodes (OMOP Oncology extension) for the lines of therapy of the converted
patients: one ``episode`` per line, ``episode_event`` rows linking it to its records.

Conventions (read back by :mod:`oncocohort.sources.omop.episodes`): ``episode_concept_id``
32531 "Treatment Regimen"; ``episode_number`` = the line number, counting the studied regimen
as a line (2 prior lines -> the regimen is episode 3 -> the next line is 4);
``episode_object_concept_id`` 0 (the synthetic vocabulary has no regimen concepts); start and
end = the first start and last end of the line's records; ``episode_event_field_concept_id``
1147094 for a ``drug_exposure`` record, 1147082 for a ``procedure_occurrence`` record.
"""

from __future__ import annotations

from oncocohort.simulate._omop_rows import Rows
from oncocohort.simulate._omop_vocabulary import (
    EHR,
    FIELD_DRUG_EXPOSURE,
    FIELD_PROCEDURE,
    TREATMENT_REGIMEN,
)

__all__ = ["add_treatment_episodes"]

_FIELD = {"drug_exposure": FIELD_DRUG_EXPOSURE, "procedure_occurrence": FIELD_PROCEDURE}


def add_treatment_episodes(r: Rows, pid: int,
                           lines: dict[int, list[tuple[str, int]]]) -> None:
    """Add one episode per line of ``lines`` (line number -> records as ``(table, position)``
    of ``drug_exposure`` / ``procedure_occurrence`` rows already in ``r``), in line order."""
    for number in sorted(lines):
        recs = lines[number]
        if not recs:
            continue
        # drug_exposure and procedure_occurrence rows hold (person, concept, start, end, ...)
        starts = [r.rows[t][i][2] for t, i in recs]
        ends = [r.rows[t][i][3] or r.rows[t][i][2] for t, i in recs]
        ep = r.add("episode", pid, TREATMENT_REGIMEN, min(starts), max(ends), number, 0, EHR)
        for t, i in recs:
            r.rows["episode_event"].append((ep, i, _FIELD[t]))
