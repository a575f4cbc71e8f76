"""The GPT page's "the code" panel runs and reproduces the page's tokens, probabilities and entropies."""

import contextlib
import io

import pytest
import torch

from playground.generation import Settings, generate, prepare
from playground.gpt_code import generation_code
from tests.unit.tiny_gpt import one_torch_thread, save_tiny  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("tiny-gpt"))


def load(folder):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager").eval(), AutoTokenizer.from_pretrained(folder)


def run_code(source):
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(compile(source, "the_code.py", "exec"), namespace)  # our own generated code, never user text
    return namespace, printed.getvalue()


@pytest.mark.parametrize("settings", [
    Settings(prompt="ROMEO:", max_new_tokens=20),
    Settings(prompt="ROMEO:", max_new_tokens=20, repetition_penalty=1.4),
    Settings(prompt="Once upon a time", max_new_tokens=20, do_sample=True, temperature=0.8, top_k=40, top_p=0.9,
             repetition_penalty=1.2, num_sequences=3, seed=11),
    Settings(prompt="", max_new_tokens=10, do_sample=True, seed=2),
], ids=["greedy", "greedy-penalty", "sampling-all-knobs", "empty-prompt"])
def test_the_code_reproduces_the_pages_generation(tiny_dir, settings):
    model, tok = load(tiny_dir)
    prepared = prepare(settings, tok, model)
    page = generate(model, prepared, tok.eos_token_id)
    namespace, printed = run_code(generation_code(prepared, str(tiny_dir), tok.eos_token_id))
    assert torch.equal(namespace["new_tokens"], page.new_tokens)
    assert torch.allclose(namespace["chosen_probs"], page.chosen_probs, atol=1e-6)
    assert torch.allclose(namespace["entropies"], page.entropies, atol=1e-5)
    assert repr(tok.decode(page.new_tokens[0], skip_special_tokens=True)) in printed


def test_the_code_for_beam_search_prints_the_pages_beams(tiny_dir):
    model, tok = load(tiny_dir)
    prepared = prepare(Settings(prompt="ROMEO:", max_new_tokens=12, num_beams=3, num_sequences=2), tok, model)
    page = generate(model, prepared, tok.eos_token_id)
    namespace, printed = run_code(generation_code(prepared, str(tiny_dir), tok.eos_token_id))
    assert torch.equal(namespace["out"].sequences, page.sequences)
    for row in page.new_tokens:
        assert repr(tok.decode(row, skip_special_tokens=True)) in printed
