"""Score reconciliation for skill tasks and the comprehensive review (成绩合成与仲裁), pure.

Each assessor's sheet is put on the 0–100 scale (total / rubric points × 100), so the threshold and the pass
mark mean the same on every task. A task's score is the mean of its independent assessors; if any two differ
by more than the threshold, some pass and some fail the pass mark (≥ 60 passes), or their vetoes disagree, the
group leader adjudicates with a majority of the whole panel and a reason. Raw sheets are never changed: an
adjudication is a separate record next to them. The skill score is the weighted sum of the task finals using
the content-structure weights (%).

Rounding (one rule, documented): Decimal arithmetic; each task's mean and the weighted part score are rounded
to 2 decimals with ROUND_HALF_UP; the part score is computed from the already rounded task finals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from certify.practical.rubrics import Reason, SheetScore, format_points, quantize


@dataclass(frozen=True)
class ScoringPolicy:
    """Configurable reconciliation numbers, defaults from DOMAIN.md."""

    threshold: Decimal = Decimal(10)  #: two assessors may differ by this much without adjudication
    pass_mark: Decimal = Decimal(60)
    min_assessors: int = 2
    min_panel: int = 3
    odd_panel: bool = True


class ScoringReason(Reason):
    """A trigger for adjudication or a problem with sheets, a decision or a part score."""

    templates = {
        "spread_over_threshold": (
            "{first} ({first_score}) and {second} ({second_score}) differ by {difference} points, "
            "more than {threshold}.",
            "{first}（{first_score} 分）与 {second}（{second_score} 分）相差 {difference} 分，超过 {threshold} 分。",
        ),
        "straddles_pass_mark": (
            "The scores straddle the pass mark {pass_mark}: {above} at or above, {below} below.",
            "评分跨越合格线 {pass_mark} 分：{above} 评为合格，{below} 评为不合格。",
        ),
        "veto_disagreement": (
            "{vetoed} applied a veto item, {not_vetoed} did not.",
            "{vetoed} 判定否定项成立，{not_vetoed} 未判定。",
        ),
        "too_few_assessors": (
            "{count} independent sheets; at least {minimum} are required.",
            "独立评分表 {count} 份，至少需要 {minimum} 份。",
        ),
        "duplicate_assessor": ("{assessor} handed in more than one sheet.", "{assessor} 提交了多份评分表。"),
        "incomplete_sheet": (
            "The sheet of {assessor} is incomplete ({count} problems).",
            "{assessor} 的评分表不完整（{count} 处问题）。",
        ),
        "rubric_mismatch": (
            "The sheets were scored on rubrics of different totals ({totals}).",
            "各评分表所用评分标准总分不一致（{totals}）。",
        ),
        "panel_too_small": (
            "The panel has {size} members; at least {minimum} are required.",
            "考评组（评审组）共 {size} 人，至少需要 {minimum} 人。",
        ),
        "panel_even": (
            "The panel has {size} members; it must be odd.",
            "考评组（评审组）共 {size} 人，人数必须为奇数。",
        ),
        "not_in_panel": ("{person} is not a member of the panel.", "{person} 不是考评组（评审组）成员。"),
        "panel_member_missing": (
            "Panel member {person} handed in no sheet.",
            "评审组成员 {person} 未提交评分表。",
        ),
        "adjudication_not_needed": (
            "The scores agree; there is nothing to adjudicate.",
            "评分一致，无需组织合议。",
        ),
        "aggregate_has_problems": (
            "The sheets have problems that adjudication cannot settle.",
            "评分表本身存在问题，不能通过合议解决。",
        ),
        "reason_missing": ("The adjudication needs a reason.", "合议结论必须说明理由。"),
        "score_out_of_range": ("The score {score} is outside 0–100.", "分数 {score} 超出 0–100 分范围。"),
        "score_too_precise": (
            "The score {score} has more than 2 decimals.",
            "分数 {score} 的小数位超过 2 位。",
        ),
        "veto_score_not_zero": (
            "A veto was upheld, so the score must be 0, not {score}.",
            "否定项成立，成绩应为 0 分，而不是 {score} 分。",
        ),
        "no_majority": (
            "{yes} of {size} panel members agreed; a majority needs {needed}.",
            "考评组（评审组）{size} 人中 {yes} 人同意，未达到过半数所需的 {needed} 人。",
        ),
        "adjudication_pending": (
            "Task {task} awaits adjudication.",
            "试题 {task} 尚待考评组长组织合议。",
        ),
        "adjudication_invalid": (
            "The adjudication of task {task} is invalid.",
            "试题 {task} 的合议结论无效。",
        ),
        "task_without_weight": ("Task {task} has no weight.", "试题 {task} 没有设定比重。"),
        "weight_without_task": (
            "No score for {task}, which weighs {weight} %.",
            "比重为 {weight}% 的 {task} 没有成绩。",
        ),
        "weights_not_100": (
            "The weights add up to {total} %, not 100 %.",
            "比重合计为 {total}%，而不是 100%。",
        ),
    }


def _names(people: Sequence[str]) -> str:
    return ", ".join(people)


@dataclass(frozen=True)
class AssessorScore:
    """One independent score on the 0–100 scale, with whether the assessor applied a veto."""

    assessor: str
    score: Decimal
    veto: bool


@dataclass(frozen=True)
class TaskAggregate:
    """The reconciled view of one task: raw scores, their mean, and why adjudication is needed."""

    task: str
    scores: tuple[AssessorScore, ...]
    mean: Decimal | None
    triggers: tuple[ScoringReason, ...] = ()
    problems: tuple[ScoringReason, ...] = ()

    @property
    def needs_adjudication(self) -> bool:
        """Any trigger (spread, straddle, veto disagreement) sends the task to the group leader."""
        return bool(self.triggers)

    @property
    def final(self) -> Decimal | None:
        """The mean when it stands on its own; None while problems or an adjudication are outstanding."""
        return None if self.problems or self.triggers else self.mean


def aggregate_task(
    task: str, sheets: Sequence[tuple[str, SheetScore]], policy: ScoringPolicy | None = None
) -> TaskAggregate:
    """Mean of the independent sheets, with every adjudication trigger and every problem."""
    policy = policy or ScoringPolicy()
    problems: list[ScoringReason] = []
    seen: set[str] = set()
    for assessor, sheet in sheets:
        if assessor in seen:
            problems.append(ScoringReason("duplicate_assessor", {"assessor": assessor}, f"sheets[{assessor}]"))
        seen.add(assessor)
        if not sheet.complete:
            params = {"assessor": assessor, "count": len(sheet.problems)}
            problems.append(ScoringReason("incomplete_sheet", params, f"sheets[{assessor}]"))
    if len(seen) < policy.min_assessors:
        params = {"count": len(seen), "minimum": policy.min_assessors}
        problems.append(ScoringReason("too_few_assessors", params, "sheets"))
    totals = sorted({sheet.max_total for _, sheet in sheets})
    if len(totals) > 1:
        problems.append(
            ScoringReason("rubric_mismatch", {"totals": " / ".join(format_points(t) for t in totals)}, "sheets")
        )
    scores = tuple(AssessorScore(a, s.percent, s.veto_applied) for a, s in sheets)
    return _aggregate(task, scores, problems, policy)


def _aggregate(
    task: str, scores: tuple[AssessorScore, ...], problems: list[ScoringReason], policy: ScoringPolicy
) -> TaskAggregate:
    mean = quantize(sum((s.score for s in scores), Decimal(0)) / len(scores)) if scores else None
    triggers: list[ScoringReason] = []
    for a, b in combinations(scores, 2):
        difference = abs(a.score - b.score)
        if difference > policy.threshold:
            params = {
                "first": a.assessor,
                "first_score": format_points(a.score),
                "second": b.assessor,
                "second_score": format_points(b.score),
                "difference": format_points(difference),
                "threshold": format_points(policy.threshold),
            }
            triggers.append(ScoringReason("spread_over_threshold", params, "scores"))
    above = [s.assessor for s in scores if s.score >= policy.pass_mark]
    below = [s.assessor for s in scores if s.score < policy.pass_mark]
    if above and below:
        params = {
            "pass_mark": format_points(policy.pass_mark),
            "above": _names(above),
            "below": _names(below),
        }
        triggers.append(ScoringReason("straddles_pass_mark", params, "scores"))
    vetoed = [s.assessor for s in scores if s.veto]
    not_vetoed = [s.assessor for s in scores if not s.veto]
    if vetoed and not_vetoed:
        params = {"vetoed": _names(vetoed), "not_vetoed": _names(not_vetoed)}
        triggers.append(ScoringReason("veto_disagreement", params, "scores"))
    return TaskAggregate(task, scores, mean, tuple(triggers), tuple(problems))


def panel_problems(panel: Sequence[str], policy: ScoringPolicy | None = None) -> list[ScoringReason]:
    """A panel (考评组 / 评审组) needs at least ``min_panel`` members and an odd size."""
    policy = policy or ScoringPolicy()
    problems: list[ScoringReason] = []
    size = len(set(panel))
    if size < policy.min_panel:
        problems.append(ScoringReason("panel_too_small", {"size": size, "minimum": policy.min_panel}, "panel"))
    if policy.odd_panel and size % 2 == 0:
        problems.append(ScoringReason("panel_even", {"size": size}, "panel"))
    return problems


def aggregate_review(
    sheets: Sequence[tuple[str, SheetScore]], panel: Sequence[str], policy: ScoringPolicy | None = None
) -> TaskAggregate:
    """The comprehensive review (综合评审): every member of an odd panel ≥ 3 scores; same reconciliation."""
    policy = policy or ScoringPolicy()
    base = aggregate_task("review", sheets, policy)
    problems = list(base.problems) + panel_problems(panel, policy)
    scored = {a for a, _ in sheets}
    problems += [ScoringReason("not_in_panel", {"person": a}, f"sheets[{a}]") for a in scored if a not in panel]
    missing = [m for m in dict.fromkeys(panel) if m not in scored]
    problems += [ScoringReason("panel_member_missing", {"person": m}, "panel") for m in missing]
    return TaskAggregate(base.task, base.scores, base.mean, base.triggers, tuple(problems))


@dataclass(frozen=True)
class AdjudicationDecision:
    """What the group leader records: the score, the reason, each panel member's vote (True = agrees)."""

    leader: str
    score: Decimal
    reason: str
    votes: Mapping[str, bool] = field(default_factory=dict)
    veto: bool = False  #: the panel upholds a veto item: the score must be 0


@dataclass(frozen=True)
class Adjudication:
    """The adjudicated task: raw scores untouched beside the decision; ``final`` only when valid."""

    aggregate: TaskAggregate
    decision: AdjudicationDecision
    problems: tuple[ScoringReason, ...]

    @property
    def task(self) -> str:
        """The task adjudicated."""
        return self.aggregate.task

    @property
    def ok(self) -> bool:
        """The decision stands: a majority, a reason, a valid score."""
        return not self.problems

    @property
    def final(self) -> Decimal | None:
        """The decided score, or None when the decision is invalid."""
        return quantize(self.decision.score) if self.ok else None


def adjudicate(
    aggregate: TaskAggregate,
    decision: AdjudicationDecision,
    panel: Sequence[str],
    policy: ScoringPolicy | None = None,
) -> Adjudication:
    """Check a group leader's decision: panel member, majority of the whole panel, reason, valid score."""
    policy = policy or ScoringPolicy()
    problems = panel_problems(panel, policy)
    members = set(panel)
    if not aggregate.needs_adjudication:
        problems.append(ScoringReason("adjudication_not_needed", {}, "aggregate"))
    if aggregate.problems:
        problems.append(ScoringReason("aggregate_has_problems", {}, "aggregate"))
    if decision.leader not in members:
        problems.append(ScoringReason("not_in_panel", {"person": decision.leader}, "leader"))
    problems += [
        ScoringReason("not_in_panel", {"person": p}, f"votes[{p}]") for p in decision.votes if p not in members
    ]
    if not decision.reason.strip():
        problems.append(ScoringReason("reason_missing", {}, "reason"))
    score = format_points(decision.score)
    if not 0 <= decision.score <= 100:
        problems.append(ScoringReason("score_out_of_range", {"score": score}, "score"))
    if quantize(decision.score) != decision.score:
        problems.append(ScoringReason("score_too_precise", {"score": score}, "score"))
    if decision.veto and decision.score != 0:
        problems.append(ScoringReason("veto_score_not_zero", {"score": score}, "score"))
    yes = sum(1 for p, agrees in decision.votes.items() if agrees and p in members)
    needed = len(members) // 2 + 1
    if yes < needed:
        problems.append(ScoringReason("no_majority", {"yes": yes, "size": len(members), "needed": needed}, "votes"))
    return Adjudication(aggregate, decision, tuple(problems))


@dataclass(frozen=True)
class PartScore:
    """A part score (skill or review) on 0–100, whether it passes, and everything still outstanding."""

    score: Decimal | None
    passed: bool | None
    contributions: Mapping[str, Decimal] = field(default_factory=dict)  #: task → weighted points
    problems: tuple[ScoringReason, ...] = ()


def skill_score(
    outcomes: Mapping[str, TaskAggregate | Adjudication],
    weights: Mapping[str, Decimal],
    policy: ScoringPolicy | None = None,
) -> PartScore:
    """Σ task final × weight % over the content-structure weights; None while anything is outstanding."""
    policy = policy or ScoringPolicy()
    problems: list[ScoringReason] = []
    total_weight = sum(weights.values(), Decimal(0))
    if total_weight != 100:
        problems.append(ScoringReason("weights_not_100", {"total": format_points(total_weight)}, "weights"))
    for task, weight in weights.items():
        if task not in outcomes:
            problems.append(ScoringReason("weight_without_task", {"task": task, "weight": format_points(weight)}, task))
    contributions: dict[str, Decimal] = {}
    for task, outcome in outcomes.items():
        if task not in weights:
            problems.append(ScoringReason("task_without_weight", {"task": task}, task))
        if isinstance(outcome, Adjudication) and not outcome.ok:
            problems.append(ScoringReason("adjudication_invalid", {"task": task}, task))
        elif isinstance(outcome, TaskAggregate) and outcome.needs_adjudication:
            problems.append(ScoringReason("adjudication_pending", {"task": task}, task))
        elif isinstance(outcome, TaskAggregate) and outcome.problems:
            problems += outcome.problems
        final = outcome.final
        if final is not None and task in weights:
            contributions[task] = final * weights[task] / 100
    if problems:
        return PartScore(None, None, contributions, tuple(problems))
    score = quantize(sum(contributions.values(), Decimal(0)))
    return PartScore(score, score >= policy.pass_mark, contributions)


def review_score(outcome: TaskAggregate | Adjudication, policy: ScoringPolicy | None = None) -> PartScore:
    """The comprehensive-review part score: the reconciled (or adjudicated) panel score, 0–100."""
    return skill_score({"review": outcome}, {"review": Decimal(100)}, policy)
