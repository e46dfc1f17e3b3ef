"""``adlkit solve SPEC`` and ``adlkit exam [FILE]``: the worked-solution engine's commands."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


def _run(spec: str, fmt: Format, output: Optional[Path]) -> None:
    from adlkit.solve import solve_spec
    from adlkit.solve.printers import get_printer
    from adlkit.solve.spec import SpecError, load_spec_file, load_spec_text

    try:
        data = load_spec_text(sys.stdin.read(), "stdin") if spec == "-" else load_spec_file(spec)
        sheet = solve_spec(data)
    except SpecError as err:
        for line in err.messages:
            typer.echo(line, err=True)
        raise typer.Exit(2)
    render = get_printer(fmt.value)
    if fmt is Format.text and output is None:
        text = render(sheet, color=sys.stdout.isatty())
    else:
        text = render(sheet)
    if output is not None:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def solve(
    spec: str = typer.Argument(..., help="Spec file (YAML or JSON; '-' reads standard input)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Solve every problem of a spec file, step by step (contract: CONTRACT.md).

    Exit status 0 when every problem was solved, 2 when the spec is invalid (one message per
    fault on stderr, naming the problem id and the field; nothing on stdout).
    """
    _run(spec, format, output)


def exam(
    spec: Optional[str] = typer.Argument(None, help="Spec file; default: the bundled exam sheet."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Solve the bundled exam sheet (or any spec file) with worked solutions."""
    from adlkit.solve import bundled_exam_path

    _run(spec or str(bundled_exam_path()), format, output)


def register(groups: dict[str, typer.Typer]) -> None:
    groups["app"].command("solve")(solve)
    groups["app"].command("exam")(exam)
