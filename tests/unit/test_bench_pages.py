"""The page benchmark's own rules, without a server or a browser: when a page counts as settled (the issue's rule),
which moment is its time, and how the figures are set beside the bare page's and judged against the targets."""

from pathlib import Path

from bench.bench_pages import (
    BARE_WIDGET,
    QUIET,
    WIDGETS,
    Row,
    app_pages,
    busy,
    generate_target,
    settled_at,
    summary,
    table,
)
from playground.autograd.text import INPUT_LABELS
from playground.tensors.lesson import OPERATION_CONTROLS
from playground.tokenization.tokens import MAX_CHARS

ROOT = Path(__file__).resolve().parents[2]


def state(t, state="notRunning", status=0, spinners=0, skeletons=0, chars=100, hash=1, frames=10):
    return dict(t=t, state=state, status=status, spinners=spinners, skeletons=skeletons, chars=chars, hash=hash,
                frames=frames)  # fmt: skip


def test_a_page_is_busy_while_its_script_runs_or_anything_still_loads_or_it_is_blank():
    assert not busy(state(0))
    assert busy(state(0, state="running"))
    assert busy(state(0, state="initial"))
    assert busy(state(0, status=1))  # the status widget in the corner
    assert busy(state(0, spinners=1))
    assert busy(state(0, skeletons=3))  # an element whose code is still loading
    assert busy(state(0, chars=0))


def test_settled_is_the_last_change_once_the_page_has_held_still_for_a_second():
    events = [state(10.0, state="running", chars=0), state(10.4, state="running"), state(10.9, hash=2)]
    assert settled_at(events, now=10.9 + QUIET - 0.01) is None  # not still for long enough yet
    assert settled_at(events, now=10.9 + QUIET) == 10.9  # the second of stillness is not part of the time
    assert settled_at(events, now=60.0) == 10.9


def test_a_page_still_busy_or_not_yet_changed_has_not_settled():
    assert settled_at([state(1.0, spinners=1)], now=100.0) is None  # a spinner left forever is never settled
    assert settled_at([state(1.0, skeletons=2)], now=100.0) is None
    assert settled_at([], now=100.0) is None  # nothing happened since the action


def test_after_a_widget_change_the_server_must_have_answered():
    """A calm page that has heard nothing from the server since the key press has only not started its rerun."""
    hint_gone = [state(5.0, frames=10)]  # the "Press Enter to apply" hint went away; no message yet
    assert settled_at(hint_gone, now=50.0, frames_before=10) is None
    answered = [*hint_gone, state(5.1, frames=11), state(5.12, frames=12)]  # the rerun's messages, no text changed
    assert settled_at(answered, now=50.0, frames_before=10) == 5.12


def row(title, first, bare_first, rerun=(), bare_rerun=()):
    return Row(title.lower(), title, list(first), list(bare_first), list(rerun), list(bare_rerun), "number input")


def test_figures_are_medians_set_beside_the_bare_page_as_ratios():
    figures = row("Autograd", [3.0, 9.0, 3.2], [1.0, 1.1, 0.9], [0.5, 0.6, 0.4], [0.2, 0.2, 0.25]).figures()
    assert figures["first"] == 3.2 and figures["bare_first"] == 1.0
    assert figures["first_ratio"] == 3.2
    assert figures["rerun"] == 0.5 and figures["rerun_ratio"] == 2.5


def test_the_table_prints_every_figure_its_ratio_and_whether_the_target_is_met():
    printed = table([row("Home", [1.03], [0.98]), row("Autograd", [3.11], [0.98], [0.54], [0.17])]).splitlines()
    home, autograd = printed[2], printed[3]
    assert home.split()[:5] == ["Home", "1.03", "0.98", "1.05x", "yes"]
    assert home.split()[5:9] == ["—", "—", "—", "—"]  # a page with no widget has no rerun
    assert autograd.split()[:9] == ["Autograd", "3.11", "0.98", "3.17x", "NO", "0.54", "0.17", "3.18x", "NO"]
    assert all(len(line) <= len(printed[1]) + 20 for line in printed[2:])  # one row a page, not wrapped


def test_the_summary_names_each_target_and_the_pages_that_miss_it():
    rows = [row("Home", [1.03], [0.98]), row("Autograd", [3.11], [0.98], [0.30], [0.17])]
    home_new = {"ratio": 1.4}
    generate = {"settled": 2.86, "target": generate_target(0.13, 0.17)}
    line, targets = summary(rows, home_new, generate)
    assert line.startswith("Targets met: 2 of 4.")
    assert "every first render ≤2x bare: missed by Autograd" in line
    assert targets["every rerun ≤2x bare"] == {"met": True, "missed_by": []}
    assert targets["home on a new server ≤1.5x bare"]["met"]
    assert targets["Generate ≤ decoding + 4x bare rerun"] == {"met": False, "missed_by": ["GPT generation"]}


def test_generation_may_take_its_decoding_time_and_four_bare_reruns():
    assert generate_target(0.13, 0.17) == 0.13 + 4 * 0.17


def test_every_page_in_the_navigation_is_benched_at_its_url_with_a_widget_to_change():
    pages = app_pages()
    assert pages[0] == ("", "Home")
    for slug, title in pages[1:]:
        assert (ROOT / "pages" / f"{slug}.py").exists(), title  # Streamlit serves pages/<slug>.py at /<slug>
        assert slug in WIDGETS, f"{title} has no widget in bench_pages.WIDGETS"
    assert {slug for slug, _ in pages} >= set(WIDGETS)


def test_widgets_are_named_as_the_pages_label_them():
    """The bench finds a widget by its label; where a page builds the label, the bench's must follow it."""
    assert WIDGETS["autograd"].label == INPUT_LABELS["w"]
    assert WIDGETS["tokenization"].label == f"Text (up to {MAX_CHARS:,} characters)"
    assert WIDGETS["tensors"].label in [c.label for c in OPERATION_CONTROLS["reshape"]]  # the default operation's
    for slug in ("gpt2_config", "bert", "gpt", "inside_gpt", "training"):  # written out in the page itself
        assert f'"{WIDGETS[slug].label}"' in (ROOT / "pages" / f"{slug}.py").read_text(), slug


def test_each_change_types_a_value_no_earlier_change_typed():
    """A cache that has seen the value would make the rerun look faster than a learner's first. Only Inside GPT's
    layer runs out (the bundled GPT has four layers), and a layer there only redraws a pass computed once."""
    for widget in [BARE_WIDGET, *WIDGETS.values()]:
        rounds = 4 if widget is not WIDGETS["inside_gpt"] else 3  # the warm-up and three measured rounds
        typed = [widget.value(n) for n in range(rounds)]
        assert len(set(typed)) == rounds, widget.label
