"""Profile JSON: a valid file reads into dataclasses; every problem is reported at once with its path."""

from __future__ import annotations

from datetime import date

import pytest

from certify.ladder.profile import (
    EducationEntry,
    PriorCertificate,
    Relevance,
    SchoolType,
    TitleGrade,
    WorkEntry,
    level_from_certificate_number,
    profile_from_json,
)

#: S + body 0000 + province 11 + site 000001 + year 19 + level digit 3 (高级工) + serial 000123.
STANDARD_NUMBER = "S000011000001193000123"
#: year 08 + province 11 + city 01 + body kind 2 + body serial 001 + grade 4 (中级工) + serial 00012.
LEGACY_NUMBER = "0811012001400012"


def full_profile() -> dict:
    return {
        "birth_date": "1990-05-01",
        "work_history": [
            {
                "employer": "省博物馆",
                "start": "2012-07-01",
                "end": None,
                "job": "文物修复",
                "grassroots": True,
            },
            {"employer": "县文管所", "start": "2010-01-01", "end": "2012-06-30", "relevant": False},
        ],
        "education": [
            {
                "school_type": "technical_school",
                "major": "文物保护",
                "relevance": "same",
                "graduated_on": "2009-06-30",
            },
            {"school_type": "bachelor", "major": "历史", "relevance": "related", "final_year": True},
        ],
        "certificates": [
            {"issued_on": "2019-12-01", "number": STANDARD_NUMBER},
            {"level": 3, "issued_on": "2008-10-01", "number": LEGACY_NUMBER},
        ],
        "titles": [{"grade": "junior", "obtained_on": "2018-09-01", "name": "助理馆员"}],
        "apprenticeship_completed_on": "2011-01-31",
        "first_secretary": {"start": "2021-03-01", "end": None, "excellent": True},
    }


def test_a_full_profile_reads_into_typed_entries() -> None:
    profile, problems = profile_from_json(full_profile())
    assert problems == []
    assert profile is not None
    assert profile.birth_date == date(1990, 5, 1)
    assert profile.work_history[0] == WorkEntry("省博物馆", date(2012, 7, 1), None, "文物修复", True, True, False)
    assert profile.work_history[1].relevant is False
    assert profile.education[0] == EducationEntry(
        SchoolType.TECHNICAL_SCHOOL, "文物保护", Relevance.SAME, date(2009, 6, 30), False
    )
    assert profile.education[1].final_year is True
    # The level comes from the number when the entry does not state it.
    assert profile.certificates[0] == PriorCertificate(4, date(2019, 12, 1), STANDARD_NUMBER)
    assert profile.certificates[1].level == 3
    assert profile.titles[0].grade is TitleGrade.JUNIOR
    assert profile.apprenticeship_completed_on == date(2011, 1, 31)
    assert profile.first_secretary is not None and profile.first_secretary.excellent


def test_an_empty_object_is_an_empty_profile() -> None:
    profile, problems = profile_from_json({})
    assert problems == [] and profile is not None
    assert profile.work_history == () and profile.birth_date is None


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    data = {
        "birth_date": "1990-13-01",
        "hobby": "书法",
        "work_history": [
            {"employer": "A", "start": "2015-01-01"},
            {"employer": "", "start": "2015/01/01"},
            {"employer": "C", "start": "2016-01-01", "end": "2015-12-31", "remote": "yes"},
        ],
        "education": [{"school_type": "kindergarten", "major": "x", "relevance": "maybe"}],
        "certificates": [{"level": 9, "issued_on": "2020-01-01"}, {"issued_on": "2020-01-01"}],
        "titles": [{"grade": "professor"}],
        "first_secretary": {"start": "2022-01-01", "end": "2021-01-01"},
    }
    profile, problems = profile_from_json(data)
    assert profile is None
    found = {(p.path, p.code) for p in problems}
    assert found == {
        ("birth_date", "not_a_date"),
        ("hobby", "unknown_field"),
        ("work_history[1].employer", "required"),
        ("work_history[1].start", "not_a_date"),
        ("work_history[2].remote", "not_a_bool"),
        ("work_history[2].end", "end_before_start"),
        ("education[0].school_type", "not_in_choices"),
        ("education[0].relevance", "not_in_choices"),
        ("education[0].graduated_on", "graduation_missing"),
        ("certificates[0].level", "level_not_certified"),
        ("certificates[1].level", "level_or_number_required"),
        ("titles[0].grade", "not_in_choices"),
        ("titles[0].obtained_on", "required"),
        ("first_secretary.end", "end_before_start"),
    }
    for problem in problems:
        assert problem.path in problem.message("en")
        assert problem.path in problem.message("zh_CN")


def test_non_object_and_non_list_are_reported() -> None:
    assert [p.code for p in profile_from_json([])[1]] == ["not_an_object"]
    _, problems = profile_from_json({"work_history": {"employer": "A"}, "titles": [3]})
    assert {(p.path, p.code) for p in problems} == {
        ("work_history", "not_a_list"),
        ("titles[0]", "not_an_object"),
    }


@pytest.mark.parametrize(
    ("number", "ordinal"),
    [
        (STANDARD_NUMBER, 4),  # level digit 3 at position 16 → 三级/高级工
        ("Y123444123456241000001", 6),  # level digit 1 → 一级/高级技师
        (LEGACY_NUMBER, 3),  # legacy grade 4 at position 11 → 四级/中级工
        ("9911015001500001", None),  # legacy body kind 5 is not 0–4
        ("S000011000001183000123", None),  # 22-character numbers started in 2019
        ("S00001100000119300012", None),  # 21 characters
    ],
)
def test_level_from_certificate_number(number: str, ordinal: int | None) -> None:
    level, problems = level_from_certificate_number(number)
    assert level == ordinal
    assert bool(problems) == (ordinal is None)


def test_certificate_number_problems_name_the_segment_in_both_languages() -> None:
    data = {"certificates": [{"level": 4, "issued_on": "2019-03-01", "number": "X0000110000011930001"}]}
    _, problems = profile_from_json(data)
    assert [(p.path, p.code) for p in problems] == [("certificates[0].number", "certificate_number_invalid")]
    assert "22" in problems[0].message("en") and "22" in problems[0].message("zh_CN")


def test_number_that_disagrees_with_the_entry_is_reported() -> None:
    data = {"certificates": [{"level": 5, "issued_on": "2020-03-01", "number": STANDARD_NUMBER}]}
    _, problems = profile_from_json(data)
    assert {(p.path, p.code) for p in problems} == {
        ("certificates[0].level", "certificate_level_mismatch"),
        ("certificates[0].number", "certificate_year_mismatch"),
    }
    messages = [p.message("zh_CN") for p in problems]
    assert any("三级/高级工" in m and "二级/技师" in m for m in messages)
    assert any("2019" in m and "2020" in m for m in messages)


def test_legacy_number_year_is_checked_against_the_issue_date() -> None:
    ok = {"certificates": [{"issued_on": "2008-10-01", "number": LEGACY_NUMBER}]}
    bad = {"certificates": [{"issued_on": "2009-10-01", "number": LEGACY_NUMBER}]}
    assert profile_from_json(ok)[1] == []
    assert [p.code for p in profile_from_json(bad)[1]] == ["certificate_year_mismatch"]


def test_ongoing_job_runs_to_now_and_future_end_is_cut() -> None:
    entry = WorkEntry("A", date(2020, 1, 1), date(2030, 1, 1))
    assert entry.period(date(2024, 5, 5)) == (date(2020, 1, 1), date(2024, 5, 5))
    assert WorkEntry("A", date(2020, 1, 1)).period(date(2021, 1, 1)) == (date(2020, 1, 1), date(2021, 1, 1))
