"""Quality of scoring (评分质量分析) per assessor and session: severity, spread, agreement, adjudications.

Agreement is ICC(2,1) of Shrout & Fleiss (1979), case 2: two-way random effects, absolute agreement, one
rater.
- Two-way random: a session's assessors are a sample of the body's pool (rotation changes a third of a group
  every session), and the figure should speak for assessors in general, not for these few.
- Absolute agreement, not consistency (ICC(3,1)): a constant severity shift moves candidates across the pass
  mark of 60, so it must count as disagreement.
- Single rater: the question is how far one assessor's sheet can be trusted on its own.
ICC(1) (one-way) suits designs where every target has its own raters; ``icc_1`` is provided for those, but a
session's group scores its candidates as one panel, so the report uses ICC(2,1) over the complete block: the
targets scored by the session's most frequent panel (other targets are left out of the ICC, not imputed).

Severity is the mean deviation of an assessor's scores from the panel mean of each target (the panel
includes the assessor, as the candidate's score does): negative is severe, positive lenient. Statistics are
floats (indicators, never scores); flags use configurable thresholds. Pure functions only.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from certify.practical.rubrics import Reason
from certify.practical.scoring import TaskAggregate


@dataclass(frozen=True)
class QualityPolicy:
    """Thresholds of the outlier flags."""

    severity_threshold: float = 5.0  #: half the default adjudication threshold of 10 points
    narrow_spread_ratio: float = 0.5  #: own spread below half the panel's: central tendency
    adjudication_rate: float = 0.25  #: share of an assessor's targets that went to adjudication
    icc_floor: float = 0.5  #: below 0.5 is "poor" reliability (Koo & Li 2016)
    min_targets: int = 5  #: fewer targets make the figures too unsteady to flag


class QualityFlag(Reason):
    """An outlier flag or a note on what could not be computed."""

    templates = {
        "severe": (
            "{assessor} scores {severity} points below the panel on average (threshold {threshold}).",
            "{assessor} 的评分平均比考评组低 {severity} 分（阈值 {threshold} 分），偏严。",
        ),
        "lenient": (
            "{assessor} scores {severity} points above the panel on average (threshold {threshold}).",
            "{assessor} 的评分平均比考评组高 {severity} 分（阈值 {threshold} 分），偏松。",
        ),
        "narrow_spread": (
            "{assessor} uses a narrow range: standard deviation {spread} against {panel_spread} for the panel means.",
            "{assessor} 的评分过于集中：标准差 {spread}，考评组平均分的标准差为 {panel_spread}。",
        ),
        "frequent_adjudication": (
            "{count} of {targets} scores by {assessor} went to adjudication ({rate} %).",
            "{assessor} 评分的 {targets} 份中有 {count} 份进入合议（{rate}%）。",
        ),
        "too_few_targets": (
            "{assessor} scored {targets} targets; at least {minimum} are needed to flag outliers.",
            "{assessor} 仅评分 {targets} 份，少于判断异常所需的 {minimum} 份。",
        ),
        "low_agreement": (
            "Agreement in session {session} is low: ICC(2,1) = {icc} (floor {floor}).",
            "考核场次 {session} 的评分一致性偏低：ICC(2,1) = {icc}（下限 {floor}）。",
        ),
        "icc_not_computable": (
            "Agreement in session {session} cannot be computed: {targets} complete targets, {raters} assessors.",
            "考核场次 {session} 无法计算评分一致性：完整评分对象 {targets} 个，考评员 {raters} 人。",
        ),
    }


@dataclass(frozen=True)
class ScoredTarget:
    """One scored target (a candidate's task) in a session: each assessor's 0–100 score."""

    session: str
    target: str
    scores: Mapping[str, Decimal]
    adjudicated: bool = False

    @classmethod
    def from_aggregate(cls, session: str, target: str, aggregate: TaskAggregate) -> ScoredTarget:
        """Take the raw scores of a reconciled task; adjudicated means it needed adjudication."""
        scores = {s.assessor: s.score for s in aggregate.scores}
        return cls(session, target, scores, aggregate.needs_adjudication)


@dataclass(frozen=True)
class AssessorQuality:
    """One assessor in one session."""

    session: str
    assessor: str
    targets: int
    severity: float | None  #: mean deviation from the panel mean; negative = severe
    deviation_sd: float | None
    spread: float | None  #: standard deviation of the assessor's own scores
    panel_spread: float | None  #: standard deviation of the panel means of the same targets
    adjudications: int
    flags: tuple[QualityFlag, ...] = ()


@dataclass(frozen=True)
class SessionQuality:
    """One session: agreement over the complete block and every assessor's figures."""

    session: str
    icc: float | None
    icc_targets: int
    icc_raters: int
    assessors: tuple[AssessorQuality, ...]
    flags: tuple[QualityFlag, ...] = field(default_factory=tuple)


def _mean_squares(matrix: Sequence[Sequence[float]]) -> tuple[float, float, float, int, int]:
    """Two-way ANOVA mean squares (rows = targets, columns = raters): MSR, MSC, MSE, n, k."""
    n, k = len(matrix), len(matrix[0])
    grand = sum(map(sum, matrix)) / (n * k)
    row_means = [sum(row) / k for row in matrix]
    col_means = [sum(row[j] for row in matrix) / n for j in range(k)]
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ss_total = sum((x - grand) ** 2 for row in matrix for x in row)
    ss_error = ss_total - ss_rows - ss_cols
    return ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1)), n, k


def _complete(matrix: Sequence[Sequence[float]]) -> bool:
    return len(matrix) >= 2 and len(matrix[0]) >= 2 and all(len(row) == len(matrix[0]) for row in matrix)


def icc_2_1(matrix: Sequence[Sequence[float]]) -> float | None:
    """ICC(2,1): two-way random, absolute agreement, single rater; None if undefined."""
    if not _complete(matrix):
        return None
    msr, msc, mse, n, k = _mean_squares(matrix)
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    return (msr - mse) / denominator if denominator else None


def icc_1(matrix: Sequence[Sequence[float]]) -> float | None:
    """ICC(1,1): one-way random, single rater (each target its own raters); None if undefined."""
    if not _complete(matrix):
        return None
    msr, msc, mse, n, k = _mean_squares(matrix)
    msw = (msc * (k - 1) + mse * (n - 1) * (k - 1)) / (n * (k - 1))
    denominator = msr + (k - 1) * msw
    return (msr - msw) / denominator if denominator else None


def _sd(values: Sequence[float]) -> float | None:
    return statistics.stdev(values) if len(values) >= 2 else None


def _assessor(session: str, assessor: str, targets: list[ScoredTarget], policy: QualityPolicy) -> AssessorQuality:
    shared = [t for t in targets if assessor in t.scores and len(t.scores) >= 2]
    own = [float(t.scores[assessor]) for t in shared]
    means = [statistics.fmean(float(s) for s in t.scores.values()) for t in shared]
    deviations = [o - m for o, m in zip(own, means, strict=True)]
    severity = statistics.fmean(deviations) if deviations else None
    adjudications = sum(1 for t in targets if assessor in t.scores and t.adjudicated)
    scored = sum(1 for t in targets if assessor in t.scores)
    quality = AssessorQuality(session, assessor, scored, severity, _sd(deviations), _sd(own), _sd(means), adjudications)
    return replace(quality, flags=_flags(quality, len(shared), policy))


def _flags(q: AssessorQuality, shared: int, policy: QualityPolicy) -> tuple[QualityFlag, ...]:
    where = f"{q.session}/{q.assessor}"
    if shared < policy.min_targets:
        params = {"assessor": q.assessor, "targets": shared, "minimum": policy.min_targets}
        return (QualityFlag("too_few_targets", params, where),)
    flags: list[QualityFlag] = []
    threshold = policy.severity_threshold
    if q.severity is not None and abs(q.severity) >= threshold:
        code = "lenient" if q.severity > 0 else "severe"
        params = {"assessor": q.assessor, "severity": round(abs(q.severity), 2), "threshold": threshold}
        flags.append(QualityFlag(code, params, where))
    if q.spread is not None and q.panel_spread and q.spread / q.panel_spread < policy.narrow_spread_ratio:
        params = {
            "assessor": q.assessor,
            "spread": round(q.spread, 2),
            "panel_spread": round(q.panel_spread, 2),
        }
        flags.append(QualityFlag("narrow_spread", params, where))
    rate = q.adjudications / q.targets if q.targets else 0.0
    if q.adjudications and rate >= policy.adjudication_rate:
        params = {
            "assessor": q.assessor,
            "count": q.adjudications,
            "targets": q.targets,
            "rate": round(rate * 100),
        }
        flags.append(QualityFlag("frequent_adjudication", params, where))
    return tuple(flags)


def _session(session: str, targets: list[ScoredTarget], policy: QualityPolicy) -> SessionQuality:
    assessors = sorted({a for t in targets for a in t.scores})
    rows = [_assessor(session, a, targets, policy) for a in assessors]
    panels = Counter(frozenset(t.scores) for t in targets if len(t.scores) >= 2)
    panel = sorted(panels.most_common(1)[0][0]) if panels else []
    block = [[float(t.scores[a]) for a in panel] for t in targets if frozenset(t.scores) == frozenset(panel)]
    icc = icc_2_1(block) if block else None
    flags: list[QualityFlag] = []
    if icc is None:
        params = {"session": session, "targets": len(block), "raters": len(panel)}
        flags.append(QualityFlag("icc_not_computable", params, session))
    elif icc < policy.icc_floor:
        params = {"session": session, "icc": round(icc, 2), "floor": policy.icc_floor}
        flags.append(QualityFlag("low_agreement", params, session))
    return SessionQuality(session, icc, len(block), len(panel), tuple(rows), tuple(flags))


def scoring_quality(targets: Iterable[ScoredTarget], policy: QualityPolicy | None = None) -> list[SessionQuality]:
    """Per session: ICC(2,1) and each assessor's severity, spread, adjudications and flags."""
    policy = policy or QualityPolicy()
    by_session: dict[str, list[ScoredTarget]] = defaultdict(list)
    for target in targets:
        by_session[target.session].append(target)
    return [_session(s, by_session[s], policy) for s in sorted(by_session)]
