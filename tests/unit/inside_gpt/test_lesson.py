"""Reading the prompt: no tokens is a message, too many are cut to the cap with a message, and every token gets a
label with its position and its visible text."""

import pytest

from playground.inside_gpt import lesson, text


def test_an_empty_or_blank_prompt_is_a_message_not_a_pass(loaded):
    for blank in ("", "   \n"):
        with pytest.raises(ValueError, match="at least one token"):
            lesson.read_prompt(loaded.tokenizer, blank, 64)


def test_a_prompt_over_the_cap_is_cut_to_it_and_says_so(loaded):
    long = "ROMEO: " + "light " * 200
    n = len(loaded.tokenizer(long, add_special_tokens=False)["input_ids"])
    prompt = lesson.read_prompt(loaded.tokenizer, long, 64)
    assert len(prompt.ids) == 64 and prompt.notes == [("warning", text.too_long(n, 64))]
    assert prompt.ids == tuple(loaded.tokenizer(long, add_special_tokens=False)["input_ids"][:64])


def test_labels_number_the_tokens_and_show_their_spaces(loaded):
    prompt = lesson.read_prompt(loaded.tokenizer, "ROMEO: soft", 64)
    assert not prompt.notes and len(prompt.labels) == len(prompt.ids)
    assert [label.split(" ", 1)[0] for label in prompt.labels] == [str(i) for i in range(len(prompt.ids))]
    assert "".join(label.split(" ", 1)[1] for label in prompt.labels) == "ROMEO:␣soft"


def test_the_cap_is_also_the_models_context(loaded):
    assert lesson.token_limit(loaded.model.config) == min(lesson.MAX_TOKENS, loaded.model.config.n_positions)
