"""Item and test statistics with Moodle's quiz-statistics formulas, plus point-biserial, KR-20, 27 % groups.

Scales follow Moodle: facility and sd are fractions of the item's maximum; discrimination index,
discriminative efficiency, effective weight, cic and error ratio are percentages. Sample (n − 1) variances
throughout, as Moodle. Review flags and distractor analysis live in `question_bank.item_review`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from question_bank.marks_matrix import (
    MarksMatrix,
    MarksMatrixError,
    StatsProblem,
    max_marks_for,
    read_marks_matrix,
)

__all__ = [
    "ItemStats",
    "MarksMatrix",
    "MarksMatrixError",
    "StatsProblem",
    "StatsResult",
    "TestStats",
    "item_statistics",
    "main",
    "read_marks_matrix",
    "upper_lower_groups",
]


@dataclass(frozen=True)
class ItemStats:
    """Statistics of one item (Moodle's names in snake_case; None where undefined)."""

    item: str
    max_mark: float
    mean_mark: float | None
    facility: float | None
    sd: float | None
    mark_variance: float | None
    other_mark_variance: float | None
    covariance: float | None
    covariance_max: float | None
    covariance_with_total: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    effective_weight: float | None
    point_biserial: float | None
    upper_lower_discrimination: float | None


@dataclass(frozen=True)
class TestStats:
    """Whole-test statistics on the total mark (Moodle's definitions; KR-20 only for 0/max items)."""

    attempts: int
    items: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    kr20: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class StatsResult:
    """Item and test statistics of one marks matrix."""

    items: tuple[ItemStats, ...]
    test: TestStats

    def to_json(self) -> dict[str, object]:
        """{"items": [...], "test": {...}} with Moodle's scales."""
        return {"items": [asdict(item) for item in self.items], "test": asdict(self.test)}


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _cov(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Sample covariance (n − 1), None below two values."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (n - 1)


def _ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return scale * numerator / denominator


def upper_lower_groups(totals: Sequence[float], fraction: float = 0.27) -> tuple[list[int], list[int]]:
    """Row indexes of the upper and lower groups (top and bottom `fraction` by total; ties by row order)."""
    n = len(totals)
    size = max(1, round(fraction * n)) if n >= 2 else 0
    order = sorted(range(n), key=lambda index: (totals[index], index))
    return order[n - size :][::-1], order[:size]


def item_statistics(
    matrix: MarksMatrix,
    max_marks: float | Sequence[float] | Mapping[str, float] | None = None,
    group_fraction: float = 0.27,
) -> StatsResult:
    """Moodle's item and test statistics of a marks matrix; never raises on degenerate data (None instead)."""
    maxima = matrix.max_marks
    if max_marks is not None:
        maxima, problems = max_marks_for(matrix.items, max_marks)
        if problems:
            raise MarksMatrixError(problems)
    columns = [[row[j] for row in matrix.rows] for j in range(len(matrix.items))]
    totals = [math.fsum(row) for row in matrix.rows]
    groups = upper_lower_groups(totals, group_fraction)
    items = [
        _one_item(item, maximum, marks, totals, groups)
        for item, maximum, marks in zip(matrix.items, maxima, columns, strict=True)
    ]
    # Moodle: effective weights share Σ√cov(mark, total) over the items whose covariance is not negative.
    roots = [math.sqrt(i.covariance_with_total) for i in items if (i.covariance_with_total or 0.0) > 0]
    root_sum = math.fsum(roots)
    if root_sum:
        items = [
            replace(i, effective_weight=100.0 * math.sqrt(i.covariance_with_total) / root_sum)
            if i.covariance_with_total is not None and i.covariance_with_total >= 0
            else i
            for i in items
        ]
    variances = [i.mark_variance for i in items]
    return StatsResult(tuple(items), _test_statistics(matrix, maxima, totals, variances))


def _one_item(
    item: str, maximum: float, marks: list[float], totals: list[float], groups: tuple[list[int], list[int]]
) -> ItemStats:
    others = [total - mark for total, mark in zip(totals, marks, strict=True)]
    variance, other_variance, covariance = _cov(marks, marks), _cov(others, others), _cov(marks, others)
    covariance_max = _cov(sorted(marks), sorted(others))
    cov_total, total_variance = _cov(marks, totals), _cov(totals, totals)
    mean = _mean(marks) if marks else None
    upper, lower = groups
    return ItemStats(
        item=item,
        max_mark=maximum,
        mean_mark=mean,
        facility=mean / maximum if mean is not None else None,
        sd=math.sqrt(variance) / maximum if variance is not None else None,
        mark_variance=variance,
        other_mark_variance=other_variance,
        covariance=covariance,
        covariance_max=covariance_max,
        covariance_with_total=cov_total,
        discrimination_index=_ratio(covariance, _root_product(variance, other_variance), 100.0),
        discriminative_efficiency=_ratio(covariance, covariance_max, 100.0),
        effective_weight=None,
        point_biserial=_ratio(cov_total, _root_product(variance, total_variance)),
        upper_lower_discrimination=(
            (_mean([marks[i] for i in upper]) - _mean([marks[i] for i in lower])) / maximum if upper and lower else None
        ),
    )


def _root_product(a: float | None, b: float | None) -> float | None:
    return math.sqrt(a * b) if a and b and a * b > 0 else None


def _test_statistics(
    matrix: MarksMatrix, maxima: Sequence[float], totals: list[float], variances: list[float | None]
) -> TestStats:
    s, p = len(totals), len(matrix.items)
    mean = _mean(totals) if s else None
    median = None
    if s:
        ordered = sorted(totals)
        median = ordered[s // 2] if s % 2 else (ordered[s // 2 - 1] + ordered[s // 2]) / 2
    sd = skewness = kurtosis = cic = error_ratio = standard_error = None
    if s > 1 and mean is not None:
        power2 = math.fsum((t - mean) ** 2 for t in totals)
        sd = math.sqrt(power2 / (s - 1))
        if s > 2:
            m2, m3 = power2 / s, math.fsum((t - mean) ** 3 for t in totals) / s
            m4 = math.fsum((t - mean) ** 4 for t in totals) / s
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            if k2 > 0:
                skewness = k3 / k2**1.5
                if s > 3:
                    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                    kurtosis = k4 / (k2 * k2)
                if p > 1:
                    sum_variance = math.fsum(v or 0.0 for v in variances)
                    cic = (100.0 * p / (p - 1)) * (1 - sum_variance / k2)
                    if cic <= 100.0:
                        error_ratio = 100.0 * math.sqrt(1 - cic / 100.0)
                        standard_error = error_ratio * sd / 100.0
    return TestStats(
        attempts=s,
        items=p,
        max_total=math.fsum(maxima),
        mean=mean,
        median=median,
        sd=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        cic=cic,
        kr20=_kr20(matrix, maxima, totals),
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


def _kr20(matrix: MarksMatrix, maxima: Sequence[float], totals: list[float]) -> float | None:
    """KR-20 on population variances; defined only when every mark is 0 or the item's maximum."""
    s, k = len(totals), len(matrix.items)
    if s < 2 or k < 2:
        return None
    if any(mark not in (0.0, maxima[j]) for row in matrix.rows for j, mark in enumerate(row)):
        return None
    facilities = [sum(1 for row in matrix.rows if row[j]) / s for j in range(k)]
    mean = _mean(totals)
    variance = math.fsum((t - mean) ** 2 for t in totals) / s
    if variance == 0:
        return None
    item_variance = math.fsum(m * m * q * (1 - q) for m, q in zip(maxima, facilities, strict=True))
    return (k / (k - 1)) * (1 - item_variance / variance)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m question_bank.statistics FILE [MAX_MARK]`: print the statistics of a marks CSV as JSON."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m question_bank.statistics MARKS.csv [MAX_MARK]", file=sys.stderr)
        return 2
    with open(args[0], "rb") as handle:
        data = handle.read()
    try:
        matrix = read_marks_matrix(data, float(args[1]) if len(args) > 1 else None)
    except MarksMatrixError as error:
        print(json.dumps({"problems": [p.to_json() for p in error.problems]}, ensure_ascii=False, indent=2))
        return 1
    print(json.dumps(item_statistics(matrix).to_json(), ensure_ascii=False, indent=2))
    return 0


def __getattr__(name: str) -> object:
    """Review flags and distractor analysis live in item_review; reachable from here for convenience."""
    if name in {"FlagPolicy", "ReviewFlag", "distractor_analysis", "option_counts_by_group", "review_flags"}:
        from question_bank import item_review

        return getattr(item_review, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    sys.exit(main())
