"""After a session: distractor analysis and the flags that send items to the review queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from question_bank.problems import Problem
from question_bank.statistics import StatsResult, upper_lower_groups

_TEMPLATES: dict[str, dict[str, str]] = {
    "too_easy": {
        "en": "Item {where}: facility {facility} is above {limit}; almost everyone answers it correctly.",
        "zh_CN": "试题 {where}：难度系数（通过率）{facility} 高于 {limit}，题目过易。",
    },
    "too_hard": {
        "en": "Item {where}: facility {facility} is below {limit}; almost nobody answers it correctly.",
        "zh_CN": "试题 {where}：难度系数（通过率）{facility} 低于 {limit}，题目过难。",
    },
    "low_discrimination": {
        "en": "Item {where}: discrimination {discrimination} is below {limit}.",
        "zh_CN": "试题 {where}：区分度 {discrimination} 低于 {limit}。",
    },
    "negative_distractor": {
        "en": "Item {where}: distractor {option} attracts more of the upper group ({upper}) than of the "
        "lower group ({lower}).",
        "zh_CN": "试题 {where}：干扰项 {option} 在高分组中的选择比例（{upper}）高于低分组（{lower}）。",
    },
    "key_reversed": {
        "en": "Item {where}: the key {option} is chosen by fewer of the upper group ({upper}) than of the "
        "lower group ({lower}); check the key.",
        "zh_CN": "试题 {where}：正确答案 {option} 在高分组中的选择比例（{upper}）低于低分组（{lower}），请核查答案。",
    },
}


class ReviewFlag(Problem):
    """Why an item goes to the review queue."""

    TEMPLATES = _TEMPLATES


@dataclass(frozen=True)
class FlagPolicy:
    """Review thresholds (DOMAIN defaults); discrimination is the item–rest correlation as a fraction."""

    facility_high: float = 0.9
    facility_low: float = 0.2
    discrimination_min: float = 0.1
    #: A distractor misbehaves when its upper-group share exceeds its lower-group share by more than this.
    distractor_margin: float = 0.0


@dataclass(frozen=True)
class OptionAnalysis:
    """How one option fared in the upper and lower groups (shares are fractions of each group)."""

    option: str
    is_key: bool
    upper_count: int
    lower_count: int
    upper_share: float | None
    lower_share: float | None

    @property
    def discrimination(self) -> float | None:
        """Upper share minus lower share: positive is good for a key, bad for a distractor."""
        if self.upper_share is None or self.lower_share is None:
            return None
        return self.upper_share - self.lower_share

    @property
    def functioning(self) -> bool:
        """A distractor nobody in either group chose does no work."""
        return self.is_key or self.upper_count + self.lower_count > 0


@dataclass(frozen=True)
class DistractorReport:
    """Distractor analysis of one choice item."""

    item: str
    upper_size: int
    lower_size: int
    options: tuple[OptionAnalysis, ...]

    def flags(self, policy: FlagPolicy | None = None) -> list[ReviewFlag]:
        """Negative distractors and a reversed key, each as a review flag."""
        policy = policy or FlagPolicy()
        flags: list[ReviewFlag] = []
        for option in self.options:
            gap = option.discrimination
            if gap is None:
                continue
            params = {
                "option": option.option,
                "upper": _r(option.upper_share),
                "lower": _r(option.lower_share),
            }
            if not option.is_key and gap > policy.distractor_margin:
                flags.append(ReviewFlag("negative_distractor", self.item, params))
            elif option.is_key and gap < 0:
                flags.append(ReviewFlag("key_reversed", self.item, params))
        return flags


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def distractor_analysis(
    item: str,
    counts: Mapping[str, tuple[int, int]],
    key: Collection[str],
    upper_size: int,
    lower_size: int,
) -> DistractorReport:
    """Analyse choice counts `option → (upper count, lower count)` for groups of the given sizes."""
    options = tuple(
        OptionAnalysis(
            option=option,
            is_key=option in key,
            upper_count=upper,
            lower_count=lower,
            upper_share=upper / upper_size if upper_size else None,
            lower_share=lower / lower_size if lower_size else None,
        )
        for option, (upper, lower) in counts.items()
    )
    return DistractorReport(item, upper_size, lower_size, options)


def option_counts_by_group(
    choices: Sequence[Collection[str] | str | None],
    totals: Sequence[float],
    options: Iterable[str],
    fraction: float = 0.27,
) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Each option's choices in the upper and lower `fraction` by total: (counts, upper size, lower size)."""
    upper, lower = upper_lower_groups(list(totals), fraction)

    def count(rows: list[int], option: str) -> int:
        return sum(1 for row in rows if choices[row] is not None and option in choices[row])

    counts = {option: (count(upper, option), count(lower, option)) for option in options}
    return counts, len(upper), len(lower)


def review_flags(
    result: StatsResult,
    policy: FlagPolicy | None = None,
    distractors: Iterable[DistractorReport] = (),
) -> list[ReviewFlag]:
    """Every reason each item should be reviewed after a session (undefined figures raise no flag)."""
    policy = policy or FlagPolicy()
    flags: list[ReviewFlag] = []
    for item in result.items:
        if item.facility is not None and item.facility > policy.facility_high:
            flags.append(
                ReviewFlag("too_easy", item.item, {"facility": _r(item.facility), "limit": policy.facility_high})
            )
        if item.facility is not None and item.facility < policy.facility_low:
            flags.append(
                ReviewFlag("too_hard", item.item, {"facility": _r(item.facility), "limit": policy.facility_low})
            )
        if item.discrimination_index is not None and item.discrimination_index / 100.0 < policy.discrimination_min:
            params = {
                "discrimination": _r(item.discrimination_index / 100.0),
                "limit": policy.discrimination_min,
            }
            flags.append(ReviewFlag("low_discrimination", item.item, params))
    for report in distractors:
        flags += report.flags(policy)
    return flags


def review_queue(flags: Iterable[ReviewFlag]) -> dict[str, list[ReviewFlag]]:
    """The flags grouped per item, in first-flagged order: what goes to the review queue."""
    queue: dict[str, list[ReviewFlag]] = {}
    for flag in flags:
        queue.setdefault(flag.where, []).append(flag)
    return queue
