"""Quality of scoring: ICC against Shrout & Fleiss (1979), severity, spread, adjudications, flags."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from certify.practical.quality import (
    QualityFlag,
    QualityPolicy,
    ScoredTarget,
    icc_1,
    icc_2_1,
    scoring_quality,
)
from certify.practical.rubrics import SheetScore
from certify.practical.scoring import aggregate_task

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_icc_matches_shrout_and_fleiss_table() -> None:
    # Published values (Table 4): ICC(1,1) = .17, ICC(2,1) = .29.
    assert icc_2_1(SHROUT_FLEISS) == pytest.approx(0.29, abs=0.005)
    assert icc_1(SHROUT_FLEISS) == pytest.approx(0.17, abs=0.005)


def test_icc_of_perfect_agreement_is_one_and_undefined_cases_are_none() -> None:
    assert icc_2_1([[50, 50], [70, 70], [90, 90]]) == pytest.approx(1.0)
    assert icc_2_1([[60, 60], [60, 60]]) is None  # no variance at all
    assert icc_2_1([[60, 70]]) is None  # one target
    assert icc_1([[60], [70]]) is None  # one rater


def test_a_constant_shift_lowers_absolute_agreement() -> None:
    consistent = [[50, 50], [70, 70], [90, 90]]
    shifted = [[50, 58], [70, 78], [90, 98]]
    assert icc_2_1(shifted) < icc_2_1(consistent)  # type: ignore[operator]


def targets(session: str, rows: list[tuple[int, int, int]], adjudicated: set[int] | None = None) -> list[ScoredTarget]:
    return [
        ScoredTarget(session, f"c{i}", {"a1": D(x), "a2": D(y), "a3": D(z)}, i in (adjudicated or set()))
        for i, (x, y, z) in enumerate(rows)
    ]


# a3 scores 9 points above the mean of a1 and a2 on every target, i.e. 6 above the panel mean of three.
LENIENT_A3 = [(60, 62, 70), (70, 70, 79), (80, 82, 90), (64, 66, 74), (75, 77, 85), (85, 85, 94)]


def test_severity_is_mean_deviation_from_the_panel_mean() -> None:
    (session,) = scoring_quality(targets("S1", LENIENT_A3))
    by_name = {a.assessor: a for a in session.assessors}
    assert by_name["a3"].severity == pytest.approx(6.0, abs=0.01)
    assert by_name["a1"].severity == pytest.approx(-22 / 6)
    assert by_name["a2"].severity == pytest.approx(-14 / 6)
    assert by_name["a3"].deviation_sd == pytest.approx(0.0)
    assert by_name["a3"].targets == 6
    assert [f.code for f in by_name["a3"].flags] == ["lenient"]
    assert by_name["a1"].flags == ()
    flag = by_name["a3"].flags[0]
    assert flag.params == {"assessor": "a3", "severity": 6.0, "threshold": 5.0}
    assert flag.message("zh_CN") == "a3 的评分平均比考评组高 6.0 分（阈值 5.0 分），偏松。"


def test_severe_assessor_is_flagged() -> None:
    rows = [(x, y, z - 18) for x, y, z in LENIENT_A3]
    (session,) = scoring_quality(targets("S1", rows))
    flags = {a.assessor: [f.code for f in a.flags] for a in session.assessors}
    assert flags["a3"] == ["severe"]


def test_narrow_spread_is_flagged() -> None:
    rows = [(55, 56, 70), (65, 66, 71), (75, 74, 70), (85, 86, 72), (95, 94, 71)]
    (session,) = scoring_quality(targets("S1", rows))
    a3 = next(a for a in session.assessors if a.assessor == "a3")
    assert a3.spread is not None and a3.panel_spread is not None and a3.spread < a3.panel_spread / 2
    assert "narrow_spread" in [f.code for f in a3.flags]


def test_adjudication_counts_and_flag() -> None:
    (session,) = scoring_quality(targets("S1", LENIENT_A3, adjudicated={0, 2}))
    a2 = next(a for a in session.assessors if a.assessor == "a2")
    assert a2.adjudications == 2
    assert [f.code for f in a2.flags] == ["frequent_adjudication"]
    assert a2.flags[0].params["rate"] == 33


def test_thresholds_are_configurable() -> None:
    policy = QualityPolicy(severity_threshold=10.0, adjudication_rate=0.5)
    (session,) = scoring_quality(targets("S1", LENIENT_A3, adjudicated={0, 2}), policy)
    assert all(a.flags == () for a in session.assessors)


def test_too_few_targets_gives_a_note_not_a_verdict() -> None:
    (session,) = scoring_quality(targets("S1", LENIENT_A3[:3]))
    assert {f.code for a in session.assessors for f in a.flags} == {"too_few_targets"}


def test_session_icc_uses_the_complete_block_of_the_most_frequent_panel() -> None:
    rows = targets("S1", LENIENT_A3)
    extra = [ScoredTarget("S1", "x1", {"a1": D(50), "a4": D(90)}), ScoredTarget("S1", "x2", {"a4": D(80)})]
    (session,) = scoring_quality(rows + extra)
    assert (session.icc_targets, session.icc_raters) == (6, 3)
    block = [[float(x) for x in row] for row in LENIENT_A3]
    assert session.icc == pytest.approx(icc_2_1(block))
    assert [a.assessor for a in session.assessors] == ["a1", "a2", "a3", "a4"]


def test_low_agreement_and_sessions_apart() -> None:
    noisy = [(40, 90, 60), (90, 40, 65), (50, 85, 70), (85, 45, 60), (60, 60, 90)]
    report = scoring_quality(targets("S2", noisy) + targets("S1", LENIENT_A3))
    assert [s.session for s in report] == ["S1", "S2"]
    assert report[0].flags == ()
    assert [f.code for f in report[1].flags] == ["low_agreement"]


def test_icc_not_computable_is_reported() -> None:
    (session,) = scoring_quality([ScoredTarget("S3", "c1", {"a1": D(70), "a2": D(72)})])
    assert session.icc is None
    assert [(f.code, f.params) for f in session.flags] == [
        ("icc_not_computable", {"session": "S3", "targets": 1, "raters": 2})
    ]


def test_from_aggregate_takes_raw_scores_and_adjudication() -> None:
    sheets = [
        ("a1", SheetScore(D(50), D(100), (), False, (), (), ())),
        ("a2", SheetScore(D(70), D(100), (), False, (), (), ())),
    ]
    target = ScoredTarget.from_aggregate("S1", "c1/T1", aggregate_task("T1", sheets))
    assert target.scores == {"a1": D("50.00"), "a2": D("70.00")} and target.adjudicated


def test_every_code_has_both_templates_and_renders() -> None:
    sample = {
        "assessor": "a1",
        "severity": 6.2,
        "threshold": 5.0,
        "spread": 1.2,
        "panel_spread": 10.5,
        "count": 2,
        "targets": 6,
        "rate": 33,
        "minimum": 5,
        "session": "S1",
        "icc": 0.31,
        "floor": 0.5,
        "raters": 3,
    }
    for code, (en, zh) in QualityFlag.templates.items():
        assert en.strip() and zh.strip()
        flag = QualityFlag(code, sample)
        assert "{" not in flag.message("en") + flag.message("zh_CN")
        assert flag.message("en") != flag.message("zh_CN")
        json.dumps(flag.params)
