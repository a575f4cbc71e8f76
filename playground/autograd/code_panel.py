""" "The code" panels of the Autograd page: its templates in `panels/`, filled in with the page's own numbers.

Run on its own, each prints the numbers the page shows; a unit test executes it and compares. A learner's input
reaches a panel only as the literal of a checked float or int, never as code.
"""

from __future__ import annotations

from pathlib import Path

from playground.autograd.neuron import NeuronPoint
from playground.code_panels import render

PANELS = Path(__file__).with_name("panels")


def neuron_code(point: NeuronPoint) -> str:
    return render(PANELS / "neuron.py", vars(point))


def descent_code(point: NeuronPoint, lr: float, steps: int) -> str:
    return render(PANELS / "descent.py", vars(point) | {"lr": float(lr), "steps": int(steps)})


def simple_net_code(seed: int) -> str:
    return render(PANELS / "simple_net.py", {"seed": int(seed)})
