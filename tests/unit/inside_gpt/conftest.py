"""The models every Inside GPT test runs on: the bundled GPT and a tiny random GPT-2 saved to a temporary folder,
both loaded the way the page loads them (playground.models: float32, eval, eager attention)."""

import pytest

from playground.models import load_model
from tests.unit.tiny_gpt import one_torch_thread, save_tiny  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("inside-gpt-tiny"))


@pytest.fixture(scope="module", params=["tiny", "bundled"])
def loaded(request, tiny_dir):
    return load_model("gpt", "bundled" if request.param == "bundled" else str(tiny_dir))
