"""The verification QR code: URL budget, version ≤ 13 at level Q, print size, quiet zone, real decoding."""

from __future__ import annotations

import io
from datetime import date

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from certify.certificates.qr import (
    QrError,
    QrPolicy,
    box_size_for_print,
    make_qr_png,
    modules_across,
    printed_size_mm,
    qr_matrix_version,
    verify_url,
)
from certify.certificates.tokens import CertificateClaims, KeyInfo, VerifyResult, sign, verify
from certify.certificates.tokens_keys import kid_for

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
#: a host as long as the budget allows (22 characters) with every other field at its worst case
HOST = "zs.osta.example.org.cn"
WORST = CertificateClaims(
    number="YZ99999999999999999999",  # special-grade layout packs largest
    holder_name="阿卜杜热合曼·买买提艾力阿卜杜拉艾则孜江",  # 20 characters, an ethnic-minority full name
    id_last4="999X",
    occupation_code="4-13-03-02-01-L9",  # 16 characters: code, direction and marker
    level_ordinal=8,
    issue_date=date(2099, 12, 31),
    issuer=2**32 - 1,
    status_index=2**32 - 1,
)


def decode(png: bytes) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0]


def test_worst_case_url_fits_330_characters_and_version_13_at_level_q() -> None:
    assert len(WORST.holder_name) == 20
    url = verify_url(HOST, sign(WORST, KEY))
    assert url.startswith(f"https://{HOST}/c/")
    assert len(url) <= 330
    assert qr_matrix_version(url) <= 13


def test_worst_case_png_decodes_with_a_real_reader_and_verifies() -> None:
    url = verify_url(HOST, sign(WORST, KEY))
    barcode = decode(make_qr_png(url))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == url
    assert barcode.ec_level == "Q"
    assert int(barcode.extra["Version"]) <= 13
    # What the phone reads is what the public page verifies.
    token = barcode.text.rsplit("/c/", 1)[1]
    outcome = verify(token, {kid_for(KEY): KeyInfo(KEY.public_key())}, date(2099, 12, 31))
    assert outcome.result is VerifyResult.VALID and outcome.payload == WORST


def test_png_prints_at_least_30_mm_with_a_4_module_quiet_zone() -> None:
    url = verify_url("verify.example.cn", "ABCDEFGH234567")
    version = qr_matrix_version(url)
    png = make_qr_png(url)
    image = Image.open(io.BytesIO(png)).convert("L")
    box = box_size_for_print(version)
    side = modules_across(version)
    assert image.size == ((side + 8) * box,) * 2
    dpi = image.info["dpi"][0]
    assert round(dpi) == 300
    assert printed_size_mm(version, box, round(dpi)) >= 30
    quiet = 4 * box
    pixels = image.load()
    border = [pixels[x, y] for x in range(image.size[0]) for y in range(quiet)]
    border += [pixels[x, y] for x in range(quiet) for y in range(image.size[1])]
    assert min(border) == 255  # the quiet zone is white all round the top and left
    assert pixels[quiet, quiet] == 0  # the finder pattern starts right after it


def test_explicit_box_size_is_honoured() -> None:
    url = verify_url("verify.example.cn", "ABC")
    image = Image.open(io.BytesIO(make_qr_png(url, box_size=3)))
    assert image.size[0] == (modules_across(qr_matrix_version(url)) + 8) * 3


@pytest.mark.parametrize("host", ["https://verify.example.cn", "verify.example.cn/c", "a b.cn", "", "-bad.cn"])
def test_verify_url_refuses_anything_but_a_bare_host(host: str) -> None:
    with pytest.raises(QrError):
        verify_url(host, "ABC")


@pytest.mark.parametrize("token", ["abc", "AB=", "AB1", ""])
def test_verify_url_refuses_tokens_that_are_not_upper_case_base32(token: str) -> None:
    with pytest.raises(QrError):
        verify_url("verify.example.cn", token)


def test_url_over_budget_is_refused() -> None:
    with pytest.raises(QrError, match="331"):
        verify_url("verify.example.cn", "A" * (331 - len("https://verify.example.cn/c/")))
    assert verify_url("v.cn:8443", "A" * 10, policy=QrPolicy(max_url_length=40)).startswith("https://v.cn:8443/c/")


def test_png_over_the_version_budget_is_refused() -> None:
    url = "https://verify.example.cn/c/" + "A" * 500
    with pytest.raises(QrError, match="version"):
        make_qr_png(url)
