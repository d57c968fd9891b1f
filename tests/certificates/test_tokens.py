"""Signed QR tokens: COSE_Sign1 layout, every verify result, and hostile input that must never raise."""

from __future__ import annotations

import base64
import hashlib
import re
import string
from dataclasses import replace
from datetime import UTC, date, datetime

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.certificates.tokens import (
    _TEMPLATES,
    CertificateClaims,
    CertificateState,
    CertificateStatus,
    ClaimsError,
    KeyInfo,
    KeyStatus,
    VerifyResult,
    sign,
    verify,
)
from certify.certificates.tokens_codec import encode_claims, pack_number, unpack_number
from certify.certificates.tokens_keys import kid_for

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KID = kid_for(KEY)
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
CLAIMS = CertificateClaims(
    number="S000011000123262000017",
    holder_name="张三丰",
    id_last4="123X",
    occupation_code="4-13-03-02",
    level_ordinal=5,
    issue_date=date(2026, 11, 20),
    issuer=42,
    status_index=1017,
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def keys(status: KeyStatus = KeyStatus.ACTIVE) -> dict[bytes, KeyInfo]:
    return {KID: KeyInfo(KEY.public_key(), status)}


def b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def craft(header: dict, payload: object, key: Ed25519PrivateKey = KEY, tag: int = 18) -> str:
    """A correctly signed COSE_Sign1 with any header and payload, to reach checks behind the signature."""
    protected = cbor2.dumps(header)
    body = cbor2.dumps(payload)
    signature = key.sign(cbor2.dumps(["Signature1", protected, b"", body]))
    return b32(cbor2.dumps(cbor2.CBORTag(tag, [protected, {}, body, signature])))


def test_round_trip_is_valid_and_returns_the_claims() -> None:
    outcome = verify(sign(CLAIMS, KEY, KID), keys(), NOW)
    assert outcome.result is VerifyResult.VALID
    assert outcome.payload == CLAIMS
    assert (outcome.alg, outcome.kid, outcome.key_status) == (-8, KID.hex(), KeyStatus.ACTIVE)
    assert outcome.problems == ()


def test_token_is_upper_case_base32_without_padding() -> None:
    token = sign(CLAIMS, KEY)
    assert re.fullmatch(r"[A-Z2-7]+", token)


def test_token_is_a_standard_cose_sign1_any_cose_verifier_can_check() -> None:
    raw = base64.b32decode(sign(CLAIMS, KEY) + "=" * (-len(sign(CLAIMS, KEY)) % 8))
    message = cbor2.loads(raw)
    assert message.tag == 18
    protected, unprotected, payload, signature = message.value
    assert cbor2.loads(protected) == {1: -8, 4: KID}
    assert dict(unprotected) == {}
    assert len(signature) == 64
    # Verified here by hand from RFC 9052's Sig_structure, independently of the module's own code.
    KEY.public_key().verify(signature, cbor2.dumps(["Signature1", protected, b"", payload]))
    body = cbor2.loads(payload)
    # Integer keys 0–8 only: no photo, full ID number or birth date can be in there.
    assert set(body) == set(range(9))
    assert body[0] == 1 and body[3] == "123X" and body[6] == (date(2026, 11, 20) - date(1970, 1, 1)).days


def test_kid_is_first_8_bytes_of_sha256_of_raw_public_key() -> None:
    raw = KEY.public_key().public_bytes_raw()
    assert hashlib.sha256(raw).digest()[:8] == KID


def test_retired_key_still_verifies() -> None:
    outcome = verify(sign(CLAIMS, KEY), keys(KeyStatus.RETIRED), NOW)
    assert (outcome.result, outcome.key_status) == (VerifyResult.VALID, KeyStatus.RETIRED)


def test_compromised_key_means_reissue_required() -> None:
    outcome = verify(sign(CLAIMS, KEY), keys(KeyStatus.COMPROMISED), NOW)
    assert outcome.result is VerifyResult.INVALID_SIGNATURE
    assert outcome.reissue_required
    assert [p.code for p in outcome.problems] == ["key_compromised"]
    assert "重新签发" in outcome.problems[0].message("zh_CN")
    assert "re-issue required" in outcome.problems[0].message("en")


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (CertificateStatus.ACTIVE, VerifyResult.VALID),
        (CertificateStatus.REVOKED, VerifyResult.REVOKED),
        (CertificateStatus.SUSPENDED, VerifyResult.SUSPENDED),
        (CertificateStatus.EXPIRED, VerifyResult.EXPIRED),
        (CertificateStatus.SUPERSEDED, VerifyResult.SUPERSEDED),
    ],
)
def test_registry_status_decides_the_result(status: CertificateStatus, result: VerifyResult) -> None:
    state = CertificateState(
        status, since=date(2026, 11, 1), reason="伪造申报材料", superseded_by="S000011000123262000018"
    )
    looked_up: list[str] = []

    def status_of(claims: CertificateClaims) -> CertificateState:
        looked_up.append(claims.number)
        return state

    outcome = verify(sign(CLAIMS, KEY), keys(), NOW, status_of=status_of)
    assert outcome.result is result
    assert looked_up == [CLAIMS.number]
    assert outcome.state == state
    if status is not CertificateStatus.ACTIVE:
        assert "2026-11-01" in outcome.problems[0].message("en")


def test_revocation_shows_date_and_reason() -> None:
    state = CertificateState(CertificateStatus.REVOKED, since=date(2026, 11, 1), reason="伪造申报材料")
    outcome = verify(sign(CLAIMS, KEY), keys(), NOW, status_of=lambda _claims: state)
    assert outcome.problems[0].message("zh_CN") == "证书已于2026-11-01撤销：伪造申报材料。"


def test_registry_without_record_is_reported() -> None:
    outcome = verify(sign(CLAIMS, KEY), keys(), NOW, status_of=lambda _claims: None)
    assert [p.code for p in outcome.problems] == ["status_unknown"]


# Negative cases named in the issue, each with its result.


def test_bad_base32() -> None:
    for token in ("NOT BASE32!", sign(CLAIMS, KEY).lower(), sign(CLAIMS, KEY) + "="):
        outcome = verify(token, keys(), NOW)
        assert outcome.result is VerifyResult.MALFORMED
        assert [p.code for p in outcome.problems] == ["base32_invalid"]


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9])
def test_truncated_token(keep: float) -> None:
    raw = base64.b32decode(sign(CLAIMS, KEY) + "=" * (-len(sign(CLAIMS, KEY)) % 8))
    outcome = verify(b32(raw[: int(len(raw) * keep)]), keys(), NOW)
    assert outcome.result is VerifyResult.MALFORMED


def test_wrong_cbor() -> None:
    for raw in (
        b"\xff\xff\xff",
        b"\x1c",
        cbor2.dumps([1, 2, 3]),
        cbor2.dumps(cbor2.CBORTag(17, [b"", {}, b"", b""])),
    ):
        assert verify(b32(raw), keys(), NOW).result is VerifyResult.MALFORMED


def test_trailing_bytes_are_refused() -> None:
    raw = base64.b32decode(sign(CLAIMS, KEY) + "=" * (-len(sign(CLAIMS, KEY)) % 8))
    outcome = verify(b32(raw + b"\x00"), keys(), NOW)
    assert outcome.result is VerifyResult.MALFORMED


def test_wrong_algorithm() -> None:
    token = craft({1: -7, 4: KID}, encode_claims(CLAIMS))
    outcome = verify(token, keys(), NOW)
    assert outcome.result is VerifyResult.INVALID_SIGNATURE
    assert outcome.alg == -7
    assert [p.code for p in outcome.problems] == ["algorithm_not_allowed"]


def test_unknown_kid() -> None:
    outcome = verify(sign(CLAIMS, OTHER), keys(), NOW)
    assert (outcome.result, outcome.kid) == (VerifyResult.UNKNOWN_KEY, kid_for(OTHER).hex())


def test_wrong_algorithm_and_unknown_kid_are_both_reported() -> None:
    outcome = verify(craft({1: -7, 4: b"\x00" * 8}, encode_claims(CLAIMS)), keys(), NOW)
    assert outcome.result is VerifyResult.UNKNOWN_KEY
    assert [p.code for p in outcome.problems] == ["algorithm_not_allowed", "key_unknown"]


def test_kid_of_wrong_length_is_malformed() -> None:
    assert verify(craft({1: -8, 4: KID[:4]}, encode_claims(CLAIMS)), keys(), NOW).result is VerifyResult.MALFORMED


def test_signature_by_another_key_under_our_kid() -> None:
    outcome = verify(craft({1: -8, 4: KID}, encode_claims(CLAIMS), key=OTHER), keys(), NOW)
    assert outcome.result is VerifyResult.INVALID_SIGNATURE
    assert [p.code for p in outcome.problems] == ["signature_invalid"]


def test_before_issue_date() -> None:
    outcome = verify(sign(replace(CLAIMS, issue_date=date(2026, 12, 1)), KEY), keys(), NOW)
    assert outcome.result is VerifyResult.MALFORMED
    assert [p.code for p in outcome.problems] == ["issued_in_future"]
    # One day ahead is tolerated: the issue date is a Beijing date, `now` a UTC clock.
    assert verify(sign(replace(CLAIMS, issue_date=date(2026, 11, 22)), KEY), keys(), NOW).result is VerifyResult.VALID


def test_unknown_version() -> None:
    outcome = verify(craft({1: -8, 4: KID}, {**encode_claims(CLAIMS), 0: 2}), keys(), NOW)
    assert outcome.result is VerifyResult.UNSUPPORTED_VERSION
    assert outcome.problems[0].params == {"version": "2", "supported": "1"}


def test_signed_payload_with_bad_fields_lists_every_field() -> None:
    payload = {**encode_claims(CLAIMS), 3: 1234, 5: 9, 8: -1}
    outcome = verify(craft({1: -8, 4: KID}, payload), keys(), NOW)
    assert outcome.result is VerifyResult.MALFORMED
    assert {p.params["field"] for p in outcome.problems} == {"id_last4", "level_ordinal", "status_index"}
    messages = [p.message("zh_CN") for p in outcome.problems]
    assert "二维码数据中的等级缺失或不是1–8的等级序号。" in messages


def _raw_token() -> bytes:
    token = sign(CLAIMS, KEY)
    return base64.b32decode(token + "=" * (-len(token) % 8))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_one_flipped_bit_anywhere_is_never_valid(data: st.DataObject) -> None:
    raw = bytearray(_raw_token())
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    outcome = verify(b32(bytes(raw)), keys(), NOW)
    assert outcome.result in {
        VerifyResult.MALFORMED,
        VerifyResult.INVALID_SIGNATURE,
        VerifyResult.UNKNOWN_KEY,
        VerifyResult.UNSUPPORTED_VERSION,
    }


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_one_changed_character_is_never_valid(data: st.DataObject) -> None:
    token = sign(CLAIMS, KEY)
    at = data.draw(st.integers(0, len(token) - 1))
    char = data.draw(st.sampled_from(string.ascii_uppercase + "234567").filter(lambda c: c != token[at]))
    assert verify(token[:at] + char + token[at + 1 :], keys(), NOW).result is not VerifyResult.VALID


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_arbitrary_input_yields_a_result_never_an_exception(junk: bytes | str) -> None:
    token = b32(junk) if isinstance(junk, bytes) else junk
    assert verify(token, keys(), NOW).result is not VerifyResult.VALID


@given(
    st.recursive(
        st.integers() | st.binary() | st.text(),
        lambda kids: st.lists(kids) | st.dictionaries(st.integers(0, 9), kids),
    )
)
def test_any_signed_cbor_payload_yields_a_result(payload: object) -> None:
    outcome = verify(craft({1: -8, 4: KID}, payload), keys(), NOW)
    assert outcome.result in set(VerifyResult)


@given(
    st.from_regex(r"[SY][0-9]{21}", fullmatch=True) | st.from_regex(r"[A-Z]{2}[0-9]{20}", fullmatch=True),
)
def test_number_packing_round_trips_in_at_most_10_bytes(number: str) -> None:
    packed = pack_number(number)
    assert isinstance(packed, bytes) and len(packed) <= 10
    assert unpack_number(packed) == number


def test_names_in_chinese_round_trip_through_gb18030() -> None:
    for name in ("阿卜杜热合曼·买买提艾力", "John Smith", "𠀀堃"):
        outcome = verify(sign(replace(CLAIMS, holder_name=name), KEY), keys(), NOW)
        assert outcome.payload is not None and outcome.payload.holder_name == name


def test_unencodable_claims_are_refused_with_every_field() -> None:
    bad = replace(CLAIMS, id_last4="12", level_ordinal=0, status_index=-1)
    with pytest.raises(ClaimsError) as caught:
        sign(bad, KEY)
    assert set(caught.value.fields) == {"id_last4", "level_ordinal", "status_index"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_problem_code_has_both_languages_and_renders() -> None:
    for code, (en, zh) in _TEMPLATES.items():
        assert CJK.search(zh) and not CJK.search(en), code
        assert {f.removesuffix("_zh") for f in _fields(zh)} == {f.removesuffix("_en") for f in _fields(en)}, code
        params = dict.fromkeys(_fields(en) | _fields(zh), "X")
        assert en.format(**params) and zh.format(**params)


def test_signed_payload_that_is_not_a_map_is_malformed() -> None:
    outcome = verify(craft({1: -8, 4: KID}, [1, "张三"]), keys(), NOW)
    assert outcome.result is VerifyResult.MALFORMED
    assert outcome.problems[0].message("zh_CN") == "二维码数据中的数据主体不是映射结构。"
