"""``adlkit solve SPEC`` and ``adlkit exam [FILE]``: the worked-solution engine's commands."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands import _common


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


SHEET_NAMES = {"text": "sheet.txt", "markdown": "sheet.md", "json": "sheet.json", "html": "sheet.html"}


def _run(spec: str, fmt: Format, output: Optional[Path], out_dir: Optional[Path] = None) -> None:
    from adlkit.solve import solve_spec, validate_spec
    from adlkit.solve.printers import get_printer
    from adlkit.solve.spec import SpecError, load_spec_file, load_spec_text

    if out_dir is not None and output is not None:
        typer.echo("give either --output FILE or --out DIR, not both", err=True)
        raise typer.Exit(2)
    # output paths are checked before any work (missing folders are created)
    if out_dir is not None:
        out_dir = _common.output_dir(out_dir)
    if output is not None:
        output = _common.output_file(output)
    try:
        data = load_spec_text(sys.stdin.read(), "stdin") if spec == "-" else load_spec_file(spec)
        parsed = validate_spec(data)[1] if (out_dir is not None or fmt is Format.html) else None
        sheet = solve_spec(data)
    except SpecError as err:
        for line in err.messages:
            typer.echo(line, err=True)
        raise typer.Exit(2) from None
    if out_dir is not None:
        # figures only on request: matplotlib is imported here and nowhere on the plain path
        from adlkit.solve.figures import attach_figures

        figs = attach_figures(sheet, parsed, out_dir)
        output = out_dir / SHEET_NAMES[fmt.value]
        typer.echo(f"wrote {len(figs)} figure(s) to {out_dir}", err=True)
    render = get_printer(fmt.value)
    if fmt is Format.text and output is None:
        text = render(sheet, color=sys.stdout.isatty())
    elif fmt is Format.html:
        text = _html_page(sheet, parsed, out_dir)
    else:
        text = render(sheet)
    if output is not None:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _html_page(sheet, parsed, out_dir: Optional[Path]) -> str:
    """The self-contained page embeds its figures: drawn into ``--out DIR`` when given, else
    into a temporary directory that is removed once they are embedded."""
    import tempfile

    from adlkit.solve.printers.html import render_sheet

    if out_dir is not None:
        return render_sheet(sheet, base_dir=out_dir)
    from adlkit.solve.figures import attach_figures

    with tempfile.TemporaryDirectory(prefix="adlkit-figures-") as tmp:
        attach_figures(sheet, parsed, tmp)
        return render_sheet(sheet, base_dir=tmp)


def solve(
    spec: str = typer.Argument(..., help="Spec file (YAML or JSON; '-' reads standard input)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the sheet (sheet.md/.txt/.json) and its figures (PNG) into this directory."),
) -> None:
    """Solve every problem of a spec file, step by step (contract: CONTRACT.md).

    Exit status 0 when every problem was solved, 2 when the spec is invalid (one message per
    fault on stderr, naming the problem id and the field; nothing on stdout).
    """
    _run(spec, format, output, out)


def exam(
    spec: Optional[str] = typer.Argument(None, help="Spec file, or the name of a bundled sheet (see --list); default: the bundled exam sheet."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the sheet (sheet.md/.txt/.json) and its figures (PNG) into this directory."),
    list_: bool = typer.Option(False, "--list", help="List the bundled sheets (the seed exam and one per course module) and exit."),
) -> None:
    """Solve the bundled exam sheet, a bundled example sheet by name, or any spec file."""
    from adlkit.solve import bundled_exam_path, bundled_exams

    sheets = bundled_exams()
    if list_:
        _list_sheets(sheets)
        return
    if spec is not None and spec != "-" and not Path(spec).exists():
        if spec not in sheets:
            _common.fail(f"{spec}: no such file, and no bundled sheet of that name "
                         f"(bundled: {', '.join(sheets)}; see adlkit exam --list)")
        spec = str(sheets[spec])
    _run(spec or str(bundled_exam_path()), format, output, out)


def _list_sheets(sheets: dict[str, Path]) -> None:
    """One line per bundled sheet: its name (what ``adlkit exam NAME`` takes), its number of
    problems and its title."""
    from adlkit.solve.spec import SpecError, load_spec_file

    width = max(len(n) for n in sheets)
    for name, path in sheets.items():
        try:
            data = load_spec_file(str(path))
        except SpecError:  # a shipped sheet always reads; say so rather than hide it
            typer.echo(f"{name.ljust(width)}  (unreadable: {path})")
            continue
        n = len(data.get("problems") or [])
        typer.echo(f"{name.ljust(width)}  {n:3d} problems  {data.get('title') or ''}")


def register(groups: dict[str, typer.Typer]) -> None:
    groups["app"].command("solve")(solve)
    groups["app"].command("exam")(exam)
