"""The GPT page, run by Streamlit's AppTest on the bundled model: what a learner sees for each setting."""

import html
import re

import pytest
import torch
from streamlit.testing.v1 import AppTest

from app import ROOT
from tests.unit.tiny_gpt import one_torch_thread  # noqa: F401 (autouse fixture)

PAGE = str(ROOT / "pages" / "gpt.py")


@pytest.fixture(scope="module")
def bundled():
    from playground.models import load_model

    return load_model("gpt", "bundled")


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update({k: str(v) for k, v in query.items()})
    return at.run()


def shown_texts(at) -> list[str]:
    """The generated texts, read back from the coloured-token HTML (one box per sequence)."""
    texts = []
    for element in at.get("html"):
        body = element.proto.body
        if 'title="p = ' in body:
            plain = html.unescape(re.sub(r"<[^>]+>", "", body.replace("↵<br>", "\n")))
            texts.append(plain)
    return texts


def notes(at) -> str:
    return " ".join(x.value for x in list(at.info) + list(at.warning) + list(at.error))


def test_default_is_the_lessons_greedy_generation_token_for_token(bundled):
    at = open_page()
    assert not at.exception
    assert at.text_area[0].value == "ROMEO:"
    prompt_ids = bundled.tokenizer("ROMEO:", add_special_tokens=False, return_tensors="pt").input_ids
    assert at.number_input[0].value == 50 - prompt_ids.shape[1]  # generate(max_length=50) counts the prompt
    eos = bundled.tokenizer.eos_token_id
    with torch.no_grad():
        expected = bundled.model.generate(
            prompt_ids,
            attention_mask=torch.ones_like(prompt_ids),
            max_length=50,
            do_sample=False,
            num_return_sequences=1,
            pad_token_id=eos,
            eos_token_id=eos,
        )
    assert shown_texts(at) == [bundled.tokenizer.decode(expected[0], skip_special_tokens=True)]
    n_new = expected.shape[1] - prompt_ids.shape[1]
    assert any(m.value.startswith(f"At step {n_new} the model had read {49} tokens") for m in at.markdown)
    assert "for step in range" in at.get("code")[0].value
    assert len(at.get("iframe")) == 1  # bertviz head view of the text so far


def test_picking_a_step_shows_that_steps_probability(bundled):
    at = open_page()
    at.slider(key="gpt.step").set_value(5).run()
    assert not at.exception
    step_text = next(m.value for m in at.markdown if m.value.startswith("At step"))
    assert step_text.startswith("At step 5 the model had read")
    probability = float(re.search(r"probability \*\*([0-9.]+)\*\*", step_text).group(1))
    sequence = shown_texts(at)[0]
    ids = bundled.tokenizer(sequence, add_special_tokens=False, return_tensors="pt").input_ids[0]
    prompt_len = len(bundled.tokenizer("ROMEO:", add_special_tokens=False).input_ids)
    with torch.no_grad():
        probs = bundled.model(ids[None]).logits[0].softmax(-1)
    position = prompt_len + 4
    assert probability == pytest.approx(probs[position - 1, ids[position]].item(), abs=1e-3)


def test_seeded_sampling_is_reproducible_and_the_seed_matters():
    at = open_page(method="sampling", temperature=1.2, seed=7, max_new=30)
    assert not at.exception
    first = shown_texts(at)
    at.button[0].click().run()
    assert shown_texts(at) == first
    at.number_input(key="gpt.seed").set_value(8).run()
    at.button[0].click().run()
    assert shown_texts(at) != first


def test_several_sequences_and_beam_search():
    at = open_page(method="sampling", n=3, max_new=10, seed=1)
    assert not at.exception and len(shown_texts(at)) == 3
    at = open_page(method="beam search", beams=3, n=2, max_new=10)
    assert not at.exception and len(shown_texts(at)) == 2


@pytest.mark.parametrize(
    "query,message",
    [
        (dict(prompt=""), "prompt is empty"),
        (dict(max_new=5000), "capped at 200"),
        (dict(method="sampling", temperature=0), "greedy"),
        (dict(method="sampling", top_p=0), "Top-p 0"),
        (dict(method="sampling", top_k=999999), "vocabulary size"),
        (dict(prompt="Romeo, Romeo, wherefore art thou? " * 300, max_new=20), "truncated from the left"),
        (dict(temperature=7), "could not be used"),
    ],
    ids=["empty", "too-many-tokens", "temperature-0", "top-p-0", "top-k-too-big", "long-prompt", "bad-url-value"],
)
def test_bad_input_gets_a_message_and_still_a_result(query, message):
    at = open_page(**query)
    assert not at.exception
    assert message in notes(at)
    assert shown_texts(at), "no generated text shown"


def test_settings_live_in_the_url():
    at = open_page(prompt="JULIET:", method="sampling", top_k=40, top_p=0.9, seed=3, max_new=12)
    assert not at.exception
    assert at.text_area[0].value == "JULIET:"
    assert at.radio[0].value == "sampling"
    assert shown_texts(at)[0].startswith("JULIET:")
    at.text_area[0].input("KING:").run()
    assert at.query_params["prompt"] in ("KING:", ["KING:"])
    assert at.query_params["top_k"] in ("40", ["40"])


def test_past_bertviz_cap_the_attention_is_a_heatmap_of_every_token_the_model_read():
    at = open_page(max_new=80)  # the last step has read 81 tokens, more than bertviz's 64
    assert not at.exception
    assert not at.get("iframe")  # no head view cut to its first 64 tokens: a GPT's last tokens matter most
    import json

    heatmap = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert heatmap["type"] == "heatmap" and len(heatmap["y"]) > 64
