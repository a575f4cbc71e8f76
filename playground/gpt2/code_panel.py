""" "The code" of the GPT-2 anatomy page: `panels/anatomy.py` rebuilds the model on the meta device and recomputes
every number the page shows, from the page's configuration; a test executes it and compares with the backend."""

from __future__ import annotations

from pathlib import Path

from playground.code_panels import Code, render
from playground.gpt2.config import GPTConfig

TEMPLATE = Path(__file__).with_name("panels") / "anatomy.py"


def _float_literal(x: float) -> Code:
    """Exact and readable: 10_000_000_000.0 rather than 1e10 or 10000000000.0."""
    x = float(x)
    return Code(f"{x:_.1f}" if x.is_integer() and abs(x) < 1e21 else repr(x))


def anatomy_code(
    config: GPTConfig, batch: int, seq: int, recompute: str, training_tokens: float, throughput: float
) -> str:
    cfg = config.as_dict()
    settings = {"cfg": cfg, "tied": cfg.pop("tied"), "batch": batch, "seq": seq, "recompute": recompute}
    settings |= {"training_tokens": _float_literal(training_tokens), "throughput": _float_literal(throughput)}
    return render(TEMPLATE, settings)
