"""The ID validator: resident ID numbers (MOD 11-2) and other document types."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certify.institutions.identity import check_id, check_resident_id, mask_id, mod11_2_check_char
from certify.institutions.models import IdType

TODAY = date(2026, 11, 21)
# GB 11643-1999's own worked example: 11010519491231002X.
VALID = "11010519491231002X"


def test_the_standard_example_is_valid_and_yields_its_birth_date():
    result = check_resident_id(VALID, TODAY)
    assert result.valid
    assert result.birth_date == date(1949, 12, 31)


def test_lower_case_x_spaces_and_full_width_digits_are_normalised():
    assert check_resident_id("110105 19491231 002x", TODAY).valid
    assert check_resident_id("１１０１０５１９４９１２３１００２Ｘ", TODAY).number == VALID


def test_a_wrong_check_digit_is_refused_naming_the_expected_one():
    result = check_resident_id("110105194912310021", TODAY)
    assert [p.code for p in result.problems] == ["id_bad_check_digit"]
    assert result.problems[0].params == {"expected": "X", "actual": "1"}


@pytest.mark.parametrize("number", ["11010519491231002", "11010519491231002XX", ""])
def test_a_wrong_length_is_refused_with_the_lengths(number):
    result = check_resident_id(number, TODAY)
    assert [p.code for p in result.problems] == ["id_wrong_length"]
    assert result.problems[0].params == {"expected": 18, "actual": len(number)}


def test_an_impossible_birth_date_is_refused():
    first17 = "11010519490231002"  # 31 February
    result = check_resident_id(first17 + mod11_2_check_char(first17), TODAY)
    assert [p.code for p in result.problems] == ["id_bad_birth_date"]


@pytest.mark.parametrize("birth", ["20270101", "18990101"])
def test_a_future_or_implausibly_old_birth_date_is_refused(birth):
    first17 = f"110105{birth}002"
    result = check_resident_id(first17 + mod11_2_check_char(first17), TODAY)
    assert [p.code for p in result.problems] == ["id_implausible_birth_date"]


def test_an_unknown_province_is_refused_with_every_other_failure():
    result = check_resident_id("990105194912310021", TODAY)
    assert {p.code for p in result.problems} == {"id_bad_region", "id_bad_check_digit"}


def test_letters_in_the_body_are_refused():
    assert [p.code for p in check_resident_id("1101051949A231002X", TODAY).problems] == ["id_not_digits"]


@given(st.text(alphabet="0123456789X", min_size=0, max_size=25))
def test_any_input_gets_a_verdict_and_valid_ones_carry_the_right_check_digit(number):
    result = check_resident_id(number, TODAY)
    if result.valid:
        assert mod11_2_check_char(result.number[:17]) == result.number[17]


@pytest.mark.parametrize(
    ("id_type", "number", "valid"),
    [
        (IdType.PASSPORT, "E12345678", True),
        (IdType.PASSPORT, "A1", False),
        (IdType.HK_MACAO_PERMIT, "H12345678", True),
        (IdType.HK_MACAO_PERMIT, "X12345678", False),
        (IdType.TAIWAN_PERMIT, "12345678", True),
        (IdType.TAIWAN_PERMIT, "1234567", False),
        (IdType.FOREIGN_PERMANENT_RESIDENT, "USA110085041201", True),
        (IdType.FOREIGN_PERMANENT_RESIDENT, "US1100850412", False),
    ],
)
def test_other_document_types_are_format_checked(id_type, number, valid):
    assert check_id(id_type, number, TODAY).valid is valid


def test_masking_keeps_only_the_last_four():
    assert mask_id(VALID) == "**************002X"
