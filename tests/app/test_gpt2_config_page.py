"""The GPT-2 anatomy page, driven through its controls and through the link a teacher would send."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "gpt2_config.py")
HF_GPT2_SMALL = dict(
    vocab_size="50257",
    context_length="1024",
    emb_dim="768",
    n_heads="12",
    n_layers="12",
    drop_rate="0.1",
    qkv_bias="true",
    tied="true",
)


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption, *at.info, *at.error, *at.warning])


def number(at: AppTest, name: str):
    return at.number_input(key=f"gpt2_config.{name}")


def test_the_lesson_config_opens_with_its_untied_count_checked_against_transformers():
    at = open_page()
    assert not at.exception and not at.error
    assert metric(at, "Analytic count") == "163,009,536"
    assert metric(at, "Per transformer block") == "7,085,568"
    shown = text(at)
    assert (
        "163,037,184" in shown and "✅ That matches the analytic count" in shown
    )  # transformers' count, minus the 27,648 QKV biases
    assert "27,648" in shown and "124,439,808" in shown and "124,412,160" in shown and "123.65M" in shown
    assert at.selectbox(key="gpt2_config.preset").value == "Lesson GPT_CONFIG_124M"
    assert at.query_params["vocab_size"] == "50257" and at.query_params["tied"] == "false"
    code = at.code[0].value
    assert '"vocab_size": 50257' in code and "tied = False" in code


def test_the_toggles_give_the_other_two_answers_to_124m():
    at = open_page()
    at.toggle(key="gpt2_config.tied").set_value(True).run()
    assert metric(at, "Analytic count") == "124,412,160"
    at.toggle(key="gpt2_config.qkv_bias").set_value(True).run()
    assert metric(at, "Analytic count") == "124,439,808"
    assert at.selectbox(key="gpt2_config.preset").value == "GPT-2 small (HF gpt2)"  # recognised as the preset
    assert at.query_params["qkv_bias"] == "true" and at.query_params["tied"] == "true"
    assert "✅ That matches the analytic count" in text(at) and not at.exception


def test_a_preset_sets_every_control_and_the_link():
    at = open_page()
    at.selectbox(key="gpt2_config.preset").set_value("GPT-2 XL (HF gpt2-xl)").run()
    assert not at.exception
    assert number(at, "emb_dim").value == 1600 and number(at, "n_heads").value == 25
    assert number(at, "n_layers").value == 48 and at.toggle(key="gpt2_config.qkv_bias").value is True
    assert metric(at, "Analytic count") == "1,557,611,200"
    assert at.query_params["n_layers"] == "48" and at.query_params["emb_dim"] == "1600"
    assert "✅ That matches the analytic count" in text(at)
    assert "cfg = {" in at.code[0].value and '"emb_dim": 1600' in at.code[0].value


def test_a_link_opens_exactly_that_model():
    at = open_page(**HF_GPT2_SMALL)
    assert not at.exception and not at.warning
    assert metric(at, "Analytic count") == "124,439,808"
    assert at.selectbox(key="gpt2_config.preset").value == "GPT-2 small (HF gpt2)"
    at = open_page(emb_dim="1024", n_heads="16", n_layers="24", qkv_bias="true", tied="true")
    assert metric(at, "Analytic count") == "354,823,168"  # Hugging Face's gpt2-medium


def test_bad_values_in_the_controls_get_clear_messages_and_no_traceback():
    at = open_page()
    number(at, "emb_dim").set_value(770).run()
    assert any("must be divisible by `n_heads`" in e.value for e in at.error)
    number(at, "emb_dim").set_value(768).run()
    number(at, "n_layers").set_value(0).run()
    assert any("`n_layers` must be at least 1" in e.value for e in at.error)
    number(at, "n_layers").set_value(-4).run()
    assert any("`n_layers` must be at least 1" in e.value for e in at.error)
    number(at, "n_layers").set_value(12).run()
    number(at, "drop_rate").set_value(1.0).run()
    assert any("`drop_rate` must be in [0, 1)" in e.value for e in at.error)
    number(at, "drop_rate").set_value(0.1).run()
    assert not at.error and metric(at, "Analytic count") == "163,009,536"
    number(at, "batch").set_value(0).run()
    assert any("`batch size` must be between 1" in e.value for e in at.error)
    number(at, "batch").set_value(8).run()
    number(at, "seq").set_value(4096).run()
    assert any("cannot exceed context_length (1,024)" in w.value for w in at.warning)
    assert number(at, "seq").value == 1024  # the sequence length follows the context down, and says so
    assert not at.error and not at.exception


def test_bad_values_in_a_link_are_explained_and_the_lesson_values_kept():
    at = open_page(emb_dim="76.5", n_heads="0", drop_rate="1.5", tied="maybe", vocab_size="lots")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for expected in (
        "emb_dim=76.5",
        "not a whole number",
        "n_heads=0",
        "drop_rate=1.5",
        "tied=maybe",
        "vocab_size=lots",
    ):
        assert expected in warnings
    assert metric(at, "Analytic count") == "163,009,536"


def test_absurd_sizes_still_get_exact_analytic_numbers():
    at = open_page(vocab_size=str(10**12))
    assert not at.exception
    assert metric(at, "Analytic count") == f"{163_009_536 + 2 * (10**12 - 50257) * 768:,}"
    biggest = str(10**15)  # every size at its cap: numbers far past 64-bit integers, still exact, no traceback
    at = open_page(vocab_size=biggest, context_length=biggest, emb_dim=biggest, n_heads="1", n_layers=biggest)
    assert not at.exception and not at.error
    assert "Check skipped" in text(at)  # even the meta device cannot build this
    d = 10**15
    assert metric(at, "Per transformer block") == f"{12 * d * d + 10 * d:,}"
    assert (
        metric(at, "Analytic count") == f"{d * (12 * d * d + 10 * d) + 3 * d * d + 2 * d:,}"
    )  # + token, position, head, final LN
