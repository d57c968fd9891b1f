"""Ed25519 signing keys for certificate QR tokens: generation, 8-byte key ids, JWK (OKP) export and import."""

from __future__ import annotations

import base64
import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

KID_LENGTH = 8


class KeyStatus(enum.StrEnum):
    """Where a signing key is in its life: active signs, retired still verifies, compromised is distrusted."""

    ACTIVE = "active"
    RETIRED = "retired"
    COMPROMISED = "compromised"


@dataclass(frozen=True)
class KeyInfo:
    """A verification key as the app stores it, passed to `verify` keyed by kid."""

    public_key: Ed25519PublicKey
    status: KeyStatus = KeyStatus.ACTIVE


class JwkError(ValueError):
    """A JWK is not an Ed25519 OKP key this module accepts."""


def raw_public_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def kid_for(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 8-byte key id: the first 8 bytes of SHA-256 over the raw public key."""
    return hashlib.sha256(raw_public_bytes(key)).digest()[:KID_LENGTH]


def generate_key() -> tuple[Ed25519PrivateKey, bytes]:
    """A fresh Ed25519 private key and its kid."""
    key = Ed25519PrivateKey.generate()
    return key, kid_for(key)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str, name: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise JwkError(f"JWK member {name!r} is not base64url") from exc


def export_jwk(key: Ed25519PublicKey | Ed25519PrivateKey, *, include_private: bool = False) -> dict[str, str]:
    """The key as an OKP JWK (RFC 8037) with kid (base64url of the 8-byte id), alg EdDSA and use sig."""
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(raw_public_bytes(key)),
        "kid": _b64url(kid_for(key)),
        "alg": "EdDSA",
        "use": "sig",
    }
    if include_private:
        if not isinstance(key, Ed25519PrivateKey):
            raise JwkError("a public key has no private part to export")
        jwk["d"] = _b64url(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    return jwk


def import_jwk(jwk: Mapping[str, Any]) -> tuple[Ed25519PublicKey | Ed25519PrivateKey, bytes]:
    """A key and its kid from an OKP Ed25519 JWK; a private key when "d" is present. Raises JwkError."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise JwkError("only OKP keys on curve Ed25519 are accepted")
    if jwk.get("alg") not in (None, "EdDSA"):
        raise JwkError(f"alg {jwk.get('alg')!r} is not EdDSA")
    x = _unb64url(str(jwk.get("x", "")), "x")
    if len(x) != 32:
        raise JwkError("member 'x' must hold 32 bytes")
    key: Ed25519PublicKey | Ed25519PrivateKey
    if "d" in jwk:
        d = _unb64url(str(jwk["d"]), "d")
        if len(d) != 32:
            raise JwkError("member 'd' must hold 32 bytes")
        key = Ed25519PrivateKey.from_private_bytes(d)
        if raw_public_bytes(key) != x:
            raise JwkError("members 'd' and 'x' belong to different keys")
    else:
        key = Ed25519PublicKey.from_public_bytes(x)
    kid = kid_for(key)
    if "kid" in jwk and _unb64url(str(jwk["kid"]), "kid") != kid:
        raise JwkError("member 'kid' does not match the key (first 8 bytes of SHA-256 of x)")
    return key, kid
