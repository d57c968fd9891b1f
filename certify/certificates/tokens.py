"""Signed QR tokens: a COSE_Sign1 (RFC 9052) over the CBOR claims, Ed25519, Base32 for QR alphanumeric mode.

Token = Base32 (RFC 4648, upper case, no padding) of the tagged COSE_Sign1 structure::

    18([ protected: bstr .cbor {1: -8 (EdDSA), 4: kid (8 bytes)},
         unprotected: {},
         payload: bstr .cbor claims map (see tokens_codec),
         signature: bstr (64 bytes) ])

signed over Sig_structure ["Signature1", protected, b"", payload]. Built on `cbor2` and `cryptography`
directly: the structure is four fields, and owning it keeps decoding strict (no trailing bytes, canonical
Base32), which a generic COSE library does not promise. `verify` never raises: every input gets an outcome.
"""

from __future__ import annotations

import base64
import binascii
import enum
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certify.certificates.tokens_codec import (
    K_VERSION,
    SUPPORTED_VERSIONS,
    CertificateClaims,
    ClaimsError,
    decode_claims,
    encode_claims,
)
from certify.certificates.tokens_keys import KID_LENGTH, KeyInfo, KeyStatus, kid_for

COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
HEADER_ALG = 1
HEADER_KID = 4


class VerifyResult(enum.StrEnum):
    """What a verifier is told about a scanned token."""

    VALID = "valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_KEY = "unknown_key"
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"


class CertificateStatus(enum.StrEnum):
    """The registry's status of a certificate, looked up by the app."""

    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class CertificateState:
    """The registry record's status as the app passes it back through `status_of`."""

    status: CertificateStatus
    since: date | None = None
    reason: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True)
class TokenPolicy:
    """Tolerances of verification."""

    #: the issue date may lie this far ahead of `now` (Beijing date vs UTC clock, signing-server skew)
    clock_skew: timedelta = timedelta(days=1)


_TEMPLATES: dict[str, tuple[str, str]] = {
    "token_empty": ("The code holds no token.", "二维码中没有证书验证数据。"),
    "base32_invalid": ("The token is not valid Base32 text.", "二维码数据不是有效的Base32编码。"),
    "cbor_invalid": ("The token's data cannot be read ({detail}).", "二维码数据无法解析（{detail}）。"),
    "structure_invalid": (
        "The token is not a COSE_Sign1 signed message ({detail}).",
        "二维码数据不是COSE_Sign1签名结构（{detail}）。",
    ),
    "algorithm_not_allowed": (
        "The token uses algorithm {alg}; only EdDSA (-8) is accepted.",
        "二维码数据使用的签名算法为{alg}，仅接受EdDSA（-8）。",
    ),
    "kid_invalid": (
        "The token's key id is missing or not 8 bytes.",
        "二维码数据中的密钥标识缺失或长度不是8字节。",
    ),
    "key_unknown": ("No signing key {kid} is known to this registry.", "本系统不存在标识为{kid}的签名密钥。"),
    "signature_invalid": (
        "The signature does not match: the token was altered or not issued here.",
        "签名校验失败：二维码数据被篡改或并非本系统签发。",
    ),
    "key_compromised": (
        "Key {kid} that signed this certificate has been compromised: re-issue required.",
        "签发本证书的密钥{kid}已泄露停用，需重新签发证书。",
    ),
    "version_unsupported": (
        "Token version {version} is not supported (supported: {supported}).",
        "不支持的二维码数据版本{version}（支持的版本：{supported}）。",
    ),
    "claim_invalid": (
        "Field {field} of the token {detail_en}.",
        "二维码数据中的{field_zh}{detail_zh}。",
    ),
    "issued_in_future": (
        "The issue date {issue_date} lies after today ({today}).",
        "发证日期{issue_date}晚于今天（{today}）。",
    ),
    "status_unknown": (
        "The registry holds no record of certificate {number}.",
        "证书库中没有编号为{number}的证书记录。",
    ),
    "certificate_revoked": (
        "The certificate was revoked on {since}: {reason}.",
        "证书已于{since}撤销：{reason}。",
    ),
    "certificate_suspended": (
        "The certificate is suspended since {since}: {reason}.",
        "证书自{since}起暂停使用：{reason}。",
    ),
    "certificate_expired": ("The certificate expired on {since}.", "证书已于{since}失效。"),
    "certificate_superseded": (
        "The certificate was replaced on {since} by {superseded_by}.",
        "证书已于{since}被编号为{superseded_by}的证书取代。",
    ),
}


#: detail codes of `decode_claims`, worded for the claim_invalid message
_CLAIM_DETAILS: dict[str, tuple[str, str]] = {
    "not_map": ("is not a map", "不是映射结构"),
    "not_number": ("is not a certificate number", "不是有效的证书编号"),
    "not_gb18030": ("is not GB 18030 text", "不是有效的GB 18030编码文本"),
    "not_text": ("is missing or not text", "缺失或不是文本"),
    "not_level": ("is missing or not a level 1–8", "缺失或不是1–8的等级序号"),
    "not_day_count": ("is missing or not a day count", "缺失或不是有效的日期天数"),
    "not_uint": ("is missing or not a whole number ≥ 0", "缺失或不是非负整数"),
}


_FIELD_ZH = {
    "payload": "数据主体",
    "number": "证书编号",
    "holder_name": "姓名",
    "id_last4": "证件号码后四位",
    "occupation_code": "职业编码",
    "level_ordinal": "等级",
    "issue_date": "发证日期",
    "issuer": "发证机构",
    "status_index": "状态索引",
}


def _claim_problem(field_name: str, detail: str) -> TokenProblem:
    en, zh = _CLAIM_DETAILS[detail]
    field_zh = _FIELD_ZH.get(field_name, field_name)
    params = {"field": field_name, "field_zh": field_zh, "detail": detail, "detail_en": en, "detail_zh": zh}
    return TokenProblem("claim_invalid", f"payload.{field_name}", params)


@dataclass(frozen=True)
class TokenProblem:
    """One reason a token is not plainly valid."""

    code: str
    where: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str = "en") -> str:
        """The problem rendered in English ("en") or Simplified Chinese ("zh…")."""
        en, zh = _TEMPLATES[self.code]
        return (zh if str(locale).startswith("zh") else en).format(**self.params)


@dataclass(frozen=True)
class VerifyOutcome:
    """Everything a verification found: the result, the key used, the claims and every problem."""

    result: VerifyResult
    alg: int | None = None
    kid: str | None = None  #: hex of the 8-byte key id
    key_status: KeyStatus | None = None
    payload: CertificateClaims | None = None
    problems: tuple[TokenProblem, ...] = ()
    reissue_required: bool = False
    state: CertificateState | None = None


def _b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _b32decode(text: str) -> bytes | None:
    """Strict Base32: upper case only, no padding, and the re-encoding must give back the same text."""
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    return raw if _b32encode(raw) == text else None


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(claims: CertificateClaims, private_key: Ed25519PrivateKey, kid: bytes | None = None) -> str:
    """The Base32 token for `claims`, signed with `private_key`; raises ClaimsError on unencodable claims."""
    kid = kid_for(private_key) if kid is None else kid
    if len(kid) != KID_LENGTH:
        raise ValueError(f"kid must be {KID_LENGTH} bytes")
    protected = cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: kid})
    payload = cbor2.dumps(encode_claims(claims))
    signature = private_key.sign(_sig_structure(protected, payload))
    return _b32encode(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature])))


def _loads_exact(data: bytes) -> Any:
    """CBOR decode that refuses trailing bytes; raises on anything wrong."""
    stream = io.BytesIO(data)
    value = cbor2.CBORDecoder(stream).decode()
    if stream.tell() != len(data):
        raise ValueError(f"{len(data) - stream.tell()} trailing bytes")
    return value


def _fail(result: VerifyResult, *problems: TokenProblem, **extra: Any) -> VerifyOutcome:
    return VerifyOutcome(result=result, problems=tuple(problems), **extra)


def _unwrap(token: str) -> tuple[list[Any] | tuple[Any, ...] | None, TokenProblem | None]:
    """The four COSE_Sign1 fields, or the problem that stops decoding."""
    text = (token or "").strip()
    if not text:
        return None, TokenProblem("token_empty", "token")
    raw = _b32decode(text)
    if raw is None:
        return None, TokenProblem("base32_invalid", "token")
    try:
        message = _loads_exact(raw)
    except Exception as exc:  # cbor2 raises many types on hostile input; any of them means malformed
        return None, TokenProblem("cbor_invalid", "token", {"detail": type(exc).__name__})
    if not (isinstance(message, cbor2.CBORTag) and message.tag == COSE_SIGN1_TAG):
        return None, TokenProblem("structure_invalid", "token", {"detail": "not tag 18"})
    fields = message.value
    shapes = (bytes, Mapping, bytes, bytes)
    if not (isinstance(fields, list | tuple) and len(fields) == 4 and all(map(isinstance, fields, shapes))):
        return None, TokenProblem("structure_invalid", "token", {"detail": "not [bstr, map, bstr, bstr]"})
    return fields, None


def _status_problem(state: CertificateState) -> tuple[VerifyResult, TokenProblem | None]:
    if state.status is CertificateStatus.ACTIVE:
        return VerifyResult.VALID, None
    params = {"since": str(state.since or "?"), "reason": state.reason or "—", "superseded_by": "—"}
    if state.superseded_by:
        params["superseded_by"] = state.superseded_by
    return VerifyResult(state.status.value), TokenProblem(f"certificate_{state.status.value}", "status", params)


def verify(
    token: str,
    keys: Mapping[bytes, KeyInfo],
    now: datetime | date,
    *,
    status_of: Callable[[CertificateClaims], CertificateState | None] | None = None,
    policy: TokenPolicy | None = None,
) -> VerifyOutcome:
    """Check a token's structure, key, signature, version, claims and registry status; never raises."""
    policy = policy or TokenPolicy()
    fields, problem = _unwrap(token)
    if fields is None:
        return _fail(VerifyResult.MALFORMED, problem)  # type: ignore[arg-type]
    protected_raw, _unprotected, payload_raw, signature = fields
    try:
        header = _loads_exact(protected_raw) if protected_raw else {}
    except Exception as exc:  # see _unwrap
        return _fail(VerifyResult.MALFORMED, TokenProblem("cbor_invalid", "protected", {"detail": type(exc).__name__}))
    if not isinstance(header, Mapping):
        return _fail(VerifyResult.MALFORMED, TokenProblem("structure_invalid", "protected", {"detail": "not a map"}))
    alg, kid = header.get(HEADER_ALG), header.get(HEADER_KID)
    alg = alg if isinstance(alg, int) and not isinstance(alg, bool) else None
    kid_hex = kid.hex() if isinstance(kid, bytes) else None
    found: list[TokenProblem] = []
    if alg != ALG_EDDSA:
        found.append(TokenProblem("algorithm_not_allowed", "protected.alg", {"alg": str(header.get(HEADER_ALG))}))
    if not (isinstance(kid, bytes) and len(kid) == KID_LENGTH):
        found.append(TokenProblem("kid_invalid", "protected.kid"))
        return _fail(VerifyResult.MALFORMED, *found, alg=alg, kid=kid_hex)
    info = keys.get(kid)
    if info is None:
        found.append(TokenProblem("key_unknown", "protected.kid", {"kid": kid_hex}))
        return _fail(VerifyResult.UNKNOWN_KEY, *found, alg=alg, kid=kid_hex)
    seen = {"alg": alg, "kid": kid_hex, "key_status": info.status}
    if alg != ALG_EDDSA:
        return _fail(VerifyResult.INVALID_SIGNATURE, *found, **seen)
    try:
        info.public_key.verify(signature, _sig_structure(protected_raw, payload_raw))
    except InvalidSignature:
        return _fail(VerifyResult.INVALID_SIGNATURE, TokenProblem("signature_invalid", "signature"), **seen)
    try:
        body = _loads_exact(payload_raw)
    except Exception as exc:  # a validly signed but unreadable payload: our own bug or an old format
        return _fail(VerifyResult.MALFORMED, TokenProblem("cbor_invalid", "payload", {"detail": type(exc).__name__}))
    if not isinstance(body, Mapping):
        return _fail(VerifyResult.MALFORMED, _claim_problem("payload", "not_map"), **seen)
    version = body.get(K_VERSION)
    if not (type(version) is int and version in SUPPORTED_VERSIONS):
        supported = ", ".join(map(str, sorted(SUPPORTED_VERSIONS)))
        params = {"version": str(version), "supported": supported}
        return _fail(VerifyResult.UNSUPPORTED_VERSION, TokenProblem("version_unsupported", "payload.0", params), **seen)
    claims, bad = decode_claims(body)
    if claims is None:
        found = [_claim_problem(k, v) for k, v in bad.items()]
        return _fail(VerifyResult.MALFORMED, *found, **seen)
    today = now.date() if isinstance(now, datetime) else now
    if claims.issue_date > today + policy.clock_skew:
        params = {"issue_date": claims.issue_date.isoformat(), "today": today.isoformat()}
        return _fail(
            VerifyResult.MALFORMED,
            TokenProblem("issued_in_future", "payload.6", params),
            **seen,
            payload=claims,
        )
    if info.status is KeyStatus.COMPROMISED:
        problem = TokenProblem("key_compromised", "protected.kid", {"kid": kid_hex})
        return _fail(VerifyResult.INVALID_SIGNATURE, problem, **seen, payload=claims, reissue_required=True)
    state = status_of(claims) if status_of else None
    if status_of is not None and state is None:
        problem = TokenProblem("status_unknown", "status", {"number": claims.number})
        return _fail(VerifyResult.VALID, problem, **seen, payload=claims)
    result, status_problem = _status_problem(state) if state else (VerifyResult.VALID, None)
    problems = (status_problem,) if status_problem else ()
    return VerifyOutcome(result, payload=claims, problems=problems, state=state, **seen)


__all__ = [
    "ALG_EDDSA",
    "COSE_SIGN1_TAG",
    "CertificateClaims",
    "CertificateState",
    "CertificateStatus",
    "ClaimsError",
    "KeyInfo",
    "KeyStatus",
    "TokenPolicy",
    "TokenProblem",
    "VerifyOutcome",
    "VerifyResult",
    "sign",
    "verify",
]
