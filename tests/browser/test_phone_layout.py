"""What other libraries draw inside the pages reads on a phone: no toolbar over a chart's title, no table or code
line cut off at the screen's edge."""

import pytest

from tests.helpers import DESKTOP, PHONE, open_at, wait_for_every_chart

TOOLBAR = ".js-plotly-plot .modebar-container"


def toolbar_shown(page) -> list[bool]:
    return page.evaluate(
        """s => [...document.querySelectorAll(s)].map(e => {
            const style = getComputedStyle(e);
            return style.display !== 'none' && style.opacity !== '0';
        })""",
        TOOLBAR,
    )


def test_on_a_phone_no_chart_shows_plotlys_toolbar(browser_page, app_url):
    open_at(browser_page, f"{app_url}/gpt2_config", PHONE)
    wait_for_every_chart(browser_page)
    shown = toolbar_shown(browser_page)
    assert shown and not any(shown)
    chart = browser_page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    chart.hover()  # a finger's tap hovers too
    browser_page.wait_for_timeout(400)
    assert not any(toolbar_shown(browser_page))


def test_on_a_projector_the_toolbar_shows_only_while_the_pointer_is_on_the_chart(browser_page, app_url):
    open_at(browser_page, f"{app_url}/gpt2_config", DESKTOP)
    wait_for_every_chart(browser_page)
    browser_page.mouse.move(1, 1)
    assert not any(toolbar_shown(browser_page))
    chart = browser_page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    browser_page.wait_for_timeout(400)
    assert toolbar_shown(browser_page)[0]


FARTHEST_RIGHT_AFTER_SCROLLING = """table => {
    for (const e of [table, ...table.querySelectorAll('*')]) e.scrollLeft = e.scrollWidth;
    const rights = [...table.querySelectorAll('th *, td *, th, td')]
        .flatMap(e => [...e.getClientRects()].map(r => r.right));
    return Math.max(...rights);
}"""


@pytest.mark.parametrize("slug", ["autograd", "training"])
def test_on_a_phone_every_static_tables_last_column_can_be_brought_on_screen(browser_page, app_url, slug):
    open_at(browser_page, f"{app_url}/{slug}", PHONE)
    open_every_expander(browser_page)
    tables = [t for t in browser_page.locator('[data-testid="stTable"]').all() if t.is_visible()]
    assert tables, f"{slug} shows a static table"
    for n, table in enumerate(tables):
        table.scroll_into_view_if_needed()
        right = table.evaluate(FARTHEST_RIGHT_AFTER_SCROLLING)
        assert right <= PHONE["width"], f"table {n} of {slug} cuts its text off at {right:.0f} px"


def open_every_expander(page) -> None:
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        summary.click()
    page.wait_for_timeout(500)


def test_on_a_phone_no_inline_code_runs_off_the_screen(browser_page, app_url):
    open_at(browser_page, f"{app_url}/training", PHONE)
    open_every_expander(browser_page)
    rights = browser_page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] code')]
            .filter(e => !e.closest('[data-testid=stTable]') && e.getClientRects().length)
            .map(e => Math.max(...[...e.getClientRects()].map(r => r.right)))"""
    )
    assert rights, "the Training page quotes commands inline"
    assert max(rights) <= PHONE["width"]


def test_on_a_phone_a_wide_interactive_table_scrolls_sideways_to_its_last_column(browser_page, app_url):
    open_at(browser_page, f"{app_url}/gpt2_config", PHONE)
    grid = browser_page.locator('[data-testid="stDataFrame"] .dvn-scroller').first
    grid.scroll_into_view_if_needed()
    width, visible = grid.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert width > visible, "the parameter table is wider than a phone"
    assert grid.evaluate("e => { e.scrollLeft = e.scrollWidth; return e.scrollLeft; }") >= width - visible - 1


def test_on_a_phone_every_code_block_scrolls_to_the_end_of_its_longest_line(browser_page, app_url):
    open_at(browser_page, f"{app_url}/tensors", PHONE)
    open_every_expander(browser_page)
    blocks = [b for b in browser_page.locator('[data-testid="stCode"] pre').all() if b.is_visible()]
    assert any(b.evaluate("e => e.scrollWidth > e.clientWidth") for b in blocks), "'the code' has long lines"
    for block in blocks:
        block.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        width, visible, left = block.evaluate("e => [e.scrollWidth, e.clientWidth, e.scrollLeft]")
        assert left >= width - visible - 1, "a code block is cut off instead of scrolling"
