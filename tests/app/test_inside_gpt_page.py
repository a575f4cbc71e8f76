"""The Inside GPT page, run by Streamlit's AppTest on the bundled model: what a learner sees, checked against the
model's own forward pass, and every bad input answered with a message while the rest of the page keeps working."""

import functools
import re

import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from app import ROOT
from playground.inside_gpt import lesson
from playground.inside_gpt.text import as_text
from tests.unit.tiny_bert import save_tiny_bert
from tests.unit.tiny_gpt import one_torch_thread, tiny_tokenizer  # noqa: F401 (autouse fixture)

PAGE = str(ROOT / "pages" / "inside_gpt.py")
PROMPT = "ROMEO: But soft, what light through yonder"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def bundled():
    from playground.models import load_model

    return load_model("gpt", "bundled")


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update({k: str(v) for k, v in query.items()})
    return at.run()


def messages(at) -> str:
    return " ".join(x.value for x in [*at.error, *at.warning, *at.info])


def model_output(bundled, prompt=PROMPT):
    ids = bundled.tokenizer(prompt, add_special_tokens=False, return_tensors="pt").input_ids
    with torch.no_grad():
        return ids, bundled.model(ids, output_attentions=True)


def test_default_page_opens_every_step_in_the_order_of_the_pass():
    at = open_page()
    assert not at.exception and not at.error
    titles = [s.value for s in at.subheader]
    assert titles[:3] == ["Token ids", "Token embeddings + position embeddings", "block 0 · LayerNorm 1"]
    assert titles[-3:] == ["Final LayerNorm", "Logits from the (tied) output head", "The next-token distribution"]
    assert len(at.get("plotly_chart")) == 22 + 1  # every tensor of the pass, then the distribution
    overview = next(m.value for m in at.markdown if m.value.startswith("**The pass:**"))
    assert "(#scores)" in overview and "(#probs)" in overview and "(#mlp)" in overview
    assert any("QKV: 192 x 576 + bias 576 in GPT-2 anatomy](gpt2_config?" in m.value for m in at.markdown)
    assert "def forward_pass" in at.get("code")[0].value


def test_the_next_token_shown_is_the_models_own_prediction(bundled):
    ids, out = model_output(bundled)
    at = open_page(temperature=0.5)
    assert not at.exception
    probs = torch.softmax(out.logits[0, -1] / 0.5, dim=-1)
    best = int(probs.argmax())
    said = next(m.value for m in at.markdown if m.value.startswith("After the prompt"))
    assert as_text(repr(bundled.tokenizer.decode([best]))) in said and f"{float(probs[best]):.1%}" in said


def test_the_score_written_out_is_the_models_attention_score(bundled):
    ids, out = model_output(bundled)
    at = open_page(layer=2, head=3, row=6, key=4)
    assert not at.exception and not at.warning
    weight = float(out.attentions[2][0, 3, 6, 4])
    cell = next(m.value for m in at.markdown if m.value.startswith("**scores[head 3][6, 4]**"))
    assert f"√{192 // 4}" in cell
    assert re.search(r"attention weight \*\*([0-9.e-]+)\*\*", cell).group(1) == f"{weight:.4g}"
    assert at.query_params["layer"] == "2" and at.query_params["row"] == "6"  # the view lives in the URL


def test_following_another_layer_head_or_token_does_not_run_the_pass_again(monkeypatch):
    st.cache_resource.clear()
    calls = []
    original = lesson.run_pass

    @functools.wraps(original)
    def counting(*args):
        calls.append(args[2])
        return original(*args)

    monkeypatch.setattr(lesson, "run_pass", counting)
    at = open_page(prompt="ROMEO: soft")
    at.number_input(key="inside_gpt.layer").set_value(3).run()
    at.number_input(key="inside_gpt.head").set_value(1).run()
    at.selectbox(key="inside_gpt.row").set_value(0).run()
    assert not at.exception and at.subheader[2].value == "block 3 · LayerNorm 1"
    assert len(calls) == 1
    at.text_area(key="inside_gpt.prompt").set_value("JULIET: soft").run()
    assert len(calls) == 2  # a new prompt is a new pass


def test_an_out_of_range_layer_or_head_from_a_link_warns_and_shows_block_0():
    at = open_page(layer=99, head=7)
    assert not at.exception and not at.error
    warned = [w.value for w in at.warning]
    assert any("`layer=99` could not be used" in w for w in warned) and any("`head=7`" in w for w in warned)
    assert at.number_input(key="inside_gpt.layer").value == 0 and at.subheader[2].value == "block 0 · LayerNorm 1"


def test_an_empty_prompt_says_so_and_the_controls_stay():
    at = open_page(prompt="   ")
    assert not at.exception
    assert [e.value for e in at.error] == ["Type a prompt: the pass needs at least one token to run."]
    at.text_area(key="inside_gpt.prompt").set_value("ROMEO:").run()
    assert not at.exception and not at.error and at.subheader[0].value == "Token ids"


def test_a_prompt_over_the_cap_is_cut_to_it_with_a_message(bundled):
    long = "ROMEO: " + "light " * 100
    at = open_page(prompt=long)
    assert not at.exception and not at.error
    n = len(bundled.tokenizer(long, add_special_tokens=False)["input_ids"])
    assert f"The prompt is {n} tokens; this page opens at most 64" in messages(at)
    shapes = [m.value for m in at.markdown if m.value.startswith("`ids (T=")]
    assert shapes == ["`ids (T=64)`"]


def test_a_bert_folder_is_refused_and_the_bundled_gpt_is_shown(tmp_path):
    folder = save_tiny_bert(tmp_path / "tiny-bert")
    at = open_page(model="local", model_dir=folder)
    assert not at.exception
    assert "BertForPreTraining" in messages(at) and "Showing the bundled shakespeare-gpt instead." in messages(at)
    assert any("GPT2LMHeadModel" in c.value for c in at.caption)
    assert at.subheader[0].value == "Token ids"  # the rest of the page works on the bundled model


def test_another_causal_lm_says_which_models_the_page_opens(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = tiny_tokenizer()
    torch.manual_seed(0)
    config = LlamaConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                         num_key_value_heads=2, vocab_size=len(tok))  # fmt: skip
    LlamaForCausalLM(config).save_pretrained(tmp_path / "llama")
    tok.save_pretrained(tmp_path / "llama")
    at = open_page(model="local", model_dir=tmp_path / "llama")
    assert not at.exception
    assert len(at.error) == 1 and "LlamaForCausalLM" in at.error[0].value and "distilgpt2" in at.error[0].value
    at.selectbox(key="inside_gpt.model").set_value("bundled").run()
    assert not at.exception and not at.error and at.subheader[0].value == "Token ids"


def test_a_steps_anatomy_link_opens_gpt2_anatomy_on_this_models_configuration(bundled):
    from urllib.parse import parse_qsl, urlsplit

    at = open_page()
    link = next(m.value for m in at.markdown if "QKV: 192 x 576" in m.value)
    url = re.search(r"\]\(([^)]+)\)", link).group(1)
    anatomy = AppTest.from_file(str(ROOT / "pages" / f"{urlsplit(url).path}.py"), default_timeout=120)
    anatomy.query_params.update(dict(parse_qsl(urlsplit(url).query)))
    anatomy.run()
    assert not anatomy.exception and not anatomy.error and not anatomy.warning
    c = bundled.model.config
    assert anatomy.number_input(key="gpt2_config.emb_dim").value == c.n_embd
    assert anatomy.number_input(key="gpt2_config.n_layers").value == c.n_layer
    assert anatomy.number_input(key="gpt2_config.vocab_size").value == c.vocab_size
    counted = next(m.value for m in anatomy.metric if m.label == "Analytic count")
    assert counted == f"{sum(p.numel() for p in bundled.model.parameters()):,}"


def test_a_one_token_prompt_is_a_whole_pass_of_one_row(bundled):
    at = open_page(prompt="ROMEO")
    assert not at.exception and not at.error
    ids = bundled.tokenizer("ROMEO", add_special_tokens=False)["input_ids"]
    assert len(ids) == 1 and any(m.value == "`ids (T=1)`" for m in at.markdown)
    assert any(m.value.startswith("**scores[head 0][0, 0]**") for m in at.markdown)
