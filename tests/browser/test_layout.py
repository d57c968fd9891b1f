"""What a user checks by hand: keyboard-only use, phone and tablet layouts, language, labels, form errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 768, "height": 1024}}
ADMIN_PAGES = ["/", "/body", "/people", "/audit", "/people/new", "/occupations"]

#: the focused element, described for messages, and whether its focus ring is drawn
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, type: el.type || "",
    text: (el.innerText || el.value || "").trim().slice(0, 40),
    focusVisible: el.matches(":focus-visible"),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
  };
}"""

#: horizontal overflow of the page, with the elements that stick out past the right edge
_OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !el.closest(".table-wrap, .visually-hidden, .skip-link")) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + el.className : ""}`
               + ` right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, offenders: out.slice(0, 8)};
}"""

#: every visible form control and how it is labelled
_CONTROLS = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => el.type !== "hidden")
  .map(el => ({
    id: el.id, name: el.name, type: el.type,
    labels: Array.from(el.labels || []).map(l => l.textContent.trim()).filter(Boolean),
    ariaLabel: el.getAttribute("aria-label") || "",
    labelledBy: el.getAttribute("aria-labelledby") || "",
  }))"""


def _tab(page: Page) -> dict:
    page.keyboard.press("Tab")
    focused = page.evaluate(_FOCUS)
    assert focused is not None, "Tab left the page (focus on <body>)"
    assert focused["focusVisible"], f"{focused} does not match :focus-visible after a Tab"
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0, f"no visible focus ring on {focused}"
    return focused


def _assert_no_horizontal_overflow(page: Page, where: str) -> None:
    page.wait_for_load_state("load")
    result = page.evaluate(_OVERFLOW)
    assert result["scrollWidth"] <= result["clientWidth"] + 1, (
        f"{where}: page scrolls sideways (scrollWidth {result['scrollWidth']} > clientWidth "
        f"{result['clientWidth']}); sticking out: {result['offenders']}"
    )


def test_keyboard_only_sign_in_with_skip_link_first_and_visible_focus(new_context):
    page = new_context().new_page()
    page.goto("/login")

    skip = _tab(page)
    assert "skip-link" in skip["cls"], f"first Tab stop is {skip}, not the skip link"
    assert skip["text"] == "Skip to content"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0, "the focused skip link stays off screen"

    order = [_tab(page) for _ in range(6)]
    stops = [f["id"] or f["text"] for f in order]
    assert stops == ["certify", "lang-select", "Switch", "username", "password", "Sign in"], order

    # Back to the username field with Shift+Tab, then type as a keyboard user does.
    for _ in range(2):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Welcome, 王建国")

    # On the home page too the skip link comes first and takes the focus to the main content.
    first = _tab(page)
    assert "skip-link" in first["cls"], first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_phone_pages_do_not_scroll_sideways(new_context, path):
    page = new_context(**PHONE).new_page()
    sign_in(page, "admin")
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    _assert_no_horizontal_overflow(page, f"phone 375×667 {path}")


def test_phone_menu_button_shows_and_hides_the_navigation(new_context):
    page = new_context(**PHONE).new_page()
    sign_in(page, "admin")
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    people = page.locator("#site-nav").get_by_role("link", name="People")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(people).to_be_hidden()

    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(people).to_be_visible()
    _assert_no_horizontal_overflow(page, "phone 375×667 / with the menu open")

    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(people).to_be_hidden()

    # The menu works from the keyboard as well.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(people).to_be_visible()
    people.click()
    expect(page.locator("h1")).to_have_text("People")


def test_tablet_people_and_body_pages_fit_with_tables_scrolling_in_their_wrapper(new_context):
    page = new_context(**TABLET).new_page()
    sign_in(page, "admin")

    for path in ("/people", "/body"):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        _assert_no_horizontal_overflow(page, f"tablet 768×1024 {path}")
        tables = page.locator("main table")
        assert tables.count() > 0, f"{path} shows no table"
        unwrapped = page.evaluate(
            "() => Array.from(document.querySelectorAll('main table')).filter(t => !t.closest('.table-wrap')).length"
        )
        assert unwrapped == 0, f"{path}: {unwrapped} table(s) outside a .table-wrap"

    # At tablet width the navigation is shown in full, without a menu button.
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#site-nav").get_by_role("link", name="People")).to_be_visible()
    page.goto("/people")
    expect(page.get_by_role("cell", name="王建国")).to_be_visible()


def test_language_follows_the_browser_then_the_choice_which_a_signed_in_user_keeps(new_context, reset_saved_languages):
    english = new_context(locale="en-US").new_page()
    english.goto("/login")
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.locator("h1")).to_have_text("Sign in")

    chinese = new_context(locale="zh-CN").new_page()
    chinese.goto("/login")
    expect(chinese.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(chinese.locator("h1")).to_have_text("登录")
    expect(chinese.locator("#lang-select")).to_have_value("zh_CN")
    expect(chinese.locator("#lang-select option[value='zh_CN']")).to_have_attribute("selected", "")

    # Anonymous: the header select switches the page at once (and the Switch button is there without JavaScript).
    english.locator("#lang-select").select_option("zh_CN")
    expect(english.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(english.locator("h1")).to_have_text("登录")
    english.locator("#lang-select").select_option("en")
    expect(english.locator("h1")).to_have_text("Sign in")

    # Signed in with an English browser, the user chooses Chinese…
    page = new_context(locale="en-US").new_page()
    sign_in(page, "candidate2")
    expect(page.locator("h1")).to_have_text("Welcome, 李小红")
    page.locator("#lang-select").select_option("zh_CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("欢迎您，李小红")
    with page.expect_navigation():
        page.locator("form[action$='/logout'] button").click()
    expect(page.locator("h1")).to_have_text("登录")

    # …and gets it back on another browser (still asking for English) once signed in.
    fresh = new_context(locale="en-US").new_page()
    fresh.goto("/login")
    expect(fresh.locator("h1")).to_have_text("Sign in")
    sign_in(fresh, "candidate2")
    expect(fresh.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(fresh.locator("h1")).to_have_text("欢迎您，李小红")
    expect(fresh.locator("#lang-select")).to_have_value("zh_CN")


@pytest.mark.parametrize("path", ["/login", "/people/new"])
def test_every_form_control_has_an_accessible_label(new_context, path):
    page = new_context().new_page()
    if path != "/login":
        sign_in(page, "admin")
    page.goto(path)
    controls = page.evaluate(_CONTROLS)
    assert controls, f"no form controls on {path}"
    unlabelled = [c for c in controls if not (c["labels"] or c["ariaLabel"] or c["labelledBy"])]
    assert not unlabelled, f"{path}: controls without a label: {unlabelled}"
    for control in controls:
        locator = (
            page.locator(f"[id='{control['id']}']") if control["id"] else page.locator(f"[name='{control['name']}']")
        )
        expect(locator.first).to_have_accessible_name(re.compile(r"\S"))
        if control["labels"]:
            # Playwright finds the control by its label, as assistive technology would.
            by_label = page.get_by_label(control["labels"][0], exact=True)
            assert by_label.count() >= 1, f"{path}: get_by_label({control['labels'][0]!r}) finds nothing"
            assert control["id"] in by_label.evaluate_all("els => els.map(e => e.id)"), control


def test_bad_person_shows_the_error_at_the_field_keeps_the_values_and_the_language(new_context, reset_saved_languages):
    page = new_context(locale="en-US").new_page()
    sign_in(page, "admin")
    page.goto("/people/new")
    page.locator("#lang-select").select_option("zh_CN")
    expect(page.locator("h1")).to_have_text("登记人员")

    page.get_by_label("姓名", exact=True).fill("测试人员")
    page.get_by_label("证件号码", exact=True).fill("123")
    page.get_by_label("联系电话", exact=True).fill("13800000000")
    page.get_by_label("工作单位", exact=True).fill("北京示例单位")
    with page.expect_navigation():
        page.get_by_role("button", name="登记", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("登记人员")
    expect(page.get_by_role("alert")).to_contain_text("请更正下方标出的项目。")

    id_number = page.locator("#id_number")
    error = page.locator("#id_number-error")
    expect(error).to_have_text("居民身份证号码应为18位，当前为3位。")
    expect(id_number).to_have_attribute("aria-invalid", "true")
    expect(id_number).to_have_attribute("aria-describedby", re.compile(r"(^|\s)id_number-error(\s|$)"))
    # Next to the field: in the same field block, just below the input, and no other field is marked.
    assert page.locator(".field.has-error").count() == 1
    assert error.evaluate("e => e.closest('.field') === document.getElementById('id_number').closest('.field')")
    field_box, error_box = id_number.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 100, (field_box, error_box)

    expect(page.locator("#name")).to_have_value("测试人员")
    expect(id_number).to_have_value("123")
    expect(page.locator("#phone")).to_have_value("13800000000")
    expect(page.locator("#employer")).to_have_value("北京示例单位")
