"""The certificate photo rule on generated images: what passes, what fails, with the right codes and numbers."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from certify.core.demo import demo_photo
from certify.institutions.photo_rules import (
    PhotoRule,
    border_boxes,
    check_certificate_photo,
    check_photo_bytes,
    measure_background,
)

LIGHT = (238, 242, 246)


def portrait(size=(330, 450), background=LIGHT) -> Image.Image:
    """A head-and-shoulders silhouette on a background; the shoulders reach the bottom edge, as in real photos."""
    width, height = size
    img = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(img)
    draw.ellipse((width * 0.33, height * 0.2, width * 0.67, height * 0.5), fill=(70, 60, 55))
    draw.rounded_rectangle((width * 0.2, height * 0.55, width * 0.8, height), radius=40, fill=(40, 50, 90))
    return img


def as_bytes(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_a_light_plain_background_portrait_passes():
    assert check_certificate_photo(portrait()) == []
    assert check_photo_bytes(as_bytes(portrait())) == []


def test_the_demo_photos_pass():
    for seed in range(5):
        assert check_photo_bytes(demo_photo(seed)) == []


def test_jpeg_noise_and_soft_shading_still_count_as_plain():
    img = portrait(background=(250, 250, 250))
    draw = ImageDraw.Draw(img)
    for y in range(60):  # a soft studio gradient across the top
        draw.line((0, y, 330, y), fill=(250 - y // 6, 250 - y // 6, 252 - y // 8))
    assert check_photo_bytes(as_bytes(img, "JPEG", quality=60)) == []


def test_a_dark_background_fails_with_its_lightness():
    problems = check_certificate_photo(portrait(background=(40, 70, 160)))
    assert codes(problems) == ["register_photo_background_dark"]
    assert problems[0].field == "photo"
    assert int(problems[0].params["lightness"]) < 190 and problems[0].params["min_lightness"] == "190"


def test_a_busy_background_fails_with_its_spread():
    img = portrait()
    draw = ImageDraw.Draw(img)
    rng = random.Random(7)
    for _ in range(300):
        x, y = rng.randrange(330), rng.randrange(450)
        draw.rectangle((x, y, x + 18, y + 18), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    problems = check_certificate_photo(img)
    assert "register_photo_background_busy" in codes(problems)
    busy = next(p for p in problems if p.code == "register_photo_background_busy")
    assert int(busy.params["spread"]) > 24 and busy.params["max_spread"] == "24"


def test_a_half_dark_wall_is_not_plain():
    img = portrait()
    ImageDraw.Draw(img).rectangle((0, 0, 165, 450), fill=(60, 60, 60))
    assert "register_photo_background_busy" in codes(check_certificate_photo(img))


def test_a_landscape_photo_fails_the_ratio_with_numbers():
    problems = check_certificate_photo(portrait((600, 420)))
    assert codes(problems) == ["register_photo_ratio"]
    assert problems[0].params == {"width": 600, "height": 420, "ratio": "1.429", "low": "0.664", "high": "0.764"}


def test_a_square_ish_portrait_fails_the_ratio_too():
    assert codes(check_certificate_photo(portrait((450, 500)))) == ["register_photo_ratio"]


def test_a_tiny_photo_fails_the_pixel_size_with_numbers():
    problems = check_certificate_photo(portrait((150, 210)))
    assert codes(problems) == ["register_photo_too_small"]
    assert problems[0].params == {"width": 150, "height": 210, "min_width": 295, "min_height": 413}


def test_every_problem_is_reported_at_once():
    img = portrait((200, 120), background=(20, 20, 20))
    assert codes(check_certificate_photo(img)) == [
        "register_photo_too_small",
        "register_photo_ratio",
        "register_photo_background_dark",
    ]


def test_the_numbers_are_configurable():
    assert check_certificate_photo(portrait(), PhotoRule(min_lightness=245)) != []
    assert check_certificate_photo(portrait((150, 210)), PhotoRule(min_width=100, min_height=140)) == []
    wide = portrait((420, 450))  # ratio 0.93
    assert check_certificate_photo(wide, PhotoRule(ratio=0.9, ratio_tolerance=0.05)) == []


def test_a_transparent_background_is_judged_as_shown_on_white():
    img = Image.new("RGBA", (330, 450), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((110, 90, 220, 220), fill=(70, 60, 55, 255))
    assert check_photo_bytes(as_bytes(img)) == []


def test_the_sampled_strips_leave_out_the_shoulders():
    boxes = border_boxes(330, 450, PhotoRule())
    assert all(bottom <= 450 * 0.6 for _, _, _, bottom in boxes)
    assert measure_background(portrait(), PhotoRule()).colour_spread == 0


@pytest.mark.parametrize("data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50])
def test_unreadable_bytes_are_one_problem_never_an_exception(data):
    assert codes(check_photo_bytes(data)) == ["register_photo_unreadable"]


def test_an_oversized_image_is_refused_before_decoding():
    assert codes(check_photo_bytes(as_bytes(portrait()), PhotoRule(max_pixels=1000))) == ["register_photo_unreadable"]
