"""What every CLI test checks of a refused command (shared by the command families' CLI tests)."""


def one_line_exit_2(r) -> str:
    """``r`` (a CliRunner result) failed as bad input: exit 2, exactly one line on stderr,
    starting ``error: ``, and no traceback. Returns that line."""
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)
    return lines[0]
