"""Review flags after a session and distractor analysis."""

from __future__ import annotations

from question_bank.item_review import (
    FlagPolicy,
    distractor_analysis,
    option_counts_by_group,
    review_flags,
    review_queue,
)
from question_bank.statistics import read_marks_matrix

# 8 attempts, strongest first: a1–a3 and q_good follow ability, q_bad runs against it,
# q_easy everyone gets right, q_hard only the strongest.
COLUMNS = {
    "q_easy": "11111111",
    "q_hard": "10000000",
    "q_good": "11110000",
    "q_bad": "00011111",
    "a1": "11111000",
    "a2": "11110100",
    "a3": "11101000",
}
MARKS = (
    ",".join(COLUMNS) + "\n" + "".join(",".join(column[row] for column in COLUMNS.values()) + "\n" for row in range(8))
)


def _flags(policy: FlagPolicy | None = None) -> dict[str, list[str]]:
    from question_bank.statistics import item_statistics

    result = item_statistics(read_marks_matrix(MARKS))
    return {item: [f.code for f in flags] for item, flags in review_queue(review_flags(result, policy)).items()}


def test_default_thresholds_flag_easy_hard_and_non_discriminating_items() -> None:
    flags = _flags()
    assert flags["q_easy"] == ["too_easy"]  # facility 1.0 > 0.9; discrimination undefined → no flag
    assert flags["q_hard"] == ["too_hard"]  # facility 0.125 < 0.2
    assert flags["q_bad"] == ["low_discrimination"]
    assert "q_good" not in flags


def test_thresholds_are_configurable() -> None:
    flags = _flags(FlagPolicy(facility_high=1.0, facility_low=0.1, discrimination_min=-1.0))
    assert "q_easy" not in flags and "q_hard" not in flags and "q_bad" not in flags


def test_distractor_analysis_flags_negative_distractors_and_a_reversed_key() -> None:
    counts = {"A": (8, 2), "B": (0, 3), "C": (2, 1), "D": (0, 0)}
    report = distractor_analysis("Q1", counts, key={"A"}, upper_size=10, lower_size=6)
    by_option = {o.option: o for o in report.options}
    assert by_option["A"].discrimination == 0.8 - 2 / 6
    assert by_option["B"].discrimination == -0.5  # a good distractor: chosen by the weaker group
    assert not by_option["D"].functioning
    flags = report.flags()
    assert [(f.code, f.params["option"]) for f in flags] == [("negative_distractor", "C")]
    reversed_key = distractor_analysis("Q2", {"A": (1, 5), "B": (9, 1)}, key={"A"}, upper_size=10, lower_size=10)
    assert sorted(f.code for f in reversed_key.flags()) == ["key_reversed", "negative_distractor"]
    key_flag = next(f for f in reversed_key.flags() if f.code == "key_reversed")
    assert "请核查答案" in key_flag.message("zh_CN") and "check the key" in key_flag.message("en")


def test_option_counts_come_from_the_upper_and_lower_groups() -> None:
    totals = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    choices = ["A", "A", "AB", None, "C", "C", "B", "B", "B", "C"]
    counts, upper, lower = option_counts_by_group(choices, totals, "ABCD")
    assert (upper, lower) == (3, 3)
    assert counts == {"A": (3, 0), "B": (1, 2), "C": (0, 1), "D": (0, 0)}


def test_distractor_flags_join_the_review_queue() -> None:
    from question_bank.statistics import item_statistics

    result = item_statistics(read_marks_matrix(MARKS))
    report = distractor_analysis("q_good", {"A": (4, 0), "B": (2, 0)}, key={"A"}, upper_size=4, lower_size=4)
    queue = review_queue(review_flags(result, distractors=[report]))
    assert [f.code for f in queue["q_good"]] == ["negative_distractor"]
    assert queue["q_good"][0].to_json()["params"] == {"option": "B", "upper": 0.5, "lower": 0.0}
