"""Ed25519 keys as OKP JWKs with 8-byte kids: export, import, and refusal of anything else."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from certify.certificates.tokens import CertificateClaims, KeyInfo, KeyStatus, VerifyResult, sign, verify
from certify.certificates.tokens_keys import JwkError, export_jwk, generate_key, import_jwk, kid_for

CLAIMS = CertificateClaims("Y012344000042275000001", "李四", "0017", "4-13-03-02", 2, date(2026, 1, 5), 7, 0)


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_generated_keys_differ_and_kid_has_8_bytes() -> None:
    (a, kid_a), (_b, kid_b) = generate_key(), generate_key()
    assert len(kid_a) == 8 and kid_a == kid_for(a)
    assert kid_a != kid_b


def test_public_jwk_is_rfc8037_okp_without_private_part() -> None:
    key, kid = generate_key()
    jwk = export_jwk(key.public_key())
    assert {k: jwk[k] for k in ("kty", "crv", "alg", "use")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
    }
    assert "d" not in jwk
    assert b64url_decode(jwk["kid"]) == kid
    assert len(b64url_decode(jwk["x"])) == 32
    assert "=" not in json.dumps(jwk)


def test_public_jwk_round_trip_verifies_tokens_signed_by_the_private_key() -> None:
    key, kid = generate_key()
    public, imported_kid = import_jwk(json.loads(json.dumps(export_jwk(key))))
    assert isinstance(public, Ed25519PublicKey) and imported_kid == kid
    outcome = verify(sign(CLAIMS, key), {kid: KeyInfo(public, KeyStatus.RETIRED)}, date(2026, 2, 1))
    assert (outcome.result, outcome.key_status) == (VerifyResult.VALID, KeyStatus.RETIRED)


def test_private_jwk_round_trip_signs_the_same() -> None:
    key, kid = generate_key()
    private, imported_kid = import_jwk(export_jwk(key, include_private=True))
    assert isinstance(private, Ed25519PrivateKey) and imported_kid == kid
    outcome = verify(sign(CLAIMS, private), {kid: KeyInfo(key.public_key())}, date(2026, 2, 1))
    assert outcome.result is VerifyResult.VALID


def test_public_key_cannot_export_a_private_part() -> None:
    key, _ = generate_key()
    with pytest.raises(JwkError):
        export_jwk(key.public_key(), include_private=True)


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "EC"},
        {"crv": "X25519"},
        {"alg": "ES256"},
        {"x": "AAAA"},
        {"x": "!!not base64!!"},
        {"kid": base64.urlsafe_b64encode(b"\x00" * 8).decode().rstrip("=")},
        {"d": base64.urlsafe_b64encode(b"\x01" * 32).decode().rstrip("=")},
    ],
)
def test_import_refuses_foreign_or_inconsistent_keys(change: dict[str, str]) -> None:
    key, _ = generate_key()
    with pytest.raises(JwkError):
        import_jwk({**export_jwk(key), **change})
