"""Certificate numbers: composing, parsing every format, naming each faulty segment, serial allocation."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.certificates.numbers import (
    CertificateNumber,
    LegacyNumber,
    NumberCompositionError,
    NumberFormat,
    SerialExhausted,
    compose_number,
    next_serial,
    parse_number,
    serial_gaps,
    validate_number,
)
from certify.certificates.numbers_codes import _TEMPLATES, PROVINCES

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_compose_lays_out_the_22_characters_as_domain_md_says() -> None:
    number = compose_number("S", "0000", "11", "000123", 2026, 5, 1)
    # S | 0000 | 11 | 000123 | 26 | 2 (技师 = national grade 2) | 000001
    assert number == "S000011000123262000001"
    assert len(number) == 22


def test_compose_accepts_integers_and_four_digit_years() -> None:
    assert compose_number("Y", 123, 44, 42, 2027, 2, 999999) == "Y012344000042275999999"


def test_parse_reads_back_every_segment() -> None:
    parsed, problems = parse_number("Y012344000042275999999")
    assert problems == []
    assert parsed == CertificateNumber(
        text="Y012344000042275999999",
        format=NumberFormat.STANDARD,
        body_type="Y",
        body_code="0123",
        province_code="44",
        site_serial="000042",
        year=2027,
        level_digit=5,
        serial=999999,
    )
    assert parsed.level_ordinal == 2  # 五级 = 初级工
    assert parsed.scope == ("Y", "0123", "44", "000042", 2027, 5)


def test_parse_forgives_case_blanks_and_hyphens_staff_type() -> None:
    parsed, problems = parse_number("  s0000-11-000123-26-2-000001 ")
    assert problems == []
    assert parsed is not None and parsed.text == "S000011000123262000001"


@given(
    body_type=st.sampled_from("SY"),
    body_code=st.integers(0, 9999),
    province=st.sampled_from(sorted(PROVINCES)),
    site=st.integers(0, 999999),
    year=st.integers(2019, 2099),
    ordinal=st.integers(2, 6),
    serial=st.integers(1, 999999),
)
def test_compose_then_parse_round_trips(body_type, body_code, province, site, year, ordinal, serial) -> None:
    text = compose_number(body_type, body_code, province, site, year, ordinal, serial)
    parsed, problems = parse_number(text)
    assert problems == []
    assert isinstance(parsed, CertificateNumber)
    assert (parsed.body_type, int(parsed.body_code), parsed.province_code) == (body_type, body_code, province)
    assert (int(parsed.site_serial), parsed.year, parsed.level_ordinal, parsed.serial) == (
        site,
        year,
        ordinal,
        serial,
    )


def test_every_faulty_segment_is_named_at_once() -> None:
    parsed, problems = parse_number("X0A0099000B1200900000O")
    assert parsed is None
    assert {p.where for p in problems} == {
        "body_type",
        "body_code",
        "province_code",
        "site_serial",
        "year",
        "level_digit",
        "serial",
    }
    by_where = {p.where: p for p in problems}
    assert by_where["body_code"].params["value"] == "0A00"
    assert by_where["province_code"].code == "province_code_unknown"
    assert "第6–7位" in by_where["province_code"].message("zh_CN")
    assert "Positions 17–22 (serial)" in by_where["serial"].message("en")


@pytest.mark.parametrize("code", ["11", "15", "21", "23", "37", "46", "50", "54", "61", "65", "71", "81", "82"])
def test_real_province_codes_are_accepted(code: str) -> None:
    assert validate_number(f"S0000{code}000001261000001") == []


@pytest.mark.parametrize("code", ["00", "10", "16", "24", "38", "47", "55", "66", "72", "83", "99"])
def test_codes_that_name_no_province_are_rejected(code: str) -> None:
    problems = validate_number(f"S0000{code}000001261000001")
    assert [(p.code, p.where, p.params["value"]) for p in problems] == [
        ("province_code_unknown", "province_code", code)
    ]


@pytest.mark.parametrize("digit", ["0", "6", "9"])
def test_level_digit_runs_5_to_1(digit: str) -> None:
    problems = validate_number(f"S00001100000126{digit}000001")
    assert [p.code for p in problems] == ["level_digit_invalid"]


def test_serial_zero_and_year_checks() -> None:
    assert [p.code for p in validate_number("S000011000001262000000")] == ["serial_zero"]
    assert [p.code for p in validate_number("S000011000001182000001")] == ["year_before_scheme"]
    future = validate_number("S000011000001302000001", today=date(2026, 11, 21))
    assert [(p.code, p.params["current_year"]) for p in future] == [("year_in_future", 2026)]


@pytest.mark.parametrize(("text", "length"), [("S00001100000126200001", 21), ("S0000110000012620000011", 23)])
def test_wrong_length_is_reported_with_the_length(text: str, length: int) -> None:
    parsed, problems = parse_number(text)
    assert parsed is None
    assert [(p.code, p.params["length"]) for p in problems] == [("number_wrong_length", length)]


def test_empty_input() -> None:
    assert [p.code for p in validate_number("   ")] == ["number_empty"]


def test_special_grade_number_two_letters_twenty_digits() -> None:
    parsed, problems = parse_number("TY00014400012326100042")
    assert problems == []
    assert isinstance(parsed, CertificateNumber)
    assert parsed.format is NumberFormat.SPECIAL_GRADE
    assert (parsed.body_type, parsed.body_code, parsed.province_code) == ("TY", "0001", "44")
    assert (parsed.site_serial, parsed.year, parsed.level_digit, parsed.serial) == ("000123", 2026, 1, 42)
    assert parsed.level_ordinal is None


def test_special_grade_number_faults_are_located_after_the_two_letters() -> None:
    problems = validate_number("TY00019900012326100000")
    assert {(p.code, p.params.get("start")) for p in problems} == {
        ("province_code_unknown", 7),
        ("serial_zero", 18),
    }


def test_legacy_sixteen_digit_number() -> None:
    parsed, problems = parse_number("0532010021500001")
    assert problems == []
    assert parsed == LegacyNumber("0532010021500001", 2005, "32", "01", 0, "021", 5, 1)
    old, _ = parse_number("9811010013200007")
    assert isinstance(old, LegacyNumber) and old.year == 1998 and old.grade_digit == 2


def test_legacy_number_faults_are_all_named() -> None:
    problems = validate_number("0532015021600000")
    assert {(p.code, p.where) for p in problems} == {
        ("legacy_body_kind_invalid", "legacy_body_kind"),
        ("level_digit_invalid", "level_digit"),
        ("serial_zero", "serial"),
    }


def test_compose_refuses_bad_parts_and_lists_them_all() -> None:
    with pytest.raises(NumberCompositionError) as caught:
        compose_number("Q", "12345", "99", "1234567", 2026, 7, 0)
    assert {p.where for p in caught.value.problems} == {
        "body_type",
        "body_code",
        "province_code",
        "site_serial",
        "level_digit",
        "serial",
    }


@pytest.mark.parametrize("ordinal", [1, 7, 8])
def test_compose_refuses_levels_without_a_national_grade(ordinal: int) -> None:
    with pytest.raises(NumberCompositionError):
        compose_number("Y", "0001", "11", "000001", 2026, ordinal, 1)


def test_next_serial_is_gapless_and_bounded() -> None:
    assert next_serial(None) == 1
    assert next_serial(41) == 42
    assert next_serial(999_998) == 999_999
    with pytest.raises(SerialExhausted):
        next_serial(999_999)


def test_serial_gaps_finds_missing_serials() -> None:
    assert serial_gaps([1, 2, 3]) == []
    assert serial_gaps({1, 4, 2, 7}) == [3, 5, 6]
    assert serial_gaps([]) == []


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_problem_code_has_both_languages_and_renders() -> None:
    for code, (en, zh) in _TEMPLATES.items():
        assert en and zh, code
        assert CJK.search(zh), f"{code}: Chinese template has no Chinese"
        assert not CJK.search(en), f"{code}: English template contains Chinese"
        assert _fields(zh) <= _fields(en) | {"segment_zh"}, code


def test_problems_from_real_input_render_in_both_locales() -> None:
    samples = [
        "",
        "S0001",
        "X0A0099000B1200900000O",
        "S000011000001182000001",
        "TY00019900012326100000",
        "Z!00019900012326100000",
        "0532015021600000",
    ]
    seen = set()
    for text in samples:
        for problem in validate_number(text, today=date(2017, 1, 1)):
            seen.add(problem.code)
            assert problem.message("en") and CJK.search(problem.message("zh_CN"))
    with pytest.raises(NumberCompositionError) as caught:
        compose_number("S", "0000", "11", "000001", 2026, 2, 10**6)
    seen |= {p.code for p in caught.value.problems}
    assert seen == set(_TEMPLATES)
