"""Whatever a link or a text box carries reaches the page as text, never as markdown: a backtick in a value must not
turn the rest of it into a live link, an image the browser fetches, or HTML (issue 19). Every page is opened with a
payload in each of its link parameters, and each text box whose content a message repeats; the markdown of every
element drawn is then parsed with a CommonMark parser and must hold no link, image or HTML pointing at the payload's
host. A message names a value it quotes, cut short; and a bad value is warned about even when the page stops early.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import AlertBase, Block, HeadingBase, Markdown, Toast

from tests.unit.test_url_values import ISSUE_PAYLOAD, PAYLOAD, code_spans, injected, rendered_text

PAGES = Path(__file__).resolve().parents[2] / "pages"

# page -> (the other link values that make a setting's control appear, the settings then read), covering every
# setting a page puts in its link (test_every_setting_a_page_links_to_is_covered keeps this table whole)
SETTINGS = {
    "tensors": [
        ({}, ("source", "preset", "dtype", "grad", "op", "method", "new_shape", "t_first", "contiguous")),
        ({"op": "transpose", "t_kind": "transpose"}, ("t_kind", "dim0", "dim1")),
        ({"op": "transpose", "t_kind": "permute"}, ("perm",)),
        ({"op": "matmul"}, ("B", "row", "col")),
        ({"op": "matmul", "preset": "3D"}, ("batch",)),
        ({"op": "elementwise"}, ("operator", "other")),
        ({"op": "reduce"}, ("reduction", "dim", "keepdim")),
        ({"source": "typed"}, ("literal",)),
        ({"source": "random"}, ("shape", "seed")),
    ],
    "autograd": [({}, ("b", "lr", "param", "seed", "step", "steps", "w", "x", "y"))],
    "gpt2_config": [
        (
            {},
            ("vocab_size", "context_length", "emb_dim", "n_heads", "n_layers", "drop_rate", "qkv_bias", "tied")
            + ("batch", "seq", "recompute", "tokens_b", "tflops"),
        )
    ],
    "tokenization": [
        ({}, ("bert", "gpt", "text")),
        ({"bert": "other-hub", "gpt": "other-hub"}, ("bert_id", "gpt_id")),
        ({"bert": "local", "gpt": "local"}, ("bert_dir", "gpt_dir")),
    ],
    "bert": [
        ({}, ("model", "text", "masked", "rule", "seed", "k", "quiz", "quiz_n", "a", "b", "attn_input", "view")),
        ({}, ("head_seed",)),
        ({"model": "other-hub"}, ("model_id",)),
        ({"model": "local"}, ("model_dir",)),
    ],
    "gpt": [
        ({}, ("model", "prompt", "max_new", "method", "temperature", "top_k", "top_p", "penalty", "seed", "view")),
        ({"method": "beam"}, ("beams",)),
        ({"method": "sampling"}, ("n",)),
        ({"view": "heatmap"}, ("layer", "head")),
        ({"model": "other-hub"}, ("model_id",)),
        ({"model": "local"}, ("model_dir",)),
    ],
    "training": [
        ({}, ("task", "workers", "init", "layers", "heads", "width", "context", "windows", "accum", "peak_lr")),
        ({}, ("steps", "eval_every", "prompt", "minutes", "crash_rank", "crash_step", "run")),
        ({"task": "digits"}, ("strategy", "workers", "dataset", "epochs", "batch", "lr", "max_steps", "crash_rank")),
        ({"task": "digits", "dataset": "mnist"}, ("data_dir", "download")),
    ],
    "inside_gpt": [({}, ("model", "prompt", "layer", "head", "row", "key", "temperature"))],
}
# Text boxes take any text: there is nothing to warn about, but a message that repeats one must quote it.
TEXT = {"new_shape", "perm", "B", "other", "literal", "shape", "text", "prompt", "a", "b", "run", "data_dir"}
TEXT |= {"bert_id", "gpt_id", "bert_dir", "gpt_dir", "model_id", "model_dir"}
ECHOED = {"new_shape", "perm", "B", "other", "literal", "shape", "run", "bert_id", "gpt_id", "model_id"}
ECHOED |= {"bert_dir", "gpt_dir", "model_dir"}
CASES = [(page, others, name) for page, contexts in SETTINGS.items() for others, names in contexts for name in names]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PLAYGROUND_RUNS_DIR", str(tmp_path / "runs"))


def open_page(page: str, **link) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    for name, value in link.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_bodies(node) -> list[str]:
    """The markdown of every element drawn: texts, captions, alerts, headings, toasts, and every label and help."""
    bodies = []
    for child in node.children.values() if isinstance(node, Block) else ():
        if isinstance(child, (Markdown, AlertBase, HeadingBase, Toast)):
            bodies.append(child.value)
        for attribute in ("label", "help"):
            if isinstance(text := getattr(child, attribute, None), str):
                bodies.append(text)
        bodies += markdown_bodies(child)
    return bodies


def shown(at: AppTest) -> list[str]:
    return markdown_bodies(at.main) + markdown_bodies(at.sidebar)


def assert_no_injection(at: AppTest) -> None:
    found = {body[:120]: injected(body) for body in shown(at) if injected(body)}
    assert not found, found


@pytest.mark.parametrize("page, others, name", CASES, ids=[f"{p}-{n}" for p, _, n in CASES])
def test_a_link_value_reaches_the_page_as_text_never_as_markdown(page, others, name):
    at = open_page(page, **{**others, name: PAYLOAD})
    assert_no_injection(at)
    spans = [span for body in shown(at) for span in code_spans(body)]
    if name not in TEXT:  # refused, and the warning quotes what was refused
        assert any(span.startswith(f"{name}={PAYLOAD[:20]}") for span in spans), [w.value for w in at.warning]
    if name in ECHOED:  # the message about the typed text repeats it, as text
        assert any(PAYLOAD[:12] in rendered_text(body) for body in shown(at)), shown(at)  # a path's // is one /


@pytest.mark.parametrize(
    "page, link",
    [
        ("autograd", {"x": ISSUE_PAYLOAD}),
        ("training", {"run": ISSUE_PAYLOAD}),
        ("tensors", {"source": "typed", "literal": ISSUE_PAYLOAD}),
    ],
    ids=["autograd-x", "training-run", "tensors-literal"],
)
def test_the_links_of_issue_19_show_no_link_and_fetch_no_image(page, link):
    at = open_page(page, **link)
    assert_no_injection(at)
    assert any(ISSUE_PAYLOAD[:30] in rendered_text(body) for body in shown(at))  # the value is shown as typed


def test_every_setting_a_page_links_to_is_covered():
    for page, contexts in SETTINGS.items():
        listed = {name for _, names in contexts for name in names}
        for others, _ in contexts:
            linked = set(open_page(page, **others).query_params)
            assert linked <= listed, f"{page} with {others} links {sorted(linked - listed)}, not tested above"


# ---- a long value is named, not printed ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "page, link",
    [("autograd", {"x": "9" * 50_000 + "x" * 50_000}), ("tensors", {"source": "typed", "literal": "[" * 100_000})],
    ids=["link-warning", "tensor-literal"],
)
def test_a_100000_character_value_is_quoted_once_cut_short_with_its_length(page, link):
    at = open_page(page, **link)
    value = next(iter(link.values())) if page == "autograd" else link["literal"]
    messages = [m.value for m in [*at.warning, *at.error] if value[:40] in m.value]
    assert len(messages) == 1 and "(100,000 characters)" in messages[0], [m[:200] for m in messages]
    assert len(messages[0]) < 400 and messages[0].count(value[:40]) == 1


# ---- GPT-2 anatomy: the memory and compute settings are warned about even when the page stops above them --------
LATE = [("batch", "abc", "8"), ("seq", "0", "1024"), ("recompute", "sometimes", "none")]
LATE += [("tokens_b", "-1", "10.0"), ("tflops", "fast", "100.0")]


@pytest.mark.parametrize("name, value, default", LATE, ids=[n for n, *_ in LATE])
def test_gpt2_a_late_setting_is_warned_about_when_the_configuration_stops_the_page(name, value, default):
    at = open_page("gpt2_config", emb_dim="7", **{name: value})  # 7 is no multiple of 12 heads: the page stops
    assert any("must be divisible" in e.value for e in at.error)
    assert any(f"`{name}={value}` could not be used" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.query_params[name] == default  # the link now says what the page will use


@pytest.mark.parametrize("name, value, default", LATE[3:], ids=[n for n, *_ in LATE[3:]])
def test_gpt2_a_compute_setting_is_warned_about_when_the_workload_stops_the_page(name, value, default):
    at = open_page("gpt2_config", batch="2000000", **{name: value})  # over the batch cap: the page stops at Memory
    assert any("`batch size` must be between" in e.value for e in at.error)
    assert any(f"`{name}={value}` could not be used" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.query_params[name] == default


@pytest.mark.parametrize("name, value, default", LATE, ids=[n for n, *_ in LATE])
def test_gpt2_a_late_setting_is_warned_about_once_at_the_top(name, value, default):
    at = open_page("gpt2_config", **{name: value})
    warned = [w.value for w in at.warning if f"`{name}={value}`" in w.value]
    assert len(warned) == 1 and at.query_params[name] == default
