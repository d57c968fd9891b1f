"""`flask bank …`: question-bank commands (item statistics from a marks matrix)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from question_bank.marks_matrix import MarksMatrixError, read_marks_matrix
from question_bank.statistics import item_statistics

EXIT_BAD_INPUT = 2


@click.group("bank", help="Question bank and papers.")
def bank_cli() -> None:
    pass


@bank_cli.command("item-stats")
@click.argument("matrix_path", metavar="MATRIX.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--max-mark", type=float, help="Maximum mark of every item (default: 1, or Moodle's header values).")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.option("--lang", type=click.Choice(["en", "zh_CN"]), default="en", show_default=True)
def item_stats_command(matrix_path: Path, max_mark: float | None, as_json: bool, lang: str) -> None:
    """Moodle's item and test statistics of a marks matrix (one row per attempt, one column per item mark;
    Moodle's results layout with `slots.N.mark` columns is accepted, other columns ignored)."""
    try:
        data = matrix_path.read_bytes()
    except OSError as exc:
        click.echo(f"error: {matrix_path}: cannot be read ({exc.strerror or exc})", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if max_mark is not None and max_mark <= 0:
        click.echo("error: --max-mark: must be greater than 0", err=True)
        sys.exit(EXIT_BAD_INPUT)
    try:
        matrix = read_marks_matrix(data, max_mark)
    except MarksMatrixError as error:
        for problem in error.problems:
            click.echo(f"error: {problem.message(lang)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    result = item_statistics(matrix).to_json()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'item':>8} {'facility':>9} {'sd':>7} {'disc.idx':>9} {'disc.eff':>9} {'weight':>7}")
    for item in result["items"]:
        cells = [
            item.get(k)
            for k in ("facility", "sd", "discrimination_index", "discriminative_efficiency", "effective_weight")
        ]
        shown = " ".join(f"{'—' if v is None else f'{v:.4f}':>9}" for v in cells)
        click.echo(f"{item['item']!s:>8} {shown}")
    test = result["test"]
    click.echo(
        " ".join(
            f"{key}={'—' if test.get(key) is None else round(test[key], 4)}"
            for key in ("mean", "sd", "cic", "kr20", "error_ratio", "standard_error")
        )
    )
