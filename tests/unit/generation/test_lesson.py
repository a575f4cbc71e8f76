"""What the GPT page decides without Streamlit: what the widgets mean, and when the text on screen is stale."""

from dataclasses import replace

import pytest
import torch

from playground.generation import decode, lesson, repetition
from playground.generation.text import GREEDY_LOOP
from playground.models import load_model


@pytest.fixture(scope="module")
def bundled():
    return load_model("gpt")


def test_the_method_decides_sampling_and_whether_the_beams_count():
    greedy = lesson.settings("ROMEO:", 10, "greedy", 0.8, 40, 0.9, 1.2, 4, 1, 3)
    assert not greedy.do_sample and greedy.num_beams == 1 and greedy.repetition_penalty == 1.2
    assert lesson.settings("ROMEO:", 10, "sampling", 0.8, 40, 0.9, 1.0, 4, 2, 3).do_sample
    assert lesson.settings("ROMEO:", 10, "beam search", 0.8, 40, 0.9, 1.0, 4, 2, 3).num_beams == 4


def test_the_default_prompt_and_length_make_the_lessons_fifty_tokens(bundled):
    prompt, new = lesson.default_prompt(bundled)
    assert prompt == "ROMEO:" and new + len(bundled.tokenizer(prompt)["input_ids"]) == 50


def test_a_changed_setting_makes_the_text_stale_but_only_a_click_or_another_model_generates(bundled):
    prepared = decode.prepare(decode.Settings("ROMEO:", 5), bundled.tokenizer, bundled.model)
    on_screen = lesson.shown(
        bundled, prepared, decode.generate(bundled.model, prepared, bundled.tokenizer.eos_token_id)
    )
    same = lesson.Request.of(bundled, prepared)
    other = lesson.Request.of(bundled, decode.prepare(decode.Settings("ROMEO:", 6), bundled.tokenizer, bundled.model))
    assert not on_screen.stale(same) and on_screen.stale(other)
    assert not lesson.must_generate(on_screen, other, clicked=False)  # it waits for Generate, and says so
    assert lesson.must_generate(on_screen, other, clicked=True) and lesson.must_generate(None, same, clicked=False)
    another_model = lesson.Request("gpt2", same.settings, same.prompt_ids)
    assert lesson.must_generate(on_screen, another_model, clicked=False)


def test_a_step_is_what_the_model_had_read_and_what_it_chose(bundled):
    prepared = decode.prepare(decode.Settings("ROMEO:", 8), bundled.tokenizer, bundled.model)
    result = decode.generate(bundled.model, prepared, bundled.tokenizer.eos_token_id)
    on_screen = lesson.shown(bundled, prepared, result)
    at = lesson.step(on_screen, 0, 3)
    assert at.position == result.prompt_len + 2 and torch.equal(at.read, result.sequences[0, : at.position])
    assert at.chosen == int(result.sequences[0, at.position])
    assert at.probability == pytest.approx(float(result.chosen_probs[0, 2]))
    assert "".join(on_screen.pieces[0]) == bundled.tokenizer.decode(result.new_tokens[0][: result.lengths[0]])


def the_text(bundled, settings: decode.Settings) -> str:
    """The prompt and the new text, as the page shows it (up to the end-of-text token, if any)."""
    result = decode.generate(bundled.model, decode.prepare(settings, bundled.tokenizer, bundled.model), 0)
    ids = result.sequences[0][: result.prompt_len + result.lengths[0]]
    return bundled.tokenizer.decode(ids, skip_special_tokens=True)


def test_the_default_is_seeded_sampling_with_a_temperature_top_k_and_a_repetition_penalty(bundled):
    s = lesson.default_settings(bundled)
    assert lesson.DEFAULT_METHOD == "sampling" and s.do_sample and s.num_beams == 1
    assert 0 < s.temperature < 1 and s.top_k > 0 and s.repetition_penalty > 1
    assert (s.prompt, s.max_new_tokens) == lesson.default_prompt(bundled)
    assert (
        lesson.settings(
            s.prompt, s.max_new_tokens, "sampling", s.temperature, s.top_k, s.top_p, s.repetition_penalty, 4, 1, s.seed
        )
        == s
    )  # the page's widgets at their defaults mean it


def test_the_default_generation_repeats_less_than_a_fifth_of_its_word_four_grams(bundled):
    default = lesson.default_settings(bundled)
    text = the_text(bundled, default)
    assert text.startswith("ROMEO:") and len(repetition.words(text)) >= 20
    assert repetition.repeated_ngram_share(text) < 0.2
    assert the_text(bundled, default) == text  # the seed: a link reproduces it
    # and it does not fall into a loop later either, at the most a learner can ask for
    long = the_text(bundled, replace(default, max_new_tokens=decode.MAX_NEW_TOKENS))
    assert repetition.repeated_ngram_share(long) < 0.2


def test_greedy_from_the_default_prompt_loops_as_the_page_says(bundled):
    greedy = replace(lesson.default_settings(bundled), do_sample=False, repetition_penalty=1.0)
    text = the_text(bundled, greedy)
    assert repetition.repeated_ngram_share(text) > 0.5
    assert text.count(GREEDY_LOOP) >= 3  # the loop the page quotes


@pytest.mark.parametrize(
    "settings,start",
    [
        (decode.Settings(do_sample=True, temperature=0.7, top_k=20), (0.7, 20, lesson.EXPLORER_TOP_P)),
        (decode.Settings(do_sample=True, temperature=1.3, top_k=40, top_p=0.8), (1.3, 40, 0.8)),
        (decode.Settings(do_sample=True, temperature=1.5, top_p=0.95), (1.5, lesson.EXPLORER_TOP_K, 0.95)),
        (decode.Settings(do_sample=False, temperature=0.7, top_k=20), (1.0, lesson.EXPLORER_TOP_K, 0.9)),
        (decode.Settings(num_beams=3), (1.0, lesson.EXPLORER_TOP_K, lesson.EXPLORER_TOP_P)),
        (decode.Settings(do_sample=True, temperature=0.01, top_k=5000), (lesson.EXPLORER_T[0], 10, 0.9)),
    ],
    ids=["default", "every-knob", "top-p-only", "greedy", "beam", "outside-the-sliders"],
)
def test_the_explorer_starts_at_the_knobs_the_text_was_sampled_with(settings, start):
    assert lesson.explorer_start(settings) == pytest.approx(start)
