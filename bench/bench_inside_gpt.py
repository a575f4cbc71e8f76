"""What does opening the pass cost? The Inside GPT page's pass plus its figures against the model's own forward.

Both run side by side in this one process, on a GPT-2 small-shaped model (GPT2LMHeadModel(GPT2Config()): 124M
random weights, the same shapes and cost as gpt2, which can't be downloaded offline) and 64 prompt tokens,
alternating rounds so that load from other processes hits both alike.

- "forward": `model(ids)`, the model's own forward call, eager attention as the page loads it.
- "page": what a new prompt costs the page: `lesson.run_pass` (the pass by hand, every intermediate kept), then
  every figure and text of one view (the steps of a layer, the score cell, the next-token chart), each figure
  turned into its JSON spec the way `st.plotly_chart` does it (`to_dict`, then `plotly.io.to_json`).
- "redraw": what picking another layer, head or token costs: the same figures, the pass taken from the cache.

Target: page at most 2x forward.

    .venv/bin/python bench/bench_inside_gpt.py
    .venv/bin/python bench/bench_inside_gpt.py --rounds 9 --tokens 64 --threads 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import plotly.io
import plotly.tools
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.inside_gpt import lesson  # noqa: E402
from playground.inside_gpt.cell import score_cell, written_out  # noqa: E402
from playground.inside_gpt.figures import distribution_chart, heatmap  # noqa: E402
from playground.inside_gpt.next_token import top_rows  # noqa: E402
from playground.inside_gpt.steps import View, steps  # noqa: E402

TARGET = 2.0


def sent(figure) -> int:
    """What st.plotly_chart does with a figure before it sends it (streamlit/elements/plotly_chart.py)."""
    spec = plotly.tools.return_figure_from_figure_or_data(figure, validate_figure=True)
    return len(plotly.io.to_json(spec, validate=False))


def draw(p, config, view: View, labels: list[str]) -> int:
    """Every figure and text one view of the page makes; returns the bytes plotly would send."""
    name = str  # token id -> text; the page decodes with the tokenizer, a few microseconds a token
    size = 0
    for step in steps(p, config, view, labels, name):
        for panel in step.panels:
            size += sent(heatmap(panel))
    written_out(score_cell(p, view.layer, view.head, view.row, view.key), labels)
    return size + sent(distribution_chart(top_rows(p, view.row, view.temperature, name), view.temperature))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(attn_implementation="eager")).eval()
    ids = tuple(torch.randint(0, model.config.vocab_size, (args.tokens,)).tolist())
    labels = [f"{i} t{t}" for i, t in enumerate(ids)]
    view = View(layer=5, head=3, row=args.tokens - 1, key=args.tokens // 2, temperature=0.8)
    batch = torch.tensor([ids])

    def forward():
        with torch.no_grad():
            model(batch)

    cached = lesson.run_pass(model, None, ids)

    def page():
        draw(lesson.run_pass(model, None, ids), model.config, view, labels)

    def redraw():
        draw(cached, model.config, view, labels)

    for warm in (forward, page, redraw):
        warm()
    times = {"forward": [], "page": [], "redraw": []}
    for _ in range(args.rounds):
        for label, run in (("forward", forward), ("page", page), ("redraw", redraw)):
            start = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - start)
    med = {label: statistics.median(values) for label, values in times.items()}
    size = draw(cached, model.config, view, labels)
    print(
        f"GPT-2 small shape (124M, random weights), {args.tokens} tokens, {args.threads} threads, {args.rounds} rounds"
    )
    for label, value in med.items():
        print(f"  {label:8s} median {value * 1000:8.1f} ms   (min {min(times[label]) * 1000:.1f} ms)")
    ratio = med["page"] / med["forward"]
    # other processes stall torch's threads far more than plotly's one: on a busy machine read the fastest rounds too
    print(f"  fastest rounds: page / forward = {min(times['page']) / min(times['forward']):.2f}x")
    print(f"  page / forward = {ratio:.2f}x (target at most {TARGET:g}x); redraw / forward = "
          f"{med['redraw'] / med['forward']:.2f}x; figures send {size / 1e6:.2f} MB of JSON")  # fmt: skip
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
