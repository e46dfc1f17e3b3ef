"""Markdown printer: a solution sheet with LaTeX in ``$...$`` / ``$$...$$``."""

from __future__ import annotations

from adlkit.core.numbers import jsonable
from adlkit.solve.model import Solution, SolvedSheet, Step


def _answer(v) -> str:
    v = jsonable(v)
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, list) and len(str(v)) > 300:
        return f"{len(v)} items (see the steps)"
    return f"{v}"


def _steps(steps: list[Step], depth: int = 0) -> list[str]:
    out: list[str] = []
    pad = "  " * depth
    for s in steps:
        line = f"{pad}- {s.text}" if s.text else f"{pad}-"
        if s.math:
            if depth == 0:
                out.append(line)
                out.append("")
                out.append(f"{pad}  $$ {s.math} $$")
                out.append("")
            else:
                out.append(f"{line}: $ {s.math} $")
        else:
            out.append(line)
        if s.substeps:
            out.extend(_steps(s.substeps, depth + 1))
    return out


def render_solution(sol: Solution, level: int = 2) -> str:
    h = "#" * level
    lines = [f"{h} {sol.id} · {sol.type}", ""]
    if sol.conventions:
        lines.append("> **Conventions**")
        lines.append(">")
        for k, v in sol.conventions.items():
            lines.append(f"> - *{k}*: {v}")
        lines.append("")
    lines.append("**Solution**")
    lines.append("")
    lines.extend(_steps(sol.steps))
    lines.append("")
    lines.append("**Answers**")
    lines.append("")
    lines.append("| key | value |")
    lines.append("|---|---|")
    for k, v in sol.answers.items():
        text = _answer(v).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{k}` | {text} |")
    for name, path in sol.figures.items():
        lines.append("")
        lines.append(f"![{name}]({path})")
    lines.append("")
    return "\n".join(lines)


def render_sheet(sheet: SolvedSheet) -> str:
    parts = [f"# {sheet.title or 'Worked solutions'}", ""]
    parts.extend(render_solution(s) for s in sheet.results)
    return "\n".join(parts)
