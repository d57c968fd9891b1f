"""Benchmark: one 100-item paper from a 10,000-item bank, and 2,000 papers for a session on one core.

Run from the project root: `python -m bench.assembly_bench [--runs N] [--papers N]`. Prints a table and JSON.
Targets (issue): ≤ 20 ms median per paper; 2,000 papers ≤ 30 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from question_bank.assembly import assemble, prepare_bank
from question_bank.blueprint import BankItem, Blueprint, ExposureState, TypeSpec

#: Ten weighted ranges (two levels deep) with 30 assessment points each: 300 points in all.
CELL_WEIGHTS = {
    "A-A": 5,
    "A-B": 5,
    "B-A": 10,
    "B-B": 10,
    "B-C": 10,
    "B-D": 10,
    "C-A": 10,
    "C-B": 10,
    "C-C": 15,
    "C-D": 15,
}
POINTS_PER_CELL = 30
TYPES = (
    TypeSpec("true_false", 20, 0.5),
    TypeSpec("single_choice", 60, 1.0),
    TypeSpec("multiple_choice", 20, 1.5),
)


def build_bank(size: int = 10_000, seed: int = 7) -> list[BankItem]:
    """A synthetic bank spread evenly over the points, types weighted like a real theory bank."""
    rng = random.Random(seed)
    points = [f"{cell}-{n:03d}" for cell in CELL_WEIGHTS for n in range(1, POINTS_PER_CELL + 1)]
    kinds = ["true_false"] * 2 + ["single_choice"] * 6 + ["multiple_choice"] * 2
    bank = []
    for number in range(size):
        kind = rng.choice(kinds)
        options = ("T", "F") if kind == "true_false" else ("A", "B", "C", "D")
        key = tuple(sorted(rng.sample(options, 2))) if kind == "multiple_choice" else (rng.choice(options),)
        difficulty = min(5.0, max(1.0, round(rng.gauss(3.0, 0.9), 1)))
        bank.append(BankItem(f"Q{number:05d}", points[number % len(points)], kind, difficulty, options, key))
    return bank


def blueprint() -> Blueprint:
    """The benchmark's blueprint: 100 questions, 100 points, band 2.7–3.3 on a 1–5 scale."""
    weights = {cell: float(weight) for cell, weight in CELL_WEIGHTS.items()}
    return Blueprint("4-13-03-02", 4, weights, TYPES, (2.7, 3.3))


def main() -> None:
    """Time single papers and a session of papers, print a table and JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=51)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--out", type=Path, help="also write the JSON report to this file")
    args = parser.parse_args()
    bank, plan = build_bank(), blueprint()
    timings = []
    for run in range(args.runs):
        started = time.perf_counter()
        result = assemble(plan, bank, seed=f"bench-{run}", forms=1)
        timings.append((time.perf_counter() - started) * 1000)
        assert result.ok, [p.message("en") for p in result.problems]
    counts: dict[str, int] = {}
    failures = 0
    started = time.perf_counter()
    prepared = prepare_bank(plan, bank)  # a session indexes its bank once; timed with the session
    for candidate in range(args.papers):
        exposure = ExposureState(counts, window_candidates=args.papers)
        result = assemble(plan, prepared, seed=f"session-{candidate}", forms=1, exposure=exposure)
        if not result.ok:
            failures += 1
            continue
        for question in result.papers[0].questions:
            counts[question.item_id] = counts.get(question.item_id, 0) + 1
    session_seconds = time.perf_counter() - started
    report = {
        "bank_items": len(bank),
        "paper_items": sum(spec.count for spec in TYPES),
        "single_paper_ms": {
            "runs": args.runs,
            "median": round(statistics.median(timings), 2),
            "p90": round(sorted(timings)[int(0.9 * (len(timings) - 1))], 2),
            "max": round(max(timings), 2),
        },
        "session": {
            "papers": args.papers,
            "seconds": round(session_seconds, 2),
            "failures": failures,
            "max_exposure_share": round(max(counts.values(), default=0) / args.papers, 4),
        },
        "targets": {"single_paper_median_ms": 20, "session_seconds": 30},
    }
    print(f"{'measure':<34}{'value':>12}{'target':>10}")
    print(f"{'one paper, median (ms)':<34}{report['single_paper_ms']['median']:>12}{'≤ 20':>10}")
    print(f"{'one paper, p90 (ms)':<34}{report['single_paper_ms']['p90']:>12}{'':>10}")
    print(f"{f'{args.papers} papers, session (s)':<34}{report['session']['seconds']:>12}{'≤ 30':>10}")
    print(f"{'session failures':<34}{failures:>12}{'0':>10}")
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
