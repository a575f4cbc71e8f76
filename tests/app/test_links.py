"""One link-value policy on every page: a value the page can't use falls back to the default, and a warning names
the parameter and the value. Nothing is clamped silently, and nothing crashes."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "pages"

BAD_LINKS = [
    ("tensors", "row", "500", ("number_input", "tensors.row", 0), {"op": "matmul"}),
    ("tensors", "dim0", "9", ("number_input", "tensors.dim0", 0), {"op": "transpose", "t_kind": "transpose"}),
    ("autograd", "steps", "999", ("slider", "autograd.steps", 30), {}),
    ("gpt2_config", "batch", "0", ("number_input", "gpt2_config.batch", 8), {}),
    ("tokenization", "bert", "no-such-tokenizer", ("selectbox", "tokenizers.bert", "bundled"), {}),
    ("bert", "k", "99", ("slider", "bert.k", 5), {}),
    ("gpt", "top_p", "7", ("slider", "gpt.top_p", 1.0), {"method": "sampling"}),
    ("training", "epochs", "1000", ("number_input", "training.epochs", 5), {"task": "digits"}),
    ("training", "strategy", "horovod", ("radio", "training.strategy", "ddp"), {"task": "digits"}),
    ("training", "task", "tensorflow", ("radio", "training.task", "gpt"), {}),
    ("training", "layers", "99", ("number_input", "training.layers", 4), {}),
]


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PLAYGROUND_RUNS_DIR", str(tmp_path / "runs"))


@pytest.mark.parametrize("page, name, value, widget, others", BAD_LINKS, ids=[f"{p}-{n}" for p, n, *_ in BAD_LINKS])
def test_an_unusable_link_value_warns_and_the_page_shows_the_default(page, name, value, widget, others):
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    for key, text in {**others, name: value}.items():
        at.query_params[key] = text
    at.run()
    assert not at.exception
    assert any(f"`{name}={value}` could not be used" in w.value for w in at.warning), [w.value for w in at.warning]
    kind, key, default = widget
    assert getattr(at, kind)(key=key).value == default


def test_a_bad_value_for_a_control_drawn_late_on_the_page_is_still_warned_about():
    at = AppTest.from_file(str(PAGES / "gpt.py"), default_timeout=120)
    at.query_params.update({"view": "heatmap", "layer": "99"})
    at.run()
    assert not at.exception
    assert any("`layer=99` could not be used" in w.value for w in at.warning)
    assert at.selectbox(key="gpt.layer").value == 0
