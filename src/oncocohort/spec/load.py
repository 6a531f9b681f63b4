"""Load ``study.yaml`` into a :class:`~oncocohort.spec.model.StudySpec`, naming every error.

The YAML is read with YAML 1.2 booleans (only ``true``/``false``; ``yes``, ``no``, ``Y``, ``N``,
``on`` and ``off`` stay text, so a code mapping such as ``{"N": F}`` means what it says) and a
duplicated key is an error rather than a silent overwrite. Every problem is collected (pydantic
field errors and the cross-field checks of :mod:`oncocohort.spec.checks`) and raised together
as one :class:`~oncocohort.problems.InputError`; each :class:`~oncocohort.problems.Problem`
carries ``file`` = the YAML file and ``location`` = the YAML path (``endpoints.pfs.censor[1]``),
or ``line N, column M`` for YAML syntax errors.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from oncocohort.problems import InputError, Problem, did_you_mean
from oncocohort.spec.checks import TODO, check_sources, open_question, yaml_path
from oncocohort.spec.model import StudySpec

__all__ = ["load_spec", "spec_from_dict"]


class _SpecLoader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 booleans and duplicate-key detection."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _SpecLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    out: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in out:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", mark
            )
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


_SpecLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _unwrap(annotation: Any) -> list[Any]:
    """The types inside Optional/Union/Annotated/list/dict, outermost first."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _unwrap(a)]
    return [annotation]


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model describing the mapping at ``loc`` (for "allowed fields" hints)."""
    current: Any = StudySpec
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items()
                          if part in (n, f.alias)), None)
            if field is None:
                return None
            candidates = _unwrap(field.annotation)
        else:
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin is list and isinstance(part, int):
                candidates = _unwrap(args[0])
            elif origin is dict:
                candidates = _unwrap(args[1])
            else:
                return None
        current = next((c for c in candidates if c is not type(None)), None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _message(error: dict) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = _field_names(model) if model else []
        hint = did_you_mean(str(loc[-1]), allowed)
        known = f"; allowed: {', '.join(allowed)}" if allowed and not hint else ""
        return f"unknown field '{loc[-1]}'{hint}{known}"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"unknown value {error['input']!r}; allowed: {expected.replace(' or ', ', ')}"
    return error["msg"]


def _problems(errors: list[tuple[str, str, str]], file: str) -> list[Problem]:
    return [Problem("error", message, file=file, location=location, code=code)
            for location, message, code in errors]


def spec_from_dict(data: Any, *, base_dir: Path, file: str = "study.yaml") -> StudySpec:
    """Validate a spec given as a mapping (the parsed YAML); raise ``InputError`` on problems.

    ``base_dir`` is the folder source paths are relative to; ``file`` names the spec in
    messages.
    """
    if not isinstance(data, dict):
        raise InputError([Problem("error", "the spec must be a YAML mapping (key: value)",
                                  file=file, code="not_a_mapping")])
    found: list[tuple[str, str, str]] = []
    spec = None
    try:
        spec = StudySpec.model_validate(
            data, context={"base_dir": base_dir, "spec_path": Path(base_dir) / Path(file).name}
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err.get("input") == TODO:  # a question init left open, not a wrong value
                found.append((yaml_path(loc), open_question(loc), "open_todo"))
            else:
                found.append((yaml_path(loc), _message(err), err["type"]))
    found += check_sources(data, Path(base_dir))
    if found:
        raise InputError(_problems(found, file))
    assert spec is not None
    return spec


def load_spec(path: str | Path) -> StudySpec:
    """Read and validate a study spec YAML file.

    Parameters
    ----------
    path
        The ``study.yaml`` file. Source paths in it are resolved against its folder.

    Returns
    -------
    StudySpec
        The frozen, validated spec.

    Raises
    ------
    InputError
        With one :class:`~oncocohort.problems.Problem` per error, all of them: file missing or
        unreadable, YAML syntax (``line``/``column``), unknown or missing fields, values
        outside the allowed ones (listed), unknown named dates, descending subgroup cuts,
        missing source files, unknown canonical columns (with a did-you-mean).

    Examples
    --------
    >>> from oncocohort.spec import load_spec
    >>> spec = load_spec("study.yaml")                     # doctest: +SKIP
    >>> spec.conventions.km_conf_type                      # doctest: +SKIP
    'log-log'
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem("error", "spec file not found", file=file,
                                  code="file_not_found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem("error", f"cannot read the spec: {exc}", file=file,
                                  code="unreadable")]) from None
    try:
        data = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise InputError([Problem("error", f"YAML syntax error: {what}", file=file,
                                  location=where, code="yaml_syntax")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem("error", f"YAML error: {exc}", file=file,
                                  code="yaml_syntax")]) from None
    return spec_from_dict(data, base_dir=path.parent, file=file)
