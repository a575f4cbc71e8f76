"""The model picker every model page shares: bundled by default, hub ids, a local folder, clear errors."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def picker_page():
    import streamlit as st

    from ui.models import model_picker
    from ui.state import PageState

    ps = PageState("picker")
    loaded = model_picker("gpt", ps)
    ps.show_warnings()
    st.write(f"loaded: {loaded.name} ({loaded.source})" if loaded else "loaded: nothing")
    ps.publish()


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def run(**link):
    at = AppTest.from_function(picker_page, default_timeout=120)
    for name, value in link.items():
        at.query_params[name] = value
    return at.run()


def shown(at):
    return [m.value for m in at.markdown if m.value.startswith("loaded:")][0]


def test_bundled_by_default():
    at = run()
    assert not at.exception and not at.error
    assert shown(at) == "loaded: bundled shakespeare-gpt (bundled)"
    assert "M parameters" in at.caption[0].value


def test_unreachable_hub_model_shows_the_reason_and_falls_back_to_bundled():
    at = run()
    at.selectbox[0].set_value("distilgpt2").run()
    assert not at.exception
    assert "distilgpt2" in at.error[0].value and "bundled" in at.error[0].value
    assert "Showing the bundled shakespeare-gpt instead." in [w.value for w in at.warning]
    assert shown(at) == "loaded: bundled shakespeare-gpt (bundled)"
    assert at.query_params["model"] == "distilgpt2"


def test_local_folder_from_the_link(tmp_path):
    import transformers

    from playground.models import GPT_DIR

    tok = transformers.AutoTokenizer.from_pretrained(GPT_DIR)
    config = transformers.GPT2Config(vocab_size=len(tok), n_positions=32, n_embd=16, n_layer=1, n_head=2)
    transformers.GPT2LMHeadModel(config).save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    at = run(model="local", model_dir=str(tmp_path / "tiny"))
    assert not at.exception and not at.error
    assert shown(at) == f"loaded: {tmp_path / 'tiny'} (local)"


def test_missing_local_folder_says_so(tmp_path):
    at = run(model="local", model_dir=str(tmp_path / "no-such-folder"))
    assert f"There is no folder at `{tmp_path / 'no-such-folder'}`" in at.error[0].value
    assert shown(at) == "loaded: bundled shakespeare-gpt (bundled)"


def test_a_folder_outside_the_allowed_roots_is_refused_by_the_setting_that_allows_more(tmp_path, monkeypatch):
    from playground.server_paths import ROOTS_ENV

    monkeypatch.setenv(ROOTS_ENV, str(tmp_path / "allowed"))
    said = {}
    for folder in ("/etc", "/no/such/folder", str(tmp_path)):
        at = run(model="local", model_dir=folder)
        assert not at.exception and shown(at) == "loaded: bundled shakespeare-gpt (bundled)"
        said[folder] = at.error[0].value.replace(f"`{folder}`", "PATH")
        assert ROOTS_ENV in said[folder] and "Showing the bundled shakespeare-gpt instead." in at.warning[-1].value
    assert len(set(said.values())) == 1  # a learner can't tell which of them exist


def test_unknown_choice_in_the_link_falls_back_with_a_warning():
    at = run(model="gpt-17")
    assert any("model=gpt-17" in w.value for w in at.warning)
    assert shown(at) == "loaded: bundled shakespeare-gpt (bundled)"
