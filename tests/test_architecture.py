"""The architecture is a tested fact (ARCHITECTURE.md): the import contract of pyproject.toml
holds, no library module imports a front end (at module or function level), and ruff passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONT_ENDS = {"cli", "commands", "serve", "export", "check", "solve"}


def _contract() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]


def _tool(name: str) -> str:
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return exe


def test_import_contract_is_kept():
    """lint-imports (import-linter) checks the layers contract: higher layers import lower ones only."""
    r = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "1 kept, 0 broken" in r.stdout


def test_every_top_level_part_is_in_a_layer():
    """The contract is exhaustive: a new package must be placed in a layer (import-linter's
    `exhaustive`), and the front ends are the top layers."""
    c = _contract()
    assert c["exhaustive"] is True
    layers = [{m.strip() for m in layer.replace(":", "|").split("|")} for layer in c["layers"]]
    assert set().union(*layers[:len(FRONT_ENDS)]) == FRONT_ENDS
    assert layers[-1] == {"core"}


def test_library_imports_no_front_end_not_even_inside_functions():
    """A direct scan with grimp (function-level imports included), independent of the contract."""
    grimp = pytest.importorskip("grimp")
    g = grimp.build_graph("adlkit")
    bad = []
    for m in g.modules:
        parts = m.split(".")
        if len(parts) < 2 or parts[1] in FRONT_ENDS:
            continue
        for imp in g.find_modules_directly_imported_by(m):
            q = imp.split(".")
            if len(q) > 1 and q[0] == "adlkit" and q[1] in FRONT_ENDS:
                bad.append(f"{m} -> {imp}")
    assert not bad, bad


def test_ruff_passes():
    r = subprocess.run([_tool("ruff"), "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:]
