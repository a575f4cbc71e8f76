"""GPTConfig: presets, the URL's spelling of a configuration, and messages that say what to change."""

import re
from dataclasses import replace

import pytest

from playground.gpt2.config import LESSON_124M, MAX_FIELD, PARSERS, PRESETS, GPTConfig, matching_preset


def test_the_lesson_config_is_the_starting_point():
    assert LESSON_124M.as_dict() == dict(
        vocab_size=50257,
        context_length=1024,
        emb_dim=768,
        n_heads=12,
        n_layers=12,
        drop_rate=0.1,
        qkv_bias=False,
        tied=False,
    )
    assert LESSON_124M.hidden_dim == 3072 and LESSON_124M.head_dim == 64
    assert all(preset.problems() == [] for preset in PRESETS.values())
    assert matching_preset(LESSON_124M) == "Lesson GPT_CONFIG_124M"
    assert matching_preset(replace(LESSON_124M, n_layers=13)) is None


def test_heads_must_divide_the_embedding_and_the_message_suggests_a_fix():
    (message,) = GPTConfig(emb_dim=770).problems()
    assert "divisible by `n_heads`" in message and "770" in message
    assert "n_heads = 11" in message or "n_heads = 10" in message  # 770 = 2 x 5 x 7 x 11
    assert "emb_dim = 768" in message


@pytest.mark.parametrize("field", ["vocab_size", "context_length", "emb_dim", "n_heads", "n_layers"])
@pytest.mark.parametrize("bad", [0, -3])
def test_zero_and_negative_sizes_are_refused(field, bad):
    problems = GPTConfig(**{field: bad}).problems()
    assert any(f"`{field}` must be at least 1" in p for p in problems)


def test_non_integers_out_of_range_dropout_and_absurd_sizes_are_refused():
    assert "whole number" in GPTConfig(emb_dim=76.5).problems()[0]
    for rate in (1.0, -0.1, 1.5):
        assert "[0, 1)" in GPTConfig(drop_rate=rate).problems()[0]
    assert "cap" in GPTConfig(vocab_size=MAX_FIELD + 1).problems()[0]
    assert "n_heads" in GPTConfig(n_heads=0).problems()[0]


def test_a_link_spells_the_configuration_and_bad_values_are_explained():
    link = {"vocab_size": "1e12", "emb_dim": "1024", "n_heads": "16", "qkv_bias": "true", "tied": "false"}
    config = replace(LESSON_124M, drop_rate=PARSERS["drop_rate"]("0"), **{k: PARSERS[k](v) for k, v in link.items()})
    assert config == replace(LESSON_124M, vocab_size=10**12, emb_dim=1024, n_heads=16, qkv_bias=True, drop_rate=0.0)
    bad = {"emb_dim": "76.5", "n_layers": "-2", "drop_rate": "1", "tied": "maybe", "context_length": "lots"}
    expected = ("not a whole number", "at least 1", "outside [0, 1)", "true or false", "not a number")
    for (name, text), message in zip(bad.items(), expected, strict=True):
        with pytest.raises(ValueError, match=re.escape(message)):
            PARSERS[name](text)  # the page warns with this message and keeps the lesson's value
