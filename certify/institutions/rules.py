"""Pure format rules for bodies, sites, occupations and photos."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from certify.core.errors import Problem
from certify.institutions.identity import PROVINCE_CODES

OCCUPATION_CODE = re.compile(r"\d-\d{2}-\d{2}-\d{2}(-\d{2})?")
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def body_problems(code: str, province_code: str) -> list[Problem]:
    """Format problems of a body's code and province code."""
    problems = []
    if not re.fullmatch(r"\d{4}", code or ""):
        problems.append(Problem("body_code_format", "code"))
    if province_code not in PROVINCE_CODES:
        problems.append(Problem("province_code_format", "province_code"))
    return problems


def site_serial_problems(serial: str) -> list[Problem]:
    return [] if re.fullmatch(r"\d{6}", serial or "") else [Problem("site_serial_format", "serial")]


def occupation_code_problems(code: str) -> list[Problem]:
    return [] if OCCUPATION_CODE.fullmatch(code or "") else [Problem("occupation_code_format", "code")]


@dataclass(frozen=True)
class CheckedPhoto:
    content_type: str
    width: int
    height: int


def check_photo(
    data: bytes, *, max_bytes: int, min_size: tuple[int, int], field: str = "photo"
) -> tuple[CheckedPhoto | None, list[Problem]]:
    """Check an uploaded photo by its content: a real JPEG/PNG, within size limits, portrait."""
    if len(data) > max_bytes:
        return None, [Problem("photo_too_large", field, {"max_kb": max_bytes // 1024})]
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            fmt, (width, height) = img.format, img.size
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None, [Problem("photo_not_image", field)]
    if fmt not in PHOTO_FORMATS:
        return None, [Problem("photo_not_image", field)]
    problems = []
    min_w, min_h = min_size
    if width < min_w or height < min_h:
        problems.append(Problem("photo_too_small", field, {"min_w": min_w, "min_h": min_h, "w": width, "h": height}))
    if height <= width:
        problems.append(Problem("photo_not_portrait", field))
    return (None if problems else CheckedPhoto(PHOTO_FORMATS[fmt], width, height)), problems
