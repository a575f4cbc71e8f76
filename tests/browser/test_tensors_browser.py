"""The Tensors page in a real browser: links open it in a given state, errors are explained, and it fits a phone."""

from urllib.parse import urlencode

from tests.helpers import DESKTOP, PHONE, assert_no_streamlit_error, open_at, screenshot, wait_for_every_chart


def _url(app_url, **params):
    return f"{app_url}/tensors" + (f"?{urlencode(params)}" if params else "")


def _charts(page, at_least: int):
    """Plotly's chart code loads lazily, after the text: wait until the charts themselves are drawn."""
    wait_for_every_chart(page, at_least)
    return page.locator('[data-testid="stPlotlyChart"]')


def _open(page, app_url, **params):
    open_at(page, _url(app_url, **params), DESKTOP, timeout=300)
    page.get_by_text("What PyTorch adds to NumPy").wait_for(timeout=300_000)  # the last section: the script ran
    _charts(page, 2)
    return page.locator('[data-testid="stMain"]')


def _both_sizes(page, name):
    """Screenshots of the page as it is now, loaded afresh at desktop and at phone width."""
    url = page.url  # the page wrote its settings into the link, so reloading it shows the same state
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        open_at(page, url, viewport, timeout=300)
        page.get_by_text("What PyTorch adds to NumPy").wait_for(timeout=300_000)
        _charts(page, 2)
        assert page.locator('[data-testid="stException"]').count() == 0
        screenshot(page, f"tensors-{name}-{size}")


def test_default_page_shows_the_facts_heatmaps_and_the_code(browser_page, app_url):
    main = _open(browser_page, app_url)
    text = main.inner_text()
    assert "torch.tensor([[1, 2], [3, 4]])" in text
    assert "int64" in text and "(2, 1)" in text  # dtype and strides of the 2D preset
    assert _charts(browser_page, 3).count() == 3  # x, then before and after
    assert "The code" in text
    assert_no_streamlit_error(browser_page)
    assert "op=reshape" in browser_page.url  # settings are written into the link
    _both_sizes(browser_page, "default")


def test_a_link_opens_matmul_with_the_dot_product_of_the_chosen_cell(browser_page, app_url):
    main = _open(browser_page, app_url, op="matmul", B="[[5, 6], [7, 8]]", row=1, col=0)
    text = main.inner_text()
    assert "C[1, 0]" in text and "3·5 + 4·7 = 43" in text
    assert_no_streamlit_error(browser_page)
    _both_sizes(browser_page, "matmul")


def test_view_after_transpose_shows_pytorchs_message_and_the_fix(browser_page, app_url):
    main = _open(browser_page, app_url, op="reshape", method="view", t_first="true")
    text = main.inner_text()
    assert "view size is not compatible with input tensor's size and stride" in text
    assert ".contiguous()" in text
    assert browser_page.locator('[data-testid="stException"]').count() == 0
    _both_sizes(browser_page, "view-error")


def test_a_3d_tensor_in_float16_with_broadcasting(browser_page, app_url):
    main = _open(
        browser_page,
        app_url,
        source="random",
        shape="3, 2, 4",
        seed=1,
        dtype="float16",
        op="elementwise",
        other="[1, 10, 100, 1000]",
        operator="*",
    )
    text = main.inner_text()
    assert "float16" in text and "(3, 2, 4)" in text
    titles = browser_page.locator('[data-testid="stPlotlyChart"] text.gtitle').all_text_contents()
    assert "[2, :, :]" in titles  # slices of the 3D tensor are drawn
    assert_no_streamlit_error(browser_page)
    _both_sizes(browser_page, "3d-broadcast")  # ends at phone width


def test_on_a_phone_each_slice_of_a_3d_tensor_gets_the_full_width(browser_page, app_url):
    open_at(browser_page, _url(app_url, source="random", shape="3, 2, 4", seed=1), PHONE, timeout=300)
    browser_page.get_by_text("What PyTorch adds to NumPy").wait_for(timeout=300_000)
    slice_titles = browser_page.locator('[data-testid="stPlotlyChart"] text.gtitle', has_text="[2, :, :]")
    slice_titles.first.wait_for(timeout=300_000)
    wait_for_every_chart(browser_page)
    charts = [c.bounding_box() for c in browser_page.locator('[data-testid="stPlotlyChart"]').all()]
    slices = [box for box in charts if box and box["width"] > 0]
    main_width = browser_page.locator('[data-testid="stMain"]').bounding_box()["width"]
    assert len(slices) >= 3
    assert all(box["width"] > 0.75 * main_width for box in slices)  # stacked, not three abreast in 390 px
    screenshot(browser_page, "tensors-3d-phone")


def test_on_a_phone_the_slices_read_top_to_bottom_in_index_order(browser_page, app_url):
    open_at(browser_page, _url(app_url, source="random", shape="3, 2, 4", seed=1), PHONE, timeout=300)
    titles = browser_page.locator('[data-testid="stPlotlyChart"] text.gtitle')
    titles.filter(has_text="[2, :, :]").first.wait_for(timeout=300_000)
    wait_for_every_chart(browser_page)  # else the result's [0, :, :] may be drawn before x's
    tops = {}
    for title in titles.all():  # the first panel's slices (x); the operation's result may have slices too
        tops.setdefault(title.text_content(), title.bounding_box()["y"])
    assert tops["[0, :, :]"] < tops["[1, :, :]"] < tops["[2, :, :]"]


def test_reached_from_the_home_page_inside_the_app_shell(browser_page, app_url):
    open_at(browser_page, app_url, DESKTOP, timeout=300)
    browser_page.locator('[data-testid="stSidebarNav"]').get_by_text("Tensors").click()
    browser_page.get_by_text("What PyTorch adds to NumPy").wait_for(timeout=300_000)
    _charts(browser_page, 3)
    assert "/tensors" in browser_page.url
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "tensors-from-home-desktop")
