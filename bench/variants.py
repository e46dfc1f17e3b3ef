"""A class's worth of papers: N seeded variants of the bundled exam (14 problems each), solved
and written as Moodle XML, timed by phase.

    python bench/variants.py [--papers 200] [--jobs 1] [--solve-twice] [--out DIR]

Paper k is ``adlkit variants seed -n 1 --seed k`` (every problem drawn again from its type's
schema), exported as ``adlkit export --to moodle`` would (one XML file per paper). The phases:

- draw: each type's ``draw`` and the validation of every drawn problem (``draw_variants``);
- solve: solving the paper (the guarantee that every variant solves, ``make_variants``'s last step);
- quiz: ``build_quiz``: the paper validated (and, with ``--solve-twice``, solved again), plus
  every slip ``adlkit check`` knows re-solved per answer key (the 0 % answers), split into the
  slips and the rest;
- moodle: ``to_moodle``: the worked solution of every question rendered to HTML with MathML.

With ``--jobs N`` (N processes forked after the imports, paper k in process k mod N) the
files are the same; the phase and type seconds are summed over the processes.

Prints one JSON object: seconds per phase, the slowest types, and the total.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from adlkit.export import quiz as quiz_module
from adlkit.export.moodle import to_moodle
from adlkit.solve import SolvedSheet, bundled_exam_path, solve_spec, validate_spec
from adlkit.solve.registry import problem_types
from adlkit.solve.spec import load_spec_file
from adlkit.solve.variants import draw_variants


def run_papers(ks: list[int], title: str, parsed: list, out_dir: Path, solve_twice: bool) -> dict:
    """Papers ``ks``: drawn, solved, quizzed and written; seconds per phase and per type."""
    phases: dict[str, float] = defaultdict(float)
    per_type: dict[str, float] = defaultdict(float)
    real_slips = quiz_module.known_slips

    def timed_slips(problem, key, answers, tol):
        t = time.perf_counter()
        try:
            return real_slips(problem, key, answers, tol)
        finally:
            dt = time.perf_counter() - t
            phases["quiz: slips"] += dt
            per_type[problem["type"]] += dt

    quiz_module.known_slips = timed_slips
    cpu_start = time.process_time()
    n_questions = 0
    try:
        for k in ks:
            t0 = time.perf_counter()
            problems = []
            for i, (pid, ptype, _) in enumerate(parsed):
                t = time.perf_counter()
                problems.extend(draw_variants(ptype, 1, seed=k, problem_index=i, pid=pid))
                per_type[ptype] += time.perf_counter() - t
            paper = {"title": f"{title} (variant {k})", "problems": problems}
            t1 = time.perf_counter()
            solved = []
            for p in problems:
                t = time.perf_counter()
                solved.extend(solve_spec({"problems": [p]}).results)
                per_type[p["type"]] += time.perf_counter() - t
            t2 = time.perf_counter()
            slips_before = phases["quiz: slips"]
            # the paper solved once: build_quiz takes the solved sheet (solve_twice: as before)
            sheet = None if solve_twice else SolvedSheet(paper["title"], solved)
            q = quiz_module.build_quiz(paper, sheet=sheet)
            t3 = time.perf_counter()
            xml = to_moodle(q)
            t4 = time.perf_counter()
            (out_dir / f"paper_{k:03d}.xml").write_text(xml, encoding="utf-8")
            n_questions += len(q.questions)
            phases["draw"] += t1 - t0
            phases["solve"] += t2 - t1
            phases["quiz: the rest (solving again only with --solve-twice)"] += (t3 - t2) - (phases["quiz: slips"] - slips_before)
            phases["moodle"] += t4 - t3
    finally:
        quiz_module.known_slips = real_slips
    return {"phases": dict(phases), "per_type": dict(per_type), "questions": n_questions,
            "cpu": time.process_time() - cpu_start}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=1,
                    help="worker processes (forked after the imports), each drawing every jobs-th paper")
    ap.add_argument("--solve-twice", action="store_true", help="let build_quiz solve each paper again (the first measurement)")
    ap.add_argument("--out", type=Path, default=None, help="folder for the XML files (default: a temporary one)")
    args = ap.parse_args()
    spec = load_spec_file(bundled_exam_path())
    title, parsed = validate_spec(spec)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="adlkit-variants-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(args.jobs, args.papers))
    chunks = [list(range(j, args.papers, jobs)) for j in range(jobs)]
    start, cpu_start = time.perf_counter(), time.process_time()
    if jobs == 1:
        parts = [run_papers(chunks[0], title, parsed, out_dir, args.solve_twice)]
    else:
        problem_types()  # every unit imported once, before the fork
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as ex:
            parts = list(ex.map(run_papers, chunks, [title] * jobs, [parsed] * jobs, [out_dir] * jobs,
                                [args.solve_twice] * jobs))
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start + (sum(p["cpu"] for p in parts) if jobs > 1 else 0.0)
    phases: dict[str, float] = defaultdict(float)
    per_type: dict[str, float] = defaultdict(float)
    for part in parts:
        for k, v in part["phases"].items():
            phases[k] += v
        for k, v in part["per_type"].items():
            per_type[k] += v
    slowest = sorted(per_type.items(), key=lambda kv: -kv[1])[:5]
    print(json.dumps({"papers": args.papers, "jobs": jobs, "questions": sum(p["questions"] for p in parts),
                      "seconds_total": round(total, 2),
                      "cpu_seconds_total (every process)": round(cpu, 2),
                      "seconds_by_phase (summed over the jobs)": {k: round(v, 2) for k, v in phases.items()},
                      "slowest_types_seconds (draw + solve + slips)": {k: round(v, 2) for k, v in slowest},
                      "out": str(out_dir)}, indent=1))


if __name__ == "__main__":
    main()
