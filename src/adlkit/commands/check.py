"""``adlkit check ANSWERS [--exam FILE]``: mark a student's answers, naming the common slips."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Optional

import typer


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


def check(
    answers: str = typer.Argument(..., help="Answers file (YAML or JSON): answers: {id: {key: value}}."),
    exam: Optional[str] = typer.Option(None, "--exam", help="Spec file the answers are for; default: the bundled exam."),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="Output format."),
    rel_tol: Optional[float] = typer.Option(None, "--rel-tol", help="Relative tolerance (default 0.005, or the file's)."),
    abs_tol: Optional[float] = typer.Option(None, "--abs-tol", help="Absolute tolerance (default 0.001, or the file's)."),
) -> None:
    """Compare a student's answers with the computed ones; name the slip behind a wrong answer.

    Exit status 0 when every answer is right, 1 when some are wrong, 2 when the answers file or
    the exam is invalid (one line per fault on stderr).
    """
    from adlkit.check import AnswersError, Tolerance, check_answers, load_answers
    from adlkit.solve.spec import SpecError

    def fail(lines: list[str]) -> None:
        for line in lines:
            typer.echo(line, err=True)
        raise typer.Exit(2)

    for name, v in (("--rel-tol", rel_tol), ("--abs-tol", abs_tol)):
        if v is not None and not (v >= 0 and v != float("inf")):
            fail([f"{name}: must be a finite number >= 0, got {v:g}"])
    try:
        given, file_tol = load_answers(answers)
        base = file_tol or Tolerance()
        tol = Tolerance(rel=base.rel if rel_tol is None else rel_tol, abs=base.abs if abs_tol is None else abs_tol)
        report = check_answers(given, exam, tol)
    except AnswersError as err:
        fail(err.messages)
    except SpecError as err:
        fail([f"exam: {m}" for m in err.messages])
    if format is CheckFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False) + "\n")
    else:
        sys.stdout.write(report.render_text())
    raise typer.Exit(0 if report.all_right else 1)


def register(groups: dict[str, typer.Typer]) -> None:
    groups["app"].command("check")(check)
