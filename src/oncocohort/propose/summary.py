"""What ``oncocohort init`` tells the person who ran it, as lines of text (no printing here)."""

from __future__ import annotations

from oncocohort.propose.messages import WARNINGS, describe, role_label
from oncocohort.propose.render import SpecText, display_width
from oncocohort.propose.results import SheetProposal

__all__ = ["summary_lines"]

_TEXT = {
    "en": {"sheet": "{file}{sheet}: header on row {row}, {n} data rows, {k} columns",
           "levels": {"sure": "sure", "guess": "GUESS", "left_out": "left out"},
           "todos": "{n} open question(s), marked TODO in the spec:",
           "no_todos": "No open questions.",
           "written": "Written {out}. Next: oncocohort validate {out}"},
    "zh": {"sheet": "{file}{sheet}：表头在第 {row} 行，{n} 行数据，{k} 列",
           "levels": {"sure": "确定", "guess": "推测", "left_out": "不纳入"},
           "todos": "{n} 个待定问题，已在配置中标为 TODO：",
           "no_todos": "没有待定问题。",
           "written": "已写入 {out}。下一步：oncocohort validate {out}"},
}


def summary_lines(proposal: SheetProposal, spec: SpecText, out: str, lang: str = "en"
                  ) -> list[str]:
    """The column table (with the warnings of :data:`~oncocohort.propose.messages.
    WARNINGS` under their column), the open questions and where the spec went."""
    t = _TEXT.get(lang, _TEXT["en"])
    sheet = f", {proposal.sheet}" if proposal.sheet else ""
    lines = [t["sheet"].format(file=proposal.file, sheet=sheet, row=proposal.header_row,
                               n=proposal.rows, k=len(proposal.columns))]
    width = max((display_width(c.header) for c in proposal.columns), default=0)
    for c in proposal.columns:
        target = c.variable or c.ae_term or ""
        pad = " " * (width - display_width(c.header))
        lines.append(f"  {c.header}{pad}  {t['levels'][c.level]:8s}  "
                     f"{role_label(c.role, lang)}" + (f" -> {target}" if target else ""))
        lines += [f"  {' ' * width}  ! {describe(n, lang)}" for n in c.evidence
                  if n.code in WARNINGS]
    if spec.todos:
        lines.append(t["todos"].format(n=len(spec.todos)))
        lines += [f"  {i}. {x}" for i, x in enumerate(spec.todos, 1)]
    else:
        lines.append(t["no_todos"])
    lines.append(t["written"].format(out=out))
    return lines
