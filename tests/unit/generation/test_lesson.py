"""What the GPT page decides without Streamlit: what the widgets mean, and when the text on screen is stale."""

import pytest
import torch

from playground.generation import decode, lesson
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
