"""The one way "the code" is made: switches keep the branch taken, settings fill in the page's values, and the
project's own functions arrive as their real source, with what they need and nothing else."""

import inspect
import textwrap

import pytest

from playground.code_panels import Code, literal, render
from playground.generation import filters
from tests.helpers import assert_self_contained, run_panel


def template(tmp_path, text: str):
    path = tmp_path / "panel.py"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_a_switch_keeps_only_the_branch_taken_and_its_own_line_goes(tmp_path):
    path = template(
        tmp_path,
        """
        # Which parts the settings switch on
        sampling = False

        if sampling:
            how = "drawn at random"
        else:
            how = "the most likely"
        for _ in range(2):
            if not sampling:
                print(how)
        """,
    )
    greedy = render(path, switches={"sampling": False})
    assert greedy == 'how = "the most likely"\nfor _ in range(2):\n    print(how)\n'
    sampled = render(path, switches={"sampling": True})
    assert "sampling" not in sampled and "Which parts" not in sampled
    assert sampled.endswith("for _ in range(2):\n    pass\n")  # a loop whose body a switch emptied still runs
    namespace, printed = run_panel(sampled)
    assert namespace["how"] == "drawn at random" and printed == ""


def test_a_setting_fills_the_first_assignment_of_its_name_and_a_missing_one_is_an_error(tmp_path):
    path = template(
        tmp_path,
        """
        seed = 0  # the page's seed
        seed = seed + 1
        """,
    )
    assert render(path, {"seed": 41}) == "seed = 41  # the page's seed\nseed = seed + 1\n"
    with pytest.raises(ValueError, match="no setting temperature"):
        render(path, {"temperature": 0.7})


def test_a_learners_text_arrives_as_a_literal_and_only_plain_data_is_written(tmp_path):
    path = template(tmp_path, 'text = "default"\nprint(text)\n')
    typed = 'say "hi"; import os\n\\'
    _, printed = run_panel(render(path, {"text": typed}))
    assert printed == typed + "\n"
    assert literal(["a", 1, 2.5, None, (True,)]) == '["a", 1, 2.5, None, (True,)]'
    assert literal(Code("torch.tensor([1])")) == "torch.tensor([1])"  # an expression the lesson wrote itself
    with pytest.raises(ValueError):
        literal(object())


def test_a_spliced_function_arrives_as_its_real_source_with_what_it_uses_and_nothing_else(tmp_path):
    path = template(
        tmp_path,
        """
        import torch

        from playground.generation.filters import apply_temperature, apply_top_k

        top_k_on = True
        scores = torch.tensor([[3.0, 1.0, 2.0]])
        if top_k_on:
            scores = apply_top_k(scores, 2)
        """,
    )
    source = render(path, switches={"top_k_on": True})
    assert inspect.getsource(filters.apply_top_k) in source
    assert 'NEG_INF = float("-inf")' in source  # a module-level name the function uses comes with it
    assert "apply_temperature" not in source  # imported, but nothing the panel keeps calls it
    assert "from playground" not in source
    assert_self_contained(source)
    namespace, _ = run_panel(source)
    assert namespace["scores"].tolist() == [[3.0, float("-inf"), 2.0]]


def test_an_import_that_a_switch_left_unused_goes_too(tmp_path):
    path = template(
        tmp_path,
        """
        import math

        import torch

        exact = True
        if exact:
            value = math.pi
        else:
            value = torch.pi
        """,
    )
    assert render(path, switches={"exact": True}).startswith("import math\n\nvalue = math.pi")
    assert render(path, switches={"exact": False}).startswith("import torch\n\nvalue = torch.pi")


def test_a_template_the_renderer_cannot_fold_or_splice_faithfully_is_refused_by_name(tmp_path):
    one_line = template(tmp_path, "on = True\nif on: x = 1\n")
    with pytest.raises(ValueError, match="lines of its own"):
        render(one_line, switches={"on": True})
    aliased = template(tmp_path, "from playground.generation.filters import apply_top_k as top_k\nprint(top_k)\n")
    with pytest.raises(ValueError, match="keeps its own name"):
        render(aliased)
    with pytest.raises(ValueError, match="no setting seed"):
        render(template(tmp_path, "x = 1\n"), {"seed": 3})


def test_a_setting_after_text_that_is_not_ascii_lands_where_it_belongs(tmp_path):
    path = template(tmp_path, 'word = "café"  # the default\nprint(word)\n')
    assert render(path, {"word": "naïve"}) == 'word = "naïve"  # the default\nprint(word)\n'


def test_an_else_with_a_comment_is_still_the_other_branch(tmp_path):
    path = template(tmp_path, "sampling = False\nif sampling:\n    a = 1\nelse:  # greedy\n    a = 2\n")
    assert render(path, switches={"sampling": False}) == "a = 2\n"
