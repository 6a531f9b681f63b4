"""The synthetic OMOP vocabulary of :mod:`oncocohort.simulate.omop`: concepts, their hierarchy
(``concept`` and ``concept_ancestor`` rows) and the names written as source values.

Concept ids are local, from 2,000,000,000 (the range OMOP reserves for site-specific
concepts); gender (8507, 8532) and the EHR type concept (32817) are the standard ids. Drugs
outside RxNorm (anlotinib, camrelizumab, tislelizumab) have no concept: ``drug_concept_id =
0`` and the name in ``drug_source_value``.

The OMOP Oncology extension's episode conventions used when the generator writes treatment
episodes (``episodes=True``) are the standard ids: episode concept 32531 "Treatment Regimen"
and the ``episode_event_field_concept_id`` values 1147094 (``drug_exposure.drug_exposure_id``)
and 1147082 (``procedure_occurrence.procedure_occurrence_id``).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["EHR", "AE_TYPE", "LOCAL", "CONCEPTS", "NON_STANDARD_DRUGS", "TREATMENT_REGIMEN",
           "FIELD_DRUG_EXPOSURE", "FIELD_PROCEDURE", "concept_id", "omop_vocabulary"]

EHR = 32817
AE_TYPE = 2000000900
LOCAL = 2_000_000_000  # local concept ids start here
TREATMENT_REGIMEN = 32531  # episode_concept_id of a line of therapy (OMOP Episode domain)
FIELD_DRUG_EXPOSURE = 1147094  # episode_event_field_concept_id: drug_exposure.drug_exposure_id
FIELD_PROCEDURE = 1147082  # ... procedure_occurrence.procedure_occurrence_id
L = LOCAL

# name -> (concept_id, domain, concept class, parent names)
CONCEPTS: dict[str, tuple[int, str, str, tuple[str, ...]]] = {
    "Malignant neoplasm of esophagus": (L + 100, "Condition", "Clinical Finding", ()),
    "Squamous cell carcinoma of esophagus": (L + 101, "Condition", "Clinical Finding",
                                             ("Malignant neoplasm of esophagus",)),
    "Adenocarcinoma of esophagus": (L + 102, "Condition", "Clinical Finding",
                                    ("Malignant neoplasm of esophagus",)),
    "Small cell carcinoma of esophagus": (L + 103, "Condition", "Clinical Finding",
                                          ("Malignant neoplasm of esophagus",)),
    "Squamous cell carcinoma of upper third of esophagus": (
        L + 111, "Condition", "Clinical Finding", ("Squamous cell carcinoma of esophagus",)),
    "Squamous cell carcinoma of middle third of esophagus": (
        L + 112, "Condition", "Clinical Finding", ("Squamous cell carcinoma of esophagus",)),
    "Squamous cell carcinoma of lower third of esophagus": (
        L + 113, "Condition", "Clinical Finding", ("Squamous cell carcinoma of esophagus",)),
    "Secondary malignant neoplasm": (L + 200, "Condition", "Clinical Finding", ()),
    **{f"Secondary malignant neoplasm of {s}": (L + 201 + i, "Condition", "Clinical Finding",
                                                ("Secondary malignant neoplasm",))
       for i, s in enumerate(("liver", "lung", "bone", "distant lymph node", "pleura",
                              "adrenal gland", "peritoneum", "brain"))},
    "Primary malignant neoplasm, other site": (L + 300, "Condition", "Clinical Finding", ()),
    **{f"Malignant neoplasm of {s}": (L + 301 + i, "Condition", "Clinical Finding",
                                      ("Primary malignant neoplasm, other site",))
       for i, s in enumerate(("lung", "colon", "breast", "stomach", "prostate"))},
    "Antineoplastic agent": (L + 1000, "Drug", "Drug Class", ()),
    **{c: (L + 1001 + i, "Drug", "Drug Class", ("Antineoplastic agent",))
       for i, c in enumerate(("PD-1 antibody", "Taxane", "Platinum compound",
                              "Fluoropyrimidine", "Targeted agent", "Other chemotherapy",
                              "Other antineoplastic"))},
    **{d: (L + 1100 + i, "Drug", "Ingredient", (cls,)) for i, (d, cls) in enumerate((
        ("pembrolizumab", "PD-1 antibody"), ("nivolumab", "PD-1 antibody"),
        ("sintilimab", "PD-1 antibody"), ("toripalimab", "PD-1 antibody"),
        ("docetaxel", "Taxane"), ("paclitaxel", "Taxane"), ("nab-paclitaxel", "Taxane"),
        ("cisplatin", "Platinum compound"), ("carboplatin", "Platinum compound"),
        ("oxaliplatin", "Platinum compound"), ("nedaplatin", "Platinum compound"),
        ("5-fluorouracil", "Fluoropyrimidine"), ("capecitabine", "Fluoropyrimidine"),
        ("S-1", "Fluoropyrimidine"), ("irinotecan", "Other chemotherapy"),
        ("apatinib", "Targeted agent"), ("nimotuzumab", "Targeted agent"),
        ("osimertinib", "Targeted agent"), ("trastuzumab", "Targeted agent"),
        ("bevacizumab", "Other antineoplastic"), ("gemcitabine", "Other chemotherapy"),
        ("docetaxel-background", "Taxane"), ("leuprorelin", "Other antineoplastic"),
    ))},
    "Esophagectomy": (L + 2001, "Procedure", "Procedure", ()),
    "Radiotherapy": (L + 2002, "Procedure", "Procedure", ()),
    "Concurrent radiotherapy": (L + 2003, "Procedure", "Procedure", ()),
    "ECOG performance status": (L + 3001, "Measurement", "Observable Entity", ()),
    "Creatinine clearance": (L + 3002, "Measurement", "Lab Test", ()),
    "Target lesion longest diameter": (L + 3010, "Measurement", "Observable Entity", ()),
    "Non-target lesion status": (L + 3011, "Measurement", "Observable Entity", ()),
    "New lesion": (L + 3012, "Measurement", "Observable Entity", ()),
    "Disease progression": (L + 4001, "Observation", "Clinical Finding", ()),
    "End of treatment": (L + 4002, "Observation", "Observable Entity", ()),
    "Last known alive": (L + 4003, "Observation", "Observable Entity", ()),
    "Adverse event record": (AE_TYPE, "Type Concept", "Type Concept", ()),
    "EHR": (EHR, "Type Concept", "Type Concept", ()),
    "MALE": (8507, "Gender", "Gender", ()),
    "FEMALE": (8532, "Gender", "Gender", ()),
}
# Drugs outside RxNorm: no standard concept, the name in drug_source_value.
NON_STANDARD_DRUGS = ("anlotinib", "camrelizumab", "tislelizumab")

# Source values (names) written by the generator.
METASTASIS_SITES = ("liver", "lung", "distant lymph node", "bone", "pleura", "adrenal gland",
                    "peritoneum")
METASTASIS_NAMES = tuple(f"Secondary malignant neoplasm of {s}" for s in METASTASIS_SITES)
HISTOLOGY = {"ESCC": "Squamous cell carcinoma of esophagus",
             "adenocarcinoma": "Adenocarcinoma of esophagus",
             "small cell carcinoma": "Small cell carcinoma of esophagus"}
PRIOR_CHEMO = ("docetaxel", "cisplatin", "paclitaxel", "5-fluorouracil", "irinotecan")
LESION_CONCEPT = {"TARGET": "Target lesion longest diameter",
                  "NON-TARGET": "Non-target lesion status", "NEW": "New lesion"}
BACKGROUND = {  # cancer -> (condition concept, drugs given); oesophageal without study drugs
    "lung": ("Malignant neoplasm of lung", ("carboplatin", "pembrolizumab", "anlotinib",
                                            "osimertinib", "docetaxel")),
    "colon": ("Malignant neoplasm of colon", ("oxaliplatin", "capecitabine", "bevacizumab")),
    "breast": ("Malignant neoplasm of breast", ("paclitaxel", "trastuzumab")),
    "stomach": ("Malignant neoplasm of stomach", ("S-1", "oxaliplatin", "nivolumab")),
    "prostate": ("Malignant neoplasm of prostate", ("leuprorelin",)),
    "esophagus": ("Squamous cell carcinoma of middle third of esophagus",
                  ("cisplatin", "5-fluorouracil", "paclitaxel")),
}


def concept_id(name: str) -> int:
    """The concept id of ``name`` (0 for the drugs outside RxNorm)."""
    return 0 if name in NON_STANDARD_DRUGS else CONCEPTS[name][0]


def omop_vocabulary() -> dict[str, pd.DataFrame]:
    """The synthetic vocabulary: ``concept`` and ``concept_ancestor`` (transitive closure)."""
    concept = pd.DataFrame(
        [(cid, name, dom, "Local" if cid >= L else "Standard", cls, "S", str(cid))
         for name, (cid, dom, cls, _) in CONCEPTS.items()],
        columns=["concept_id", "concept_name", "domain_id", "vocabulary_id",
                 "concept_class_id", "standard_concept", "concept_code"])
    rows = []
    for name, (cid, *_rest) in CONCEPTS.items():
        rows.append((cid, cid, 0))
        level, frontier = 0, list(CONCEPTS[name][3])
        while frontier:
            level += 1
            rows += [(CONCEPTS[p][0], cid, level) for p in frontier]
            frontier = [g for p in frontier for g in CONCEPTS[p][3]]
    ancestor = pd.DataFrame(rows, columns=["ancestor_concept_id", "descendant_concept_id",
                                           "min_levels_of_separation"])
    ancestor["max_levels_of_separation"] = ancestor["min_levels_of_separation"]
    return {"concept": concept, "concept_ancestor": ancestor}
