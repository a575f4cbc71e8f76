"""Each step links to the GPT-2 anatomy row holding its parameters, labelled as that table writes the row, and the
link opens the anatomy page on this very model (its configuration read back through the page's own parsers)."""

from urllib.parse import parse_qsl, urlsplit

from transformers import GPT2Config

from playground.gpt2.config import PARSERS, GPTConfig
from playground.gpt2.params import total
from playground.inside_gpt.anatomy import anatomy_config, links


def test_gpt2_small_rows_read_as_the_anatomy_table_writes_them():
    found = links(GPT2Config())
    assert [label for label, _ in found["qkv"]] == ["QKV: 768 x 2,304 + bias 2,304 in GPT-2 anatomy"]
    assert [label for label, _ in found["embed"]] == [
        "Token embedding: 50,257 x 768 in GPT-2 anatomy",
        "Position embedding: 1,024 x 768 in GPT-2 anatomy",
    ]
    assert found["mlp"][0][0] == "MLP up: 768 x 3,072 + bias 3,072 in GPT-2 anatomy"
    assert found["logits"][0][0] == "LM head: shares the token embedding (tied) in GPT-2 anatomy"


def test_the_link_carries_the_models_configuration(loaded):
    url = links(loaded.model.config)["ln1"][0][1]
    parts = urlsplit(url)
    assert parts.path == "gpt2_config"
    query = dict(parse_qsl(parts.query))
    assert int(query.pop("seq")) == min(1024, loaded.model.config.n_positions)  # the memory estimate's tokens
    read = {name: PARSERS[name](value) for name, value in query.items()}
    assert GPTConfig(**read) == anatomy_config(loaded.model.config)
    # the anatomy page's count of that configuration is this model's parameter count
    assert total(GPTConfig(**read)) == sum(p.numel() for p in loaded.model.parameters())


def test_a_model_whose_mlp_is_not_4d_wide_gets_no_mlp_row():
    assert "mlp" not in links(GPT2Config(n_inner=1000)) and "qkv" in links(GPT2Config(n_inner=1000))
