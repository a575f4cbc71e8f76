"""The autograd page in a real browser: the lesson's numbers, both graphs drawn, a link that sets the point."""

from tests.helpers import PHONE, assert_no_streamlit_error, screenshot, wait_for_every_chart

# Tall enough that the whole lesson (graph, gradients, landscape, SimpleNet) is in one screenshot.
TALL = 9000
SHOWN_GRAPHS = '[data-testid="stGraphVizChart"]:visible svg'  # the walk is drawn twice, for projector and phone
PATIENCE_MS = 480_000  # 3 graphs, 4 plotly charts and a first torch.optim import; shared 2-core machines are slow


def _open(page, url: str, width: int) -> str:
    """Load the page and wait for its last pictures: every graph and plotly chart drawn. Returns the main text."""
    page.set_viewport_size({"width": width, "height": TALL})
    page.goto(url)
    page.get_by_text("Parameter before and after the step").wait_for(timeout=PATIENCE_MS)
    page.locator(SHOWN_GRAPHS).nth(2).wait_for(timeout=PATIENCE_MS)
    wait_for_every_chart(
        page, at_least=4, timeout=PATIENCE_MS / 1000
    )  # charts draw in any order; tests read them by position
    return page.locator('[data-testid="stMain"]').inner_text()


def test_lesson_point_shows_the_lessons_gradients_and_both_graphs(browser_page, app_url):
    text = _open(browser_page, f"{app_url}/autograd", 1280)
    assert "−0.0898" in text and "−0.0817" in text
    assert "agree to 1e-6" in text
    svgs = browser_page.locator(SHOWN_GRAPHS)
    assert svgs.count() == 3  # the walk, then ours beside PyTorch's
    assert "data 0.9183" in svgs.first.text_content()  # a = σ(2.42) in the sigmoid record
    torch_svg = svgs.nth(2).text_content()
    assert "MulBackward0" in torch_svg and "AccumulateGrad" in torch_svg
    charts = browser_page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() == 4 and "Loss landscape" in charts.first.text_content()
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "autograd-desktop")


def test_phone_width_shows_the_same_lesson(browser_page, app_url):
    text = _open(browser_page, f"{app_url}/autograd", PHONE["width"])
    assert "−0.0898" in text
    body, ((walk, _, main, walk_text), *_) = browser_page.evaluate(_GRAPH_SIZES)
    assert walk >= 0.9 * main and "data 0.9183" in browser_page.locator(SHOWN_GRAPHS).first.text_content()
    assert walk_text >= 0.85 * body, f"on a phone the walk's labels are drawn at {walk_text:.1f} px"
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "autograd-phone")


def test_a_shared_link_to_a_saturated_neuron_shows_finite_correct_numbers(browser_page, app_url):
    text = _open(browser_page, f"{app_url}/autograd?x=5&w=10&b=0&y=0", 1280)
    assert "σ has saturated" in text and "nan" not in text.lower().split()
    assert "50.0000" in text  # L = |z| = 50; the unfused float32 form would say 100
    assert "would report L = 100.0000" in text  # what the unfused float32 code says here, for contrast
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "autograd-saturated-desktop")


# Each graph's width, its column's (the main column for the walk), and its smallest node label as drawn, in CSS px.
_GRAPH_SIZES = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]');
    const body = document.querySelector('[data-testid="stMain"] [data-testid="stMarkdownContainer"] p');
    const charts = [...document.querySelectorAll('[data-testid="stGraphVizChart"]')].filter(c => c.offsetParent);
    return [parseFloat(getComputedStyle(body).fontSize), charts.map(chart => {
            const svg = chart.querySelector('svg'), column = chart.closest('[data-testid="stColumn"]') || main;
            const drawn = [...svg.querySelectorAll('g.node text')]
                .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
            return [svg.getBoundingClientRect().width, column.getBoundingClientRect().width,
                    main.getBoundingClientRect().width, Math.min(...drawn)];
    })];
}"""


def test_on_a_projector_the_graphs_fill_their_columns_with_text_as_large_as_the_pages(browser_page, app_url):
    _open(browser_page, f"{app_url}/autograd", 1280)
    body, graphs = browser_page.evaluate(_GRAPH_SIZES)
    assert body >= 16  # Streamlit's body text
    (walk, walk_column, main, walk_text), *beside = graphs
    assert walk_column == main and walk >= 0.9 * main  # the walk spans the main column
    assert walk_text >= body, f"the walk's node labels are drawn at {walk_text:.1f} px"
    for width, column, _, text_px in beside:  # ours beside PyTorch's, each filling half the width
        assert width >= 0.9 * column and column < 0.6 * main
        assert text_px >= body, f"a graph beside PyTorch's draws its labels at {text_px:.1f} px"
    screenshot(browser_page, "autograd-graphs-desktop")


def test_a_large_weight_shows_the_graph_chain_rule_and_descent_with_the_saturation_explained(browser_page, app_url):
    text = _open(browser_page, f"{app_url}/autograd?w=40", 1280)
    for section in ("The computational graph", "The chain rule, formula by formula", "Learning from the gradient"):
        assert section in text
    assert "σ has saturated" in text and "barely moves" in text and "stand still" in text
    assert "data 7.7811e−20" in browser_page.locator(SHOWN_GRAPHS).first.text_content()
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "autograd-w40-desktop")
