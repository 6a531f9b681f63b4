"""A small, safe expression language for cohort rules, evaluated column-wise on a patients frame.

A rule such as ``'histology == "ESCC" and metastatic'`` or ``"ecog <= 2"`` is parsed with
Python's :mod:`ast` and only the node types listed below are accepted; the text is never
passed to ``eval`` nor to ``DataFrame.query``. Evaluation is vectorised over the rows of the
patients table and returns one boolean per row plus the rows where the rule could not be
evaluated.

Grammar
-------
=====================  =========================================================
``a == b``, ``!=``,    comparison of a column with a literal (or two columns);
``<``, ``<=``, ``>``,  chains such as ``18 <= age < 90`` are allowed
``>=``
``x in [..]``          membership in a list/tuple of literals (``not in`` too)
``and``, ``or``,       boolean logic, with parentheses
``not``
``"text"``, ``12``,    literals; ``true``/``false`` are accepted as well as
``1.5``, ``True``      Python's ``True``/``False``
``flag``               a bare column must hold yes/no values: booleans, 0/1, or the
                       texts true/false, yes/no, y/n, 1/0 in any case
``x is missing``       ``x is not missing``: the only way to test for a missing value
=====================  =========================================================

Missing values (``docs/cohort-rules.md``)
------------------------------------------
A missing value (``NaN``, ``None``, ``NaT``, empty text) in a column that a comparison,
membership test or bare boolean needs makes the rule *unevaluable* for that patient: this is
reported as an error naming the rule and the subject, never silently treated as false or
true. A rule says what a missing value means with ``is missing`` / ``is not missing``, and
``and``/``or`` *short-circuit*, left to right and per patient, as in Python and SQL's
``CASE``: ``x is not missing and x > 40`` is false for a patient without ``x`` (``x > 40`` is
not looked at), ``x is missing or x <= 2`` is true for them. So an exclusion rule "known and
above 40, keep the unknown" is ``wt_loss is not missing and wt_loss > 40``. An operand a
patient does not reach is never evaluated for them; one they reach and that cannot be
evaluated makes the rule unevaluable for them. ``not`` keeps an unevaluable operand
unevaluable. Comparing text with a number is an error for the rows concerned as well.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from oncocohort.canon.distinct import first_positions, typed_codes

__all__ = ["Expression", "RuleSyntaxError", "parse_rule", "compute_rule"]

_MISSING_RE = re.compile(r"\bis\s+(not\s+)?missing\b")
_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}


class RuleSyntaxError(ValueError):
    """The rule text is not in the cohort rule language (message says what is not allowed)."""


@dataclass(frozen=True)
class Expression:
    """A parsed rule: its text, its syntax tree and the columns it reads."""

    text: str
    tree: ast.expr
    columns: tuple[str, ...]


def parse_rule(text: str) -> Expression:
    """Parse a rule into a checked :class:`Expression`.

    ``x is missing`` / ``x is not missing`` are rewritten to internal calls before parsing;
    every other construct outside the grammar (calls, attributes, arithmetic, subscripts,
    lambdas...) raises :class:`RuleSyntaxError`.
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleSyntaxError("the rule is empty")
    rewritten = _rewrite_missing(text)
    try:
        tree = ast.parse(rewritten.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleSyntaxError(f"cannot parse the rule: {exc.msg}") from None
    columns: list[str] = []
    _check(tree, columns)
    return Expression(text=text, tree=tree, columns=tuple(dict.fromkeys(columns)))


def _rewrite_missing(text: str) -> str:
    # "<name> is [not] missing" -> "__missing__(<name>)" / "__present__(<name>)"
    pattern = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s+is\s+(not\s+)?missing\b")

    def repl(m: re.Match[str]) -> str:
        fn = "__present__" if m.group(2) else "__missing__"
        return f"{fn}({m.group(1)})"

    out = pattern.sub(repl, text)
    if _MISSING_RE.search(out):
        raise RuleSyntaxError("'is missing' must follow a column name")
    return out


def _check(node: ast.AST, columns: list[str]) -> None:  # noqa: C901 - one branch per node type
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, columns)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, columns)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        if not (isinstance(node.operand, ast.Constant) and _is_number(node.operand.value)):
            raise RuleSyntaxError("a minus sign is only allowed before a number")
    elif isinstance(node, ast.Compare):
        _check(node.left, columns)
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, ast.List | ast.Tuple):
                    raise RuleSyntaxError("'in' needs a list of values, e.g. x in [1, 2]")
                for elt in right.elts:
                    if not _is_literal(elt):
                        raise RuleSyntaxError("the list after 'in' may only hold literals")
            elif type(op) in _COMPARE:
                _check(right, columns)
            else:
                raise RuleSyntaxError(f"operator {type(op).__name__} is not allowed")
    elif isinstance(node, ast.Call):
        ok = (
            isinstance(node.func, ast.Name)
            and node.func.id in ("__missing__", "__present__")
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
            and not node.keywords
        )
        if not ok:
            raise RuleSyntaxError("function calls are not allowed")
        columns.append(node.args[0].id)
    elif isinstance(node, ast.Name):
        if node.id not in ("true", "false", "True", "False"):
            columns.append(node.id)
    elif isinstance(node, ast.Constant):
        if not (node.value is None or isinstance(node.value, str | int | float | bool)):
            raise RuleSyntaxError("unsupported literal")
    else:
        raise RuleSyntaxError(f"{type(node).__name__} is not allowed in a rule")


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | float | bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant) and _is_number(node.operand.value)
    return isinstance(node, ast.Name) and node.id in ("true", "false", "True", "False")


# --------------------------------------------------------------------------------------------
# evaluation: every node gives (values: object ndarray or scalar, bad: bool ndarray)


@dataclass(frozen=True)
class _Eval:
    """Result of evaluating a rule on n rows."""

    value: np.ndarray  # bool, meaningful where ~bad
    bad: np.ndarray  # bool: row could not be evaluated
    reason: np.ndarray  # object: text reason where bad


def compute_rule(expr: Expression, frame: pd.DataFrame) -> _Eval:
    """Evaluate a parsed rule on every row of ``frame``.

    Returns the truth value per row and, for rows where the rule cannot be evaluated, a reason
    (``"missing value in column 'ecog'"``, ``"text compared with a number in column 'age'"``).
    Columns not in ``frame`` must have been reported before calling this function.
    """
    n = len(frame)
    ev = _Evaluator(frame, n)
    value, bad, reason = ev.boolean(expr.tree)
    return _Eval(value=value, bad=bad, reason=reason)


def _missing_mask(col: pd.Series) -> np.ndarray:
    mask = col.isna().to_numpy(dtype=bool)
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        try:  # blank texts, each distinct value looked at once
            codes, distinct = pd.factorize(col.to_numpy(dtype=object))
        except TypeError:  # an unhashable value
            text = col.astype("string").str.strip()
            return mask | (text == "").fillna(True).to_numpy(dtype=bool)
        blank = np.array([_text(v).strip() == "" for v in distinct] + [True], dtype=bool)
        mask |= blank[codes]
    return mask


def _text(value: object) -> str:
    """A cell as ``astype("string")`` reads it: bytes decoded (``b" "`` is blank too)."""
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


class _Evaluator:
    def __init__(self, frame: pd.DataFrame, n: int) -> None:
        self.frame = frame
        self.n = n

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n, dtype=bool), np.full(self.n, None, dtype=object)

    @staticmethod
    def _flag(bad, reason, mask, text) -> None:
        """Mark ``mask`` rows bad, keeping the first reason found for a row."""
        new = mask & ~bad
        reason[new] = text[new] if isinstance(text, np.ndarray) else text
        bad |= mask

    def _apply_rows(self, res, bad, reason, columns, compute, mismatch: str) -> None:
        """``res`` = ``compute`` of the cells of each row not yet ``bad``; a row it cannot
        decide (``None``: values of different kinds) is flagged bad with ``mismatch``."""
        rows = np.flatnonzero(~bad)
        got = _per_distinct(rows, columns, compute)
        undecided = np.array([g is None for g in got], dtype=bool)
        res[rows[~undecided]] = np.array([g for g in got if g is not None], dtype=bool)
        mask = np.zeros(self.n, dtype=bool)
        mask[rows[undecided]] = True
        self._flag(bad, reason, mask, mismatch)

    def boolean(self, node: ast.expr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        bad, reason = self._empty()
        if isinstance(node, ast.BoolOp):
            return self._short_circuit(node)
        if isinstance(node, ast.UnaryOp):  # not
            value, b, r = self.boolean(node.operand)
            return ~value, b, r
        if isinstance(node, ast.Call):
            col = self.frame[node.args[0].id]
            miss = _missing_mask(col)
            return (miss if node.func.id == "__missing__" else ~miss), bad, reason
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Name) and node.id not in ("true", "false", "True", "False"):
            return self._bare(node.id)
        lit = _literal(node)
        if isinstance(lit, bool):
            return np.full(self.n, lit), bad, reason
        raise RuleSyntaxError("a literal on its own is not a condition")

    def _short_circuit(self, node: ast.BoolOp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``and``/``or`` left to right, per row: a row is decided by the first operand that
        is false (``and``) or true (``or``), and the operands after it are not looked at for
        that row; an operand that cannot be evaluated makes the row unevaluable only if the
        row reaches it."""
        bad, reason = self._empty()
        is_and = isinstance(node.op, ast.And)
        value = np.full(self.n, is_and)
        decided = np.zeros(self.n, dtype=bool)
        for operand in node.values:
            v, b, r = self.boolean(operand)
            live = ~decided
            self._flag(bad, reason, b & live, r)
            known = live & ~b
            value[known] = v[known]
            decided |= (known & (~v if is_and else v)) | (b & live)
        return value, bad, reason

    def _bare(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        bad, reason = self._empty()
        col = self.frame[name]
        miss = _missing_mask(col)
        self._flag(bad, reason, miss, f"missing value in column {name!r}")
        values = _per_distinct(np.arange(self.n), (col.to_numpy(dtype=object),), _as_bool)
        ok = np.array([v is not None for v in values], dtype=bool)
        self._flag(bad, reason, ~ok, f"column {name!r} is used as a condition but is not yes/no")
        value = np.array([bool(v) for v in values], dtype=bool)
        return value, bad, reason

    def _operand(self, node: ast.expr):
        """(values object array, bad, reason) for a column or a literal."""
        bad, reason = self._empty()
        if isinstance(node, ast.Name) and node.id not in ("true", "false", "True", "False"):
            col = self.frame[node.id]
            miss = _missing_mask(col)
            self._flag(bad, reason, miss, f"missing value in column {node.id!r}")
            return col.to_numpy(dtype=object), bad, reason, node.id
        if isinstance(node, ast.Compare | ast.BoolOp | ast.UnaryOp | ast.Call):
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                return np.full(self.n, _literal(node), dtype=object), bad, reason, None
            v, b, r = self.boolean(node)
            return v.astype(object), b, r, None
        return np.full(self.n, _literal(node), dtype=object), bad, reason, None

    def _compare(self, node: ast.Compare) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        value = np.ones(self.n, dtype=bool)
        bad, reason = self._empty()
        left, lb, lr, lname = self._operand(node.left)
        self._flag(bad, reason, lb, lr)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                options = [_literal(e) for e in right_node.elts]
                res = np.zeros(self.n, dtype=bool)
                kinds = {_kind(o) for o in options}
                member = partial(_member, options=options, kinds=kinds)
                self._apply_rows(res, bad, reason, (left,), member, _mismatch(lname))
                value &= ~res if isinstance(op, ast.NotIn) else res
                continue
            right, rb, rr, rname = self._operand(right_node)
            self._flag(bad, reason, rb, rr)
            res = np.zeros(self.n, dtype=bool)
            sym = _COMPARE[type(op)]
            compare = partial(_compare_pair, sym)
            self._apply_rows(res, bad, reason, (left, right), compare, _mismatch(lname or rname))
            value &= res
            left, lname = right, rname
        return value, bad, reason


def _per_distinct(rows: np.ndarray, columns: tuple[np.ndarray, ...], compute) -> list:
    """``compute(*cells)`` for each of ``rows`` (the cells of ``columns`` on that row), called
    once per distinct cells in the order rows first show them: a column repeats its values.
    Cells are told apart by type and value, so that ``True``, ``1`` and ``1.0`` stay apart (a
    NaN, equal to nothing, is computed once: ``compute`` gives the same for every NaN)."""
    codes = _distinct_codes(rows, columns)
    if codes is None:  # an unhashable value: every row on its own
        return [compute(*(col[i] for col in columns)) for i in rows]
    firsts = first_positions(codes)
    picked = rows[firsts]
    got = np.empty(len(firsts), dtype=object)
    got[:] = [compute(*(col[i] for col in columns)) for i in picked]
    return got[codes].tolist()


def _distinct_codes(rows: np.ndarray, columns: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """Per row of ``rows``, a code for its cells' (type, value) in ``columns``, numbered from 0
    in order of first appearance; ``None`` when a cell is unhashable."""
    codes = np.zeros(len(rows), dtype=np.int64)
    for col in columns:
        both = typed_codes(col[rows])
        if both is None:
            return None
        codes, _ = pd.factorize(codes * (len(rows) + 1) + both)
    return codes


def _member(v: object, options: list, kinds: set[str]) -> bool | None:
    """Whether ``v`` equals one of ``options``; ``None`` when its kind is none of theirs."""
    if kinds and _kind(v) not in kinds:
        return None
    return any(_equal(v, o) for o in options)


def _compare_pair(sym: str, left: object, right: object) -> bool | None:
    """``left sym right``; ``None`` when they are of different kinds (or text or yes/no
    values ordered)."""
    a, b = _as_date_pair(*_as_bool_pair(left, right))
    ka, kb = _kind(a), _kind(b)
    if ka != kb or (ka in ("text", "bool") and sym not in ("==", "!=")):
        return None
    return _apply(sym, a, b)


_YES = {"true", "yes", "y", "1"}
_NO = {"false", "no", "n", "0"}


def _as_bool(v: object) -> bool | None:
    """A yes/no value: booleans, 0/1, or the texts true/false, yes/no, y/n, 1/0 (any case)."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer) or (isinstance(v, float | np.floating) and v in (0, 1)):
        return bool(v) if v in (0, 1) else None
    if isinstance(v, str):
        t = v.strip().lower()
        return True if t in _YES else False if t in _NO else None
    return None


def _as_bool_pair(a, b):
    """Let a yes/no column held as text or 0/1 be compared with ``true``/``false``."""
    if _kind(a) == "bool" and _kind(b) != "bool" and _as_bool(b) is not None:
        return a, _as_bool(b)
    if _kind(b) == "bool" and _kind(a) != "bool" and _as_bool(a) is not None:
        return _as_bool(a), b
    return a, b


def _as_date_pair(a, b):
    """Let a date column be compared with an ISO date literal (``index_date >= "2019-01-01"``)."""
    ka, kb = _kind(a), _kind(b)
    try:
        if ka == "date" and kb == "text":
            return pd.Timestamp(a), pd.Timestamp(b)
        if kb == "date" and ka == "text":
            return pd.Timestamp(a), pd.Timestamp(b)
    except (ValueError, TypeError):
        pass
    return a, b


def _mismatch(name: str | None) -> str:
    where = f" in column {name!r}" if name else ""
    return f"values of different kinds (text, number, yes/no or date) compared{where}"


def _kind(v: object) -> str:
    if isinstance(v, bool | np.bool_):
        return "bool"
    if isinstance(v, int | float | np.integer | np.floating):
        return "number"
    if isinstance(v, pd.Timestamp | np.datetime64 | dt.date):
        return "date"
    return "text"


def _equal(a: object, b: object) -> bool:
    if _kind(a) == "text":
        return str(a) == str(b)
    return bool(a == b)


def _apply(sym: str, a, b) -> bool:
    if sym == "==":
        return _equal(a, b)
    if sym == "!=":
        return not _equal(a, b)
    if sym == "<":
        return bool(a < b)
    if sym == "<=":
        return bool(a <= b)
    if sym == ">":
        return bool(a > b)
    return bool(a >= b)


def _literal(node: ast.AST):
    if isinstance(node, ast.Name):
        return node.id in ("true", "True")
    if isinstance(node, ast.UnaryOp):
        return -node.operand.value
    return node.value
