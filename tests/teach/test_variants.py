"""Seeded variants, driven from every registered unit (a type added later is covered for free).

Property: for every type, 100 seeded draws are valid specs that the engine solves, and the same
seed draws the same problem again. ``adlkit variants``: ids ``<id>_v1..``, a ``note`` each, no two
variants of one problem equal, the same seed gives the same file byte for byte, and a schema that
cannot vary enough (the fixed list of concept topics) says so instead of repeating a problem.
"""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from adlkit.cli import app
from adlkit.solve import solve_spec, validate_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.topics import topics
from adlkit.solve.variants import VariantError, draw_variants, make_variants, variant_seed

TYPES = list(problem_types())
SEEDS = 100


@pytest.mark.parametrize("name", TYPES)
def test_100_seeded_draws_validate_solve_and_reproduce(name):
    unit = problem_types()[name]
    seeds = [variant_seed(7, 0, k) for k in range(SEEDS)]
    problems = [{"id": f"d{k}", "type": name, **unit.draw(s)} for k, s in enumerate(seeds)]
    validate_spec({"problems": problems})  # raises SpecError naming the id and field of a bad draw
    sheet = solve_spec({"problems": problems})
    assert [r.id for r in sheet.results] == [p["id"] for p in problems]
    assert all(set(unit.answers) <= set(r.answers) for r in sheet.results)
    again = [{"id": f"d{k}", "type": name, **unit.draw(s)} for k, s in enumerate(seeds)]
    assert json.dumps(problems, default=str) == json.dumps(again, default=str)


@pytest.mark.parametrize("name", TYPES)
def test_variants_of_a_type_are_all_different(name):
    n = min(10, len(topics())) if name == "concept" else 10
    vs = draw_variants(name, n, seed=3, pid="q")
    assert [v["id"] for v in vs] == [f"q_v{k}" for k in range(1, n + 1)]
    bodies = [json.dumps({k: v for k, v in p.items() if k not in ("id", "note")}, sort_keys=True) for p in vs]
    assert len(set(bodies)) == n
    assert all(p["note"].startswith(f"drawn from the {name} schema (seed ") for p in vs)


def test_a_schema_that_cannot_vary_enough_says_so():
    n = len(topics()) + 1  # one more than there are concept topics
    with pytest.raises(VariantError, match=f"type 'concept' cannot give {n} different variants"):
        draw_variants("concept", n, pid="q2c")


def test_cli_variants_same_seed_same_file_and_every_variant_solves(tmp_path):
    runner = CliRunner()
    a, b, c = (tmp_path / f"{x}.yaml" for x in "abc")
    for path, seed in ((a, 5), (b, 5), (c, 6)):
        r = runner.invoke(app, ["variants", "src/adlkit/solve/exams/seed.yaml", "-n", "3", "--seed", str(seed), "-o", str(path)])
        assert r.exit_code == 0, r.output
    assert a.read_bytes() == b.read_bytes() and a.read_bytes() != c.read_bytes()
    spec = yaml.safe_load(a.read_text())
    ids = [p["id"] for p in spec["problems"]]
    assert ids[:3] == ["q1a_v1", "q1a_v2", "q1a_v3"] and len(ids) == 14 * 3
    r = runner.invoke(app, ["solve", str(a), "--format", "json"])
    assert r.exit_code == 0
    assert [x["id"] for x in json.loads(r.stdout)["results"]] == ids


def test_a_note_is_an_optional_text_field_of_any_problem():
    solve_spec({"problems": [{"type": "kl", "p": "N(0, 1)", "q": "N(1, 1)", "note": "anything"}]})
    with pytest.raises(Exception, match="p1: field 'note' must be text"):
        validate_spec({"problems": [{"type": "kl", "p": "N(0, 1)", "q": "N(1, 1)", "note": [1]}]})


@pytest.mark.parametrize("args, message", [
    (["-n", "0"], "-n: must be at least 1"),
    (["-n", "2", "--seed", "-1"], "--seed: must be >= 0"),
])
def test_cli_variants_bad_options_exit_2(args, message):
    r = CliRunner().invoke(app, ["variants", "seed", *args])
    assert r.exit_code == 2 and message in r.stderr and r.stdout == ""


def test_make_variants_refuses_an_invalid_spec():
    from adlkit.solve import SpecError

    with pytest.raises(SpecError, match="q: field 'p'"):
        make_variants({"problems": [{"id": "q", "type": "kl", "p": "N(0, -1)", "q": "N(0, 1)"}]}, 2)
