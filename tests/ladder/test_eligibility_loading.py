"""Rule-set data for the staff edit form: round trip, and every problem with its path at once."""

from __future__ import annotations

import copy
import json

from certify.ladder.eligibility import load_bundled_rulesets, load_ruleset, ruleset_to_json
from certify.ladder.eligibility_rulesets import BUNDLED_RULESETS, read_bundled


def test_shipped_files_round_trip_unchanged() -> None:
    loaded = load_bundled_rulesets()
    assert sorted(loaded) == sorted(BUNDLED_RULESETS)
    for name in BUNDLED_RULESETS:
        assert ruleset_to_json(loaded[name]) == read_bundled(name)


def test_json_text_is_accepted_and_broken_text_reported() -> None:
    text = json.dumps(read_bundled("template_2018"), ensure_ascii=False)
    assert load_ruleset(text)[0] is not None
    ruleset, problems = load_ruleset("{not json")
    assert ruleset is None and [p.code for p in problems] == ["invalid_json"]


def test_every_problem_in_an_edited_rule_set_is_reported_with_its_path() -> None:
    data = copy.deepcopy(read_bundled("template_2018"))
    data["name"] = {"zh_CN": "", "en": "x", "fr": "y"}
    data["extra"] = 1
    levels = data["levels"]
    levels["3"][0]["checks"][0]["years"] = -4
    levels["3"][1]["id"] = levels["3"][0]["id"]
    levels["3"][2]["checks"][0]["school_types"] = ["technical_school", "kindergarten"]
    levels["4"][0]["checks"] = []
    levels["4"][1]["checks"][0] = {"kind": "horoscope"}
    levels["5"][0]["checks"][0]["level"] = 8
    levels["5"][1]["checks"][0]["colour"] = "red"
    levels["6"][0]["label"] = None
    levels["7"] = [{"id": "x", "label": {"zh_CN": "特", "en": "s"}, "checks": [{"kind": "age"}]}]
    levels["2"] = []
    ruleset, problems = load_ruleset(data)
    assert ruleset is None
    assert {(p.path, p.code) for p in problems} == {
        ("name.zh_CN", "not_a_string"),
        ("name.fr", "unknown_field"),
        ("extra", "unknown_field"),
        ("levels.3[0].checks[0].years", "not_a_count"),
        ("levels.3[1].id", "duplicate_option_id"),
        ("levels.3[2].checks[0].school_types", "not_in_choices"),
        ("levels.4[0].checks", "no_checks"),
        ("levels.4[1].checks[0].kind", "unknown_check_kind"),
        ("levels.5[0].checks[0].level", "level_not_certified"),
        ("levels.5[1].checks[0].colour", "unknown_field"),
        ("levels.6[0].label", "required"),
        ("levels.7", "level_not_certified"),
        ("levels.2", "no_options"),
    }
    for problem in problems:
        assert problem.message("en") and problem.message("zh_CN")
    kinds = next(p for p in problems if p.code == "unknown_check_kind").message("en")
    assert "work_years" in kinds and "horoscope" in kinds


def test_missing_top_level_parts() -> None:
    _, problems = load_ruleset({})
    assert {(p.path, p.code) for p in problems} == {
        ("id", "required"),
        ("name", "required"),
        ("standard_version", "required"),
        ("levels", "required"),
    }
    assert [p.code for p in load_ruleset([])[1]] == ["not_an_object"]
    assert [(p.path, p.code) for p in load_ruleset(_minimal(levels={}))[1]] == [("levels", "no_levels")]


def _minimal(**overrides: object) -> dict:
    data = {"id": "x", "name": {"zh_CN": "某", "en": "x"}, "standard_version": "1", "levels": {}}
    return data | overrides


def test_a_minimal_rule_set_with_each_check_kind_loads() -> None:
    checks = [
        {"kind": "work_years", "years": 2},
        {"kind": "prior_level_years", "level": 3},
        {
            "kind": "education",
            "school_types": ["bachelor"],
            "relevances": ["same"],
            "allow_final_year": False,
        },
        {"kind": "title_years", "grade": "intermediate", "years": 1},
        {"kind": "age", "min_age": 18},
        {"kind": "apprenticeship"},
    ]
    data = _minimal(levels={"4": [{"id": "a", "label": {"zh_CN": "甲", "en": "a"}, "checks": checks}]})
    ruleset, problems = load_ruleset(data)
    assert problems == [] and ruleset is not None
    assert [c.kind for c in ruleset.options_for(4)[0].checks] == [c["kind"] for c in checks]
    assert ruleset_to_json(ruleset)["levels"]["4"][0]["checks"][1] == {
        "kind": "prior_level_years",
        "level": 3,
        "years": 0,
    }
