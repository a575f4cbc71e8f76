"""Batched matmul in a real browser: pick a batch and a cell, and the outlined cell and the dot product written out
are torch's result[b, i, j]."""

import json
from urllib.parse import urlencode

import torch

from playground.tensors.source import PRESETS
from tests.helpers import (
    DESKTOP,
    PHONE,
    assert_no_streamlit_error,
    open_at,
    screenshot,
    wait_for_app_idle,
    wait_for_every_chart,
)

B = [[[1, 0, 2], [2, 1, -1]], [[0, 3, 1], [1, 1, 4]]]  # (2, 2, 3): x's (2, 2, 2) preset @ B → (2, 2, 3)

# The text written in the cell under C's outline, and the title of the chart it is in.
_OUTLINED = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].flatMap(chart => {
    const outline = chart.querySelector('.shapelayer path');
    if (!outline) return [];
    const box = outline.getBoundingClientRect();
    const inside = [...chart.querySelectorAll('.hm text, text.textpoint, .heatmaplayer text, text')].filter(t => {
        const r = t.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
        return r.width > 0 && x > box.left && x < box.right && y > box.top && y < box.bottom;
    });
    const title = chart.querySelector('text.gtitle');
    return [[title ? title.textContent : '', inside.map(t => t.textContent), box.width, box.height]];
})"""


def _pick(page, label: str, value: int) -> None:
    box = page.get_by_label(label)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_for_app_idle(page, timeout=300)


def test_picking_a_batch_and_a_cell_outlines_torchs_result_and_writes_out_its_dot_product(browser_page, app_url):
    query = urlencode({"preset": "3D", "op": "matmul", "B": json.dumps(B)})
    open_at(browser_page, f"{app_url}/tensors?{query}", DESKTOP, timeout=300)
    browser_page.get_by_text("What PyTorch adds to NumPy").wait_for(timeout=300_000)
    _pick(browser_page, "Batch b (which matrix of C)", 1)
    _pick(browser_page, "Output row i", 1)
    _pick(browser_page, "Output column j", 2)
    wait_for_every_chart(browser_page, at_least=7)
    x, b = torch.tensor(json.loads(PRESETS["3D"])), torch.tensor(B)
    value = (x @ b)[1, 1, 2].item()  # torch's result[b, i, j]
    terms = " + ".join(f"{p}·{q}" for p, q in zip(x[1, 1].tolist(), b[1, :, 2].tolist(), strict=True))
    text = browser_page.locator('[data-testid="stMain"]').inner_text()
    assert f"C[1, 1, 2] = row 1 of A[1] · column 2 of B[1] = Σₖ A[1, 1, k]·B[1, k, 2] = {terms} = {value}" in text
    assert "(2, 2×3) = (2, 2, 3)" in text  # the shape rule keeps the batch dim
    outlined = browser_page.evaluate(_OUTLINED)
    assert [title for title, *_ in outlined] == ["[1, :, :]"] * 3  # A's row, B's column, C's cell: all in batch 1
    cell = outlined[-1]  # C is drawn last
    assert cell[1] == [str(value)]  # the one number inside C's outline is torch's result[1, 1, 2]
    assert "batch=1" in browser_page.url and "col=2" in browser_page.url
    assert_no_streamlit_error(browser_page)
    screenshot(browser_page, "tensors-batched-matmul-desktop")
    open_at(browser_page, browser_page.url, PHONE, timeout=300)
    browser_page.get_by_text("What PyTorch adds to NumPy").wait_for(timeout=300_000)
    wait_for_every_chart(browser_page, at_least=7)
    assert "C[1, 1, 2]" in browser_page.locator('[data-testid="stMain"]').inner_text()
    screenshot(browser_page, "tensors-batched-matmul-phone")
