"""The GPT page in a real browser: it generates text coloured by probability, regenerates on demand, and reads well
on a projector (1280 wide) and on a phone (390 wide)."""

from tests.helpers import PHONE, assert_no_streamlit_error, screenshot, wait_for_app_idle

WHOLE_PAGE_DESKTOP = {"width": 1280, "height": 6500}  # Streamlit scrolls an inner box: a tall window shows it all
WHOLE_PAGE_PHONE = {"width": PHONE["width"], "height": 11000}
COLOURED_TOKEN = '[data-testid="stMain"] span[title^="p = "]'


def test_gpt_page_generates_coloured_text_and_regenerates_from_a_new_prompt(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/gpt")
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    assert page.locator(COLOURED_TOKEN).count() > 5, "no generated tokens shown"
    main = page.locator('[data-testid="stMain"]')
    assert "ROMEO:" in main.inner_text()
    for section in (
        "Inside one step",
        "Entropy per step",
        "Temperature explorer",
        "Attention over the text",
        "Logit lens",
        "The code",
    ):
        assert section in main.inner_text(), f"missing section {section}"

    prompt = page.get_by_label("Prompt")
    prompt.fill("JULIET:")
    prompt.press("Control+Enter")
    wait_for_app_idle(page, timeout=240)
    page.get_by_role("button", name="Generate").click()
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    coloured = page.locator('[data-testid="stMain"] [data-testid="stHtml"]').filter(
        has=page.locator('span[title^="p = "]')
    )
    assert coloured.first.inner_text().startswith("JULIET:")
    assert "prompt=JULIET" in page.url  # the prompt lives in the URL
    page.set_viewport_size(WHOLE_PAGE_DESKTOP)
    wait_for_app_idle(page, timeout=240)
    screenshot(page, "gpt-desktop")

    page.set_viewport_size(WHOLE_PAGE_PHONE)
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    assert page.locator(COLOURED_TOKEN).count() > 5
    screenshot(page, "gpt-phone")


def test_gpt_page_sampling_from_a_link(browser_page, app_url):
    page = browser_page
    page.goto(f"{app_url}/gpt?method=sampling&temperature=1.3&top_k=40&top_p=0.9&seed=3&max_new=40&n=2")
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    boxes = page.locator('[data-testid="stMain"] [data-testid="stHtml"]').filter(
        has=page.locator('span[title^="p = "]')
    )
    assert boxes.count() == 2  # two sampled sequences
    screenshot(page, "gpt-sampling-desktop")


_WATCH_THE_STREAM = """() => {
    // Record the page each time it changes while a text streams in: the streamed text, how many of the old
    // result's coloured tokens are still on screen, and whether the stream sits below the legend.
    window.__stream = [];
    const main = document.querySelector('[data-testid="stMain"]');
    new MutationObserver(() => {
        const stream = main.querySelector('.gpt-streaming');
        if (!stream) return;
        const legend = [...main.querySelectorAll('[data-testid="stHtml"]')]
            .find(e => e.innerText.startsWith('probability the model gave'));
        window.__stream.push({
            text: stream.innerText,
            first: stream.querySelector('span').innerText,
            oldTokens: main.querySelectorAll('span[title^="p = "]').length,
            belowLegend: !!legend && !!(legend.compareDocumentPosition(stream) & Node.DOCUMENT_POSITION_FOLLOWING),
        });
    }).observe(main, {subtree: true, childList: true, characterData: true});
}"""


def test_streamed_tokens_appear_after_the_prompt_in_place_of_the_old_result(browser_page, app_url):
    page = browser_page
    page.set_viewport_size(WHOLE_PAGE_DESKTOP)
    page.goto(f"{app_url}/gpt?max_new=200")  # a long text, so that it streams for a while
    wait_for_app_idle(page, timeout=240)
    assert page.locator(COLOURED_TOKEN).count() > 100  # the old result, on screen before Generate
    page.evaluate(_WATCH_THE_STREAM)
    page.get_by_role("button", name="Generate").click()
    wait_for_app_idle(page, timeout=240)
    assert_no_streamlit_error(page)
    seen = page.evaluate("window.__stream")
    assert len({len(s["text"]) for s in seen}) > 5, "the text did not arrive piece by piece"
    for snapshot in seen:
        assert snapshot["oldTokens"] == 0, "the old result was still on screen while the new text streamed in"
        assert snapshot["first"] == "ROMEO:" and snapshot["text"].startswith("ROMEO:"), "the prompt must come first"
        assert snapshot["belowLegend"], "the stream must sit where the result goes"
    assert page.locator('[data-testid="stMain"] .gpt-streaming').count() == 0  # done: the coloured text took its place
    boxes = page.locator('[data-testid="stMain"] [data-testid="stHtml"]')
    final = boxes.filter(has=page.locator('span[title^="p = "]'))
    assert final.count() == 1
    # the text that streamed in, now coloured (its last piece may arrive with the colours, in one redraw)
    assert final.first.inner_text().startswith(seen[-1]["text"].removesuffix("▌"))


def test_a_learner_who_clicks_while_the_server_writes_for_another_sees_their_place_and_can_leave(
    browser_context, app_url
):
    teacher, learner = browser_context.new_page(), browser_context.new_page()
    try:
        # The slowest request a learner may make: 4 beam-search texts of 200 tokens each (seconds on 2 cores).
        teacher.set_viewport_size({"width": 1280, "height": 2400})
        teacher.goto(f"{app_url}/gpt?method=beam+search&beams=8&n=4&max_new=200&prompt=ROMEO%3A")
        wait_for_app_idle(teacher, timeout=240)
        learner.set_viewport_size({"width": PHONE["width"], "height": 4000})  # the learner is on a phone
        learner.goto(f"{app_url}/gpt?method=sampling&seed=77&max_new=20")
        wait_for_app_idle(learner, timeout=240)
        for page, box, value in ((teacher, "Prompt", "JULIET: What"), (learner, "Seed", "78")):
            field = page.get_by_label(box)
            field.fill(value)
            field.press("Control+Enter" if box == "Prompt" else "Enter")
            wait_for_app_idle(page, timeout=240)

        teacher.get_by_role("button", name="Generate").click()
        learner.get_by_role("button", name="Generate").click()
        place = learner.get_by_text("place 2 of 2 in the queue")
        place.wait_for(timeout=30_000)
        assert "1 request ahead of yours" in learner.locator('[data-testid="stMain"]').inner_text()
        screenshot(learner, "gpt-phone-waiting-in-the-queue")
        learner.get_by_role("button", name="Leave the queue").click()
        wait_for_app_idle(learner, timeout=240)
        assert_no_streamlit_error(learner)
        main = learner.locator('[data-testid="stMain"]').inner_text()
        assert "in the queue" not in main and "press Generate to see their effect" in main  # seed 77's text stays

        wait_for_app_idle(teacher, timeout=240)
        assert_no_streamlit_error(teacher)
        boxes = teacher.locator('[data-testid="stMain"] [data-testid="stHtml"]').filter(
            has=teacher.locator('span[title^="p = "]')
        )
        assert boxes.count() == 4 and boxes.first.inner_text().startswith("JULIET: What")
    finally:
        teacher.close()
        learner.close()
