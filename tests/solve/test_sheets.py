"""The sheets shipped in the package: the seed exam and one example sheet per course module.

Each one validates and solves (every problem, exit 0 from the CLI), its ids are unique, and
``adlkit exam NAME`` solves the same file as ``adlkit exam PATH``; ``adlkit exam --list`` names
every one. Problem types and concept topics carry their course modules (1..11).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.solve import bundled_exam_path, bundled_exams, solve_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.spec import load_spec_file
from adlkit.solve.topics import topics
from adlkit.solve.unit import COURSE_MODULES

SHEETS = bundled_exams()


def test_the_seed_exam_is_listed_first():
    assert next(iter(SHEETS)) == "seed" and SHEETS["seed"] == bundled_exam_path()


@pytest.mark.parametrize("name", list(SHEETS))
def test_every_bundled_sheet_solves(name):
    data = load_spec_file(str(SHEETS[name]))
    sheet = solve_spec(data)
    ids = [r.id for r in sheet.results]
    assert len(ids) == len(data["problems"]) == len(set(ids))


def test_exam_by_name_equals_exam_by_path_and_list_names_every_sheet():
    runner = CliRunner()
    name = list(SHEETS)[-1]
    by_name = runner.invoke(app, ["exam", name, "--format", "json"])
    by_path = runner.invoke(app, ["exam", str(SHEETS[name]), "--format", "json"])
    assert by_name.exit_code == 0 and by_name.stdout == by_path.stdout
    listed = runner.invoke(app, ["exam", "--list"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(SHEETS)


def test_an_unknown_sheet_name_is_one_line_and_exit_2():
    r = CliRunner().invoke(app, ["exam", "no_such_sheet"])
    assert r.exit_code == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "adlkit exam --list" in r.stderr


def test_types_and_topics_carry_course_modules():
    for unit in problem_types().values():
        assert unit.modules and set(unit.modules) <= set(COURSE_MODULES), unit.name
    for key, c in topics().items():
        assert c.module in COURSE_MODULES, key
