"""The temperature explorer: every bar is coloured by what really happens to it when sampling (top-k first, then
top-p on what top-k left), the dashed lines stand where each filter cuts, and the words say the same as the bars."""

import re

import pytest
import torch

from playground.generation import text
from playground.generation.figures import FATES, temperature_chart
from playground.generation.filters import apply_temperature, apply_top_k, apply_top_p, cutoffs

# Probabilities at temperature 1. Top-k 5 keeps 0.83 of the mass; renormalised, its five hold .361 .241 .181 .120
# .096, so top-p 0.8 is reached after four (.361 + .241 + .181 = .783 < .8, then .904). Top-p alone, on all eight,
# needs five (.3 + .2 + .15 + .1 = .75 < .8, then .83): together they keep fewer than either alone.
PROBS = torch.tensor([0.30, 0.20, 0.15, 0.10, 0.08, 0.07, 0.05, 0.05])
LOGITS = PROBS.log()


def name(token_id: int) -> str:
    return "abcdefgh"[token_id]


def bars(figure) -> dict[str, list[str]]:
    """The labels of the bars of each fate, as drawn."""
    names = {legend: fate for fate, (legend, _) in FATES.items()}
    return {names[trace.name]: list(trace.x) for trace in figure.data}


def lines(figure) -> dict[str, float]:
    return {shape_label(figure, i): shape.x0 for i, shape in enumerate(figure.layout.shapes)}


def shape_label(figure, i: int) -> str:
    return figure.layout.annotations[i].text


def ranks(sentence: str, pattern: str) -> tuple[int, int]:
    """The first and last rank a sentence names before `pattern` ("tokens 1–4 survive both" -> (1, 4))."""
    found = re.search(r"tokens? (\d+)(?:–(\d+))? " + pattern, sentence)
    assert found, f"{pattern!r} not in {sentence!r}"
    return int(found.group(1)), int(found.group(2) or found.group(1))


def test_cutoffs_apply_top_k_then_top_p_among_its_survivors():
    cut = cutoffs(LOGITS, 1.0, top_k=5, top_p=0.8)
    assert (cut.top_k_kept, cut.top_p_kept, cut.both_kept) == (5, 5, 4)
    assert cut.top_k_mass == pytest.approx(0.83)
    sampled_from = torch.isfinite(apply_top_p(apply_top_k(apply_temperature(LOGITS, 1.0), 5), 0.8))
    assert torch.equal(cut.survives_both, sampled_from)
    assert [cut.fate(i) for i in range(8)] == ["kept"] * 4 + ["top-p"] + ["top-k"] * 3


def test_every_bar_is_coloured_by_its_fate_and_the_lines_stand_at_the_real_cuts():
    figure, cut, fates = temperature_chart(LOGITS, name, 1.0, 5, 0.8)
    assert bars(figure) == {
        "kept": ["1. a", "2. b", "3. c", "4. d"],
        "top-p": ["5. e"],
        "top-k": ["6. f", "7. g", "8. h"],
    }
    assert fates == ["kept"] * 4 + ["top-p"] + ["top-k"] * 3
    # the line between bars 4 and 5 is top-p's (x is the bar's index: bar n sits at n - 1)
    assert lines(figure) == {"top-k 5": 4.5, "top-p 0.8": 3.5}
    assert list(figure.layout.xaxis.categoryarray) == ["1. a", "2. b", "3. c", "4. d", "5. e", "6. f", "7. g", "8. h"]


def test_no_bar_left_of_the_top_k_line_is_cut_by_top_k_and_every_bar_left_of_the_top_p_line_is_kept():
    logits = torch.randn(500, generator=torch.Generator().manual_seed(3)) * 2.5
    for temperature, k, p in [(1.0, 10, 0.9), (0.7, 20, 0.5), (2.0, 25, 0.3), (0.4, 12, 0.99)]:
        figure, cut, fates = temperature_chart(logits, str, temperature, k, p)
        at = lines(figure)
        for index, fate in enumerate(fates):
            if f"top-k {k}" in at:
                assert (fate == "top-k") == (index > at[f"top-k {k}"])
            if f"top-p {p:g}" in at:
                assert (fate == "kept") == (index < at[f"top-p {p:g}"])


def words_and_bars(logits, temperature, k, p, vocab):
    figure, cut, _ = temperature_chart(logits, name, temperature, k, p)
    drawn = len(figure.layout.xaxis.categoryarray)
    counts = {fate: len(labels) for fate, labels in bars(figure).items()}
    return text.survivors(temperature, k, p, cut, vocab, drawn), counts


def test_the_words_name_the_bars_that_survive_both_and_why():
    sentence, counts = words_and_bars(LOGITS, 1.0, 5, 0.8, 8)
    assert counts == {"kept": 4, "top-p": 1, "top-k": 3}
    assert ranks(sentence, r"survives? both") == (1, counts["kept"])
    assert ranks(sentence, r"(?:is|are) cut by top-p") == (5, 5)
    assert "after token 5 is cut by top-k" in sentence
    assert "hold 83% of the probability" in sentence and "renormalises those 5" in sentence
    assert "Top-p alone, over all 8 tokens, would keep 5" in sentence  # why together keep fewer


@pytest.mark.parametrize(
    "temperature,k,p,counts,phrases",
    [
        (1.0, 5, 1.0, {"kept": 5, "top-k": 3}, ["tokens 1–5 can be sampled", "after token 5 is cut by top-k"]),
        (1.0, 0, 0.8, {"kept": 5, "top-p": 3}, ["tokens 1–5 can be sampled", "after token 5 is cut by top-p"]),
        (1.0, 3, 0.99, {"kept": 3, "top-k": 5}, ["it needs all 3", "tokens 1–3 survive both", "after token 3 is cut"]),
        (0.2, 5, 0.8, {"kept": 1, "top-p": 4, "top-k": 3}, ["token 1 survives both", "tokens 2–5 are cut by top-p"]),
        (1.0, 0, 1.0, {"kept": 8}, ["both filters are off: every token can be sampled"]),
    ],
    ids=["top-k-only", "top-p-only", "top-p-needs-all", "cold", "both-off"],
)
def test_the_words_agree_with_the_bars_whichever_filters_are_on(temperature, k, p, counts, phrases):
    sentence, drawn = words_and_bars(LOGITS, temperature, k, p, 8)
    assert {fate: n for fate, n in drawn.items() if n} == counts
    for phrase in phrases:
        assert phrase in sentence
    if len(counts) > 1:  # some bars are cut: the words name the ranks of the blue ones
        assert ranks(sentence, r"(?:survives? both|can be sampled)") == (1, counts["kept"])


def test_a_cut_beyond_the_bars_drawn_is_said_so():
    logits = torch.randn(500, generator=torch.Generator().manual_seed(1))
    figure, cut, _ = temperature_chart(logits, str, 1.0, 100, 1.0)
    assert len(figure.layout.shapes) == 0  # the top-k line would stand right of the 30 bars
    assert "The chart draws the 30 likeliest" in text.survivors(1.0, 100, 1.0, cut, 500, 30)
