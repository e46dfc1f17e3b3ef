"""Terminal printer (rich): problems as panels, steps as a tree, math as Unicode."""

from __future__ import annotations

import io

from adlkit.core.numbers import jsonable
from adlkit.solve.model import Solution, SolvedSheet, Step
from adlkit.solve.printers.plain import to_plain


def _fmt_answer(v) -> str:
    v = jsonable(v)
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, str):  # prose answers are printed in full (the table wraps them)
        return v
    s = str(v)
    if len(s) <= 400:
        return s
    more = f" ({len(v)} items)" if isinstance(v, (list, dict)) else ""
    return s[:400] + " ..." + more


def _add_steps(tree, steps: list[Step]) -> None:
    from rich.text import Text

    for s in steps:
        label = Text(s.text, style="bold" if s.substeps else "")
        if s.math:
            label.append("\n")
            label.append(to_plain(s.math), style="cyan")
        node = tree.add(label)
        if s.substeps:
            _add_steps(node, s.substeps)


def render_solution(sol: Solution, console) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table
    from rich.tree import Tree

    console.rule(f"[bold]{sol.id}[/bold] · {sol.type}")
    if sol.conventions:
        conv = Table.grid(padding=(0, 1))
        for k, v in sol.conventions.items():
            conv.add_row(f"[yellow]{escape(k)}[/yellow]", escape(v))
        console.print(Panel(conv, title="conventions", border_style="yellow", expand=False))
    tree = Tree("[bold]solution[/bold]")
    _add_steps(tree, sol.steps)
    console.print(tree)
    ans = Table(title=None, show_header=True, header_style="bold green", expand=False)
    ans.add_column("answer")
    ans.add_column("value", overflow="fold")
    for k, v in sol.answers.items():
        ans.add_row(escape(k), escape(_fmt_answer(v)))
    console.print(ans)
    for name, path in sol.figures.items():
        console.print(f"[dim]figure {name}: {path}[/dim]")
    console.print()


def render_sheet(sheet: SolvedSheet, width: int | None = None, color: bool | None = None) -> str:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width or 100, force_terminal=bool(color),
                      no_color=not color, highlight=False)
    if sheet.title:
        console.print(f"[bold underline]{sheet.title}[/bold underline]\n")
    for sol in sheet.results:
        render_solution(sol, console)
    return buf.getvalue()
