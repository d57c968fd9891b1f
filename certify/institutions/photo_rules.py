"""The certificate photo rule (pure, Pillow): portrait ratio, minimum pixel size, plain light background.

A certificate prints a 1-inch photo (25 × 35 mm, width / height ≈ 0.714). The background is judged on the
border strip a portrait leaves free of the person: the top strip and the upper part of the left and right strips
(the shoulders reach the bottom edge, so the bottom and the lower sides are never sampled). On those pixels:

- lightness = mean luma (ITU-R BT.601, 0 = black … 255 = white) must reach `min_lightness` (default 190: white,
  light grey and light blue backgrounds pass; the dark blue or red of other ID photos does not);
- colour spread = the largest standard deviation of the R, G and B values must stay within `max_colour_spread`
  (default 24: JPEG noise and soft studio shading stay well below; a room, a pattern or a half-dark wall does not).

Every number is a field of `PhotoRule`, configurable per deployment (CERTIFICATE_PHOTO_RULE in the app config).
Every problem names what was measured and what is required.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageStat, UnidentifiedImageError

from certify.core.errors import Problem


@dataclass(frozen=True)
class PhotoRule:
    """The numbers of the certificate photo rule (defaults: a 1-inch photo at 300 dpi)."""

    #: width / height of the printed photo (25 × 35 mm)
    ratio: float = 25 / 35
    #: accepted deviation of width / height from `ratio`, either way (0.05 admits 33 × 48 mm and 295 × 413 px)
    ratio_tolerance: float = 0.05
    min_width: int = 295
    min_height: int = 413
    #: width of the sampled border strip as a fraction of the photo's shorter side
    border_fraction: float = 0.06
    #: how far down the left and right strips are sampled, as a fraction of the height (above the shoulders)
    side_depth: float = 0.55
    #: minimum mean luma (0–255) of the border strip
    min_lightness: float = 190.0
    #: maximum standard deviation (0–255) of any colour channel over the border strip
    max_colour_spread: float = 24.0
    #: images beyond this many pixels are refused before decoding (decompression bombs)
    max_pixels: int = 40_000_000


@dataclass(frozen=True)
class BackgroundMeasure:
    """What the border strip measured."""

    lightness: float
    colour_spread: float


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent areas are shown on white, as a page shows them."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def border_boxes(width: int, height: int, rule: PhotoRule) -> list[tuple[int, int, int, int]]:
    """The sampled strips (left, top, right, bottom): the top strip, then the upper left and right strips."""
    strip = max(1, round(min(width, height) * rule.border_fraction))
    depth = max(strip + 1, round(height * rule.side_depth))
    return [
        (0, 0, width, strip),
        (0, strip, strip, depth),
        (width - strip, strip, width, depth),
    ]


def measure_background(image: Image.Image, rule: PhotoRule) -> BackgroundMeasure:
    """Mean luma and largest channel standard deviation over the border strips, pooled."""
    rgb = _flatten(image)
    count, sums, squares = 0, [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
    for box in border_boxes(*rgb.size, rule):
        stat = ImageStat.Stat(rgb.crop(box))
        count += stat.count[0]
        for band in range(3):
            sums[band] += stat.sum[band]
            squares[band] += stat.sum2[band]
    means = [s / count for s in sums]
    spreads = [math.sqrt(max(sq / count - m * m, 0.0)) for sq, m in zip(squares, means, strict=True)]
    lightness = 0.299 * means[0] + 0.587 * means[1] + 0.114 * means[2]
    return BackgroundMeasure(round(lightness, 1), round(max(spreads), 1))


def check_certificate_photo(image: Image.Image, rule: PhotoRule | None = None, field: str = "photo") -> list[Problem]:
    """Every way a decoded photo breaks the certificate photo rule, each with the measured and required numbers."""
    rule = rule or PhotoRule()
    width, height = image.size
    problems: list[Problem] = []
    if width < rule.min_width or height < rule.min_height:
        problems.append(
            Problem(
                "register_photo_too_small",
                field,
                {"width": width, "height": height, "min_width": rule.min_width, "min_height": rule.min_height},
            )
        )
    ratio = width / height if height else 0.0
    if abs(ratio - rule.ratio) > rule.ratio_tolerance:
        problems.append(
            Problem(
                "register_photo_ratio",
                field,
                {
                    "width": width,
                    "height": height,
                    "ratio": f"{ratio:.3f}",
                    "low": f"{rule.ratio - rule.ratio_tolerance:.3f}",
                    "high": f"{rule.ratio + rule.ratio_tolerance:.3f}",
                },
            )
        )
    measure = measure_background(image, rule)
    if measure.lightness < rule.min_lightness:
        problems.append(
            Problem(
                "register_photo_background_dark",
                field,
                {"lightness": f"{measure.lightness:.0f}", "min_lightness": f"{rule.min_lightness:.0f}"},
            )
        )
    if measure.colour_spread > rule.max_colour_spread:
        problems.append(
            Problem(
                "register_photo_background_busy",
                field,
                {"spread": f"{measure.colour_spread:.0f}", "max_spread": f"{rule.max_colour_spread:.0f}"},
            )
        )
    return problems


def check_photo_bytes(data: bytes, rule: PhotoRule | None = None, field: str = "photo") -> list[Problem]:
    """The rule applied to uploaded bytes; anything Pillow cannot decode is one `register_photo_unreadable`."""
    rule = rule or PhotoRule()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.size[0] * image.size[1] > rule.max_pixels:
                    return [Problem("register_photo_unreadable", field)]
                image.load()
                return check_certificate_photo(image, rule, field)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        return [Problem("register_photo_unreadable", field)]
