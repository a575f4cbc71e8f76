"""The GPT page's "the code" panel runs and reproduces the page's tokens, probabilities and entropies."""

import pytest
import torch

from playground.generation.code_panel import generation_code
from playground.generation.decode import Settings, generate, prepare
from tests.helpers import assert_self_contained, run_panel
from tests.unit.tiny_gpt import one_torch_thread, save_tiny  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("tiny-gpt"))


def load(folder):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(
        folder, attn_implementation="eager"
    ).eval(), AutoTokenizer.from_pretrained(folder)


def run_code(source):
    assert_self_contained(source)
    return run_panel(source)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(prompt="ROMEO:", max_new_tokens=20),
        Settings(prompt="ROMEO:", max_new_tokens=20, repetition_penalty=1.4),
        Settings(
            prompt="Once upon a time",
            max_new_tokens=20,
            do_sample=True,
            temperature=0.8,
            top_k=40,
            top_p=0.9,
            repetition_penalty=1.2,
            num_sequences=3,
            seed=11,
        ),
        Settings(prompt="", max_new_tokens=10, do_sample=True, seed=2),
    ],
    ids=["greedy", "greedy-penalty", "sampling-all-knobs", "empty-prompt"],
)
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


@pytest.mark.parametrize(
    "settings,which,step",
    [
        (Settings(prompt="ROMEO:", max_new_tokens=12, repetition_penalty=1.3), 0, 7),
        (
            Settings(
                prompt="Once upon a time",
                max_new_tokens=12,
                do_sample=True,
                temperature=0.7,
                top_k=25,
                top_p=0.8,
                repetition_penalty=1.1,
                num_sequences=2,
                seed=4,
            ),
            1,
            5,
        ),
        (Settings(prompt="ROMEO:", max_new_tokens=10, num_beams=3, num_sequences=2), 1, 4),
    ],
    ids=["greedy", "sampling", "beam"],
)
def test_the_code_reproduces_the_step_chart_and_the_logit_lens(tiny_dir, settings, which, step):
    from playground.generation.decode import step_logits
    from playground.generation.filters import stages
    from playground.generation.logit_lens import logit_lens

    model, tok = load(tiny_dir)
    prepared = prepare(settings, tok, model)
    page = generate(model, prepared, tok.eos_token_id)
    namespace, _ = run_code(generation_code(prepared, str(tiny_dir), tok.eos_token_id, inspect=(which, step)))
    sequence = page.sequences[which]
    position = page.prompt_len + step - 1
    on_screen = stages(step_logits(model, sequence, position), sequence[:position], prepared.settings.knobs)
    assert [name for name, _ in namespace["stages"]] == [name for name, _ in on_screen]
    for (_, theirs), (_, ours) in zip(namespace["stages"], on_screen, strict=True):
        assert torch.allclose(theirs, ours, atol=1e-6)
    lens = logit_lens(model, sequence[None, :position], top=1)
    assert [int(p.argmax()) for p in namespace["lens"]] == [row.top_tokens[0] for row in lens]
    assert torch.allclose(
        torch.tensor([float(p.max()) for p in namespace["lens"]]),
        torch.tensor([row.top_probs[0] for row in lens]),
        atol=1e-6,
    )


def test_the_code_reproduces_the_pages_default_generation_on_the_bundled_model():
    from playground.generation import lesson
    from playground.models import REPO, load_model

    bundled = load_model("gpt")
    prepared = prepare(lesson.default_settings(bundled), bundled.tokenizer, bundled.model)
    page = generate(bundled.model, prepared, bundled.tokenizer.eos_token_id)
    at = lesson.step(lesson.shown(bundled, prepared, page), 0, 5)
    source = lesson.code(bundled, lesson.shown(bundled, prepared, page), at)
    assert "seed = 0" in source and "temperature = 0.7" in source and "top_k = 20" in source
    assert "repetition_penalty = 1.2" in source and "top_p = " not in source  # top-p is off: not in the code
    namespace, printed = run_panel(source, cwd=REPO)
    assert torch.equal(namespace["new_tokens"], page.new_tokens)
    assert torch.allclose(namespace["chosen_probs"], page.chosen_probs, atol=1e-6)
    assert repr(bundled.tokenizer.decode(page.new_tokens[0], skip_special_tokens=True)) in printed
