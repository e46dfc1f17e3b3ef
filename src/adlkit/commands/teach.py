"""``adlkit types``, ``adlkit variants``, ``adlkit export`` and ``adlkit serve``: the tools around
the solver for the people who teach and take the course (CONTRACT.md, "Tools around the solver")."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands import _common


class TypesFormat(str, Enum):
    text = "text"
    json = "json"


class ExportFormat(str, Enum):
    moodle = "moodle"
    qti = "qti"
    pdf = "pdf"


def _spec_errors(messages: list[str]) -> None:
    for line in messages:
        typer.echo(line, err=True)
    raise typer.Exit(2)


def _load_spec(spec: str) -> dict:
    """A spec file, ``-`` (standard input) or the name of a bundled sheet (``seed``, ...)."""
    from adlkit.solve import bundled_exams
    from adlkit.solve.spec import SpecError, load_spec_file, load_spec_text

    sheets = bundled_exams()
    try:
        if spec == "-":
            return load_spec_text(sys.stdin.read(), "stdin")
        if not Path(spec).exists() and spec in sheets:
            spec = str(sheets[spec])
        return load_spec_file(spec)
    except SpecError as err:
        _spec_errors(err.messages)


def types(format: TypesFormat = typer.Option(TypesFormat.text, "--format", "-f", help="Output format.")) -> None:
    """Every problem type with its parameters and answer keys, and every concept topic id."""
    from adlkit.solve.catalog import catalog, render_text

    data = catalog()
    if format is TypesFormat.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n")
    else:
        sys.stdout.write(render_text(data))


def variants(
    spec: str = typer.Argument(..., help="Spec file (YAML or JSON; '-' reads standard input), or a bundled sheet's name."),
    n: int = typer.Option(..., "-n", help="Variants per problem."),
    seed: int = typer.Option(0, "--seed", help="Seed: the same seed gives the same file."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the spec to this file (.json: JSON, else YAML)."),
) -> None:
    """A spec with N seeded variants of every problem (ids <id>_v1..<id>_vN, each with a note)."""
    from adlkit.solve.spec import SpecError
    from adlkit.solve.variants import VariantError, make_variants

    if n < 1:
        _common.fail(f"-n: must be at least 1, got {n}")
    if seed < 0:
        _common.fail(f"--seed: must be >= 0, got {seed}")
    if output is not None:
        output = _common.output_file(output)
    data = _load_spec(spec)
    try:
        out = make_variants(data, n, seed)
    except (SpecError, VariantError) as err:
        _spec_errors(err.messages)
    if output is not None and output.suffix.lower() == ".json":
        text = json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    else:
        import yaml

        text = yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=120)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({len(out['problems'])} problems)", err=True)


def export(
    spec: str = typer.Argument(..., help="Spec file (YAML or JSON; '-' reads standard input), or a bundled sheet's name."),
    to: ExportFormat = typer.Option(..., "--to", help="moodle (Moodle XML), qti (QTI 2.1 zip) or pdf."),
    answers: bool = typer.Option(False, "--answers", help="pdf: the answer key with worked solutions, not only the questions."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output file (default: quiz.xml, quiz-qti.zip or sheet.pdf)."),
) -> None:
    """A Moodle XML quiz, a QTI 2.1 package or a printable PDF of a spec's problems."""
    from adlkit.export import FORMATS, build_quiz
    from adlkit.solve.spec import SpecError

    default, binary = FORMATS[to.value]
    if answers and to is not ExportFormat.pdf:
        _common.fail("--answers: only for --to pdf (Moodle and QTI carry the worked solutions as feedback)")
    output = _common.output_file(output if output is not None else Path(default))
    data = _load_spec(spec)
    try:
        quiz = build_quiz(data)
    except SpecError as err:
        _spec_errors(err.messages)
    if to is ExportFormat.moodle:
        from adlkit.export.moodle import to_moodle

        content: str | bytes = to_moodle(quiz)
    elif to is ExportFormat.qti:
        from adlkit.export.qti import to_qti

        content = to_qti(quiz)
    else:
        from adlkit.export.pdf import PDFError, to_pdf

        try:
            content = to_pdf(quiz, answers)
        except PDFError as err:
            _common.fail(str(err))
    if binary:
        output.write_bytes(content)  # type: ignore[arg-type]
    else:
        output.write_text(content, encoding="utf-8")  # type: ignore[arg-type]
    typer.echo(f"wrote {output} ({len(quiz.questions)} questions)", err=True)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8000, "--port", help="Port."),
    workers: int = typer.Option(2, "--workers", help="Solver worker processes."),
    time_limit: float = typer.Option(10.0, "--time-limit", help="Seconds a request's solving may take (then 503)."),
) -> None:
    """A local web app: pick a type, fill its form, see the worked solution, check an answer,
    draw variants, download exports; and the JSON API (/api/types, /api/solve, /api/check)."""
    if not 0 < port < 65536:
        _common.fail(f"--port: must be 1..65535, got {port}")
    if workers < 1:
        _common.fail(f"--workers: must be at least 1, got {workers}")
    if not time_limit > 0:
        _common.fail(f"--time-limit: must be > 0, got {time_limit:g}")
    import uvicorn

    from adlkit.serve import create_app

    typer.echo(f"adlkit serve: http://{host}:{port}/ ({workers} solver worker(s), time limit {time_limit:g} s)", err=True)
    uvicorn.run(create_app(workers, time_limit), host=host, port=port, log_level="warning")


def register(groups: dict[str, typer.Typer]) -> None:
    groups["app"].command("types")(types)
    groups["app"].command("variants")(variants)
    groups["app"].command("export")(export)
    groups["app"].command("serve")(serve)
