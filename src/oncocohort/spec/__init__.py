"""The study spec: ``study.yaml`` loaded into frozen, validated pydantic models.

Other stages receive plain values from it (dates, lists, dicts), never the YAML.
"""

from oncocohort.spec.load import load_spec, spec_from_dict
from oncocohort.spec.model import Endpoint, Source, StudySpec, WideSource

__all__ = ["load_spec", "spec_from_dict", "StudySpec", "Source", "WideSource", "Endpoint"]
