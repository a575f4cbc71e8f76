"""The offline bertviz renderer and the one-head heatmap: what a learner sees must not depend on the internet."""

import json
import re

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel

from playground.attention.heatmap import attention_heatmap, head_matrix
from playground.attention.views import (
    D3_FILE,
    JQUERY_FILE,
    MAX_BERTVIZ_TOKENS,
    cap_for_bertviz,
    head_view_html,
    model_view_html,
)


def _tiny_attentions(seq: int, layers: int = 2, heads: int = 2):
    """Real attention weights from a tiny random BERT with eager attention (rows sum to 1)."""
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=50,
        hidden_size=8,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=16,
        max_position_embeddings=256,
        attn_implementation="eager",
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    with torch.no_grad():
        out = model(torch.randint(0, 50, (1, seq)), output_attentions=True)
    return out.attentions


def _params(html: str) -> dict:
    """The JSON bertviz's JS receives."""
    start = html.index("const params = ") + len("const params = ")
    return json.JSONDecoder().raw_decode(html, start)[0]


def _script_srcs(html: str) -> list[str]:
    return re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.IGNORECASE)


@pytest.mark.parametrize("render", [head_view_html, model_view_html])
def test_html_loads_no_script_from_anywhere_and_inlines_d3_and_jquery(render):
    html = render(_tiny_attentions(6), [f"w{i}" for i in range(6)])
    assert _script_srcs(html) == []
    assert "require.min.js" not in html and "cdnjs" not in html
    assert D3_FILE.read_text(encoding="utf-8").strip() in html
    assert JQUERY_FILE.read_text(encoding="utf-8").strip() in html
    assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


@pytest.mark.parametrize("render", [head_view_html, model_view_html])
def test_on_the_pages_d3_and_jquery_come_from_the_apps_own_server_never_a_cdn(render):
    """The pages' views leave the two libraries out and name the app's static route instead: the browser fetches
    them once from this server and keeps them, instead of 330 kB arriving inside every drawing of every view."""
    import tomllib

    from playground import REPO

    html = render(_tiny_attentions(6), [f"w{i}" for i in range(6)], served_scripts=True)
    assert _script_srcs(html) == ["app/static/d3-5.16.0.min.js", "app/static/jquery-3.8.0.min.js"]
    assert D3_FILE.read_text(encoding="utf-8").strip() not in html and "cdnjs" not in html
    assert len(html) < len(render(_tiny_attentions(6), [f"w{i}" for i in range(6)])) - 300_000
    served = REPO / "static"  # what Streamlit serves at /app/static/
    assert (served / D3_FILE.name).read_bytes() == D3_FILE.read_bytes()
    assert (served / JQUERY_FILE.name).read_bytes() == JQUERY_FILE.read_bytes()
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True


def test_vendored_files_are_the_versions_bertviz_needs():
    assert D3_FILE.read_text(encoding="utf-8").startswith("// https://d3js.org v5.")
    assert "jQuery v3." in JQUERY_FILE.read_text(encoding="utf-8")[:200]


def test_a_token_that_spells_a_closing_script_tag_cannot_break_out():
    tokens = ["[CLS]", "</script>", "<b>", "&", "[SEP]"]
    html = head_view_html(_tiny_attentions(5), tokens)
    # The only closing tags are the ones we wrote: d3, jquery, shim, bertviz.
    assert html.lower().count("</script>") == 4
    assert _params(html)["attention"][0]["left_text"] == tokens


def test_params_carry_the_exact_attention_weights():
    attentions = _tiny_attentions(4)
    html = head_view_html(attentions, list("abcd"))
    params = _params(html)
    shown = np.array(params["attention"][0]["attn"])
    expected = torch.stack([a[0] for a in attentions]).numpy()
    np.testing.assert_allclose(shown, expected, rtol=1e-6)


def test_sentence_pair_adds_the_a_b_filters():
    html = model_view_html(_tiny_attentions(7), list("abcdefg"), sentence_b_start=4)
    for name in ("Sentence A -> Sentence A", "Sentence B -> Sentence A"):
        assert name in html


def test_long_input_is_capped_with_a_note():
    seq = MAX_BERTVIZ_TOKENS + 6
    attentions = _tiny_attentions(seq)
    layers, tokens, total = cap_for_bertviz(attentions, [str(i) for i in range(seq)])
    assert total == seq and len(tokens) == MAX_BERTVIZ_TOKENS
    assert layers[0].shape[-1] == MAX_BERTVIZ_TOKENS
    html = head_view_html(attentions, [str(i) for i in range(seq)])
    assert f"Showing the first {MAX_BERTVIZ_TOKENS} of {seq} tokens" in html
    assert "Showing the first" not in head_view_html(_tiny_attentions(5), list("abcde"))


def test_mismatched_tokens_and_missing_attention_say_what_is_wrong():
    with pytest.raises(ValueError, match="4 positions but 3 tokens"):
        head_view_html(_tiny_attentions(4), ["a", "b", "c"])
    with pytest.raises(ValueError, match="eager"):
        model_view_html((), [])
    with pytest.raises(ValueError, match="layer 5 does not exist"):
        head_view_html(_tiny_attentions(4), list("abcd"), layer=5)


def test_numpy_and_three_dimensional_inputs_are_accepted():
    attentions = [a[0].numpy() for a in _tiny_attentions(3)]
    assert "const params = " in head_view_html(attentions, list("xyz"))


def test_heatmap_shows_one_head_exactly_with_every_token():
    attentions = _tiny_attentions(80, layers=3, heads=2)
    tokens = ["the"] * 80  # repeated tokens must stay separate rows
    figure = attention_heatmap(attentions, tokens, layer=2, head=1)
    z = np.array(figure.data[0].z)
    np.testing.assert_allclose(z, attentions[2][0, 1].numpy(), rtol=1e-6)
    np.testing.assert_allclose(z.sum(axis=1), 1.0, atol=1e-5)
    assert len(set(figure.data[0].y)) == 80
    assert torch.equal(head_matrix(attentions, 0, 0), attentions[0][0, 0])


def test_heatmap_rejects_heads_and_layers_that_do_not_exist():
    attentions = _tiny_attentions(3)
    with pytest.raises(ValueError, match="head 2 does not exist"):
        attention_heatmap(attentions, list("abc"), layer=0, head=2)
    with pytest.raises(ValueError, match="layer -1 does not exist"):
        attention_heatmap(attentions, list("abc"), layer=-1, head=0)
