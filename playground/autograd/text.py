"""The words of the Autograd page, kept beside the code they explain rather than inside the page file."""

INTRO = (
    "One sigmoid neuron learning one example, the lesson's running example: **z = x·w + b**, **a = σ(z)**, "
    "**L = BCE(a, y)**. Change the numbers and every value, gradient and graph below follows. At x = 1.1, y = 1, "
    "w = 2.2, b = 0 PyTorch gives ∂L/∂w = −0.0898 and ∂L/∂b = −0.0817."
)
INPUT_LABELS = {"x": "x (input)", "w": "w (weight)", "b": "b (bias)", "y": "y (label, 0…1)"}
GRAPH = (
    "Every box is a value: its **data** from the forward pass and its **grad**, ∂L/∂(that value), from the backward "
    "pass. Each edge carries the **local derivative** of the box it enters with respect to the box it leaves. Walk "
    "the passes one step at a time; the box being computed is gold."
)
TORCH_GRAPH = (
    "`loss.backward()` walks the chain of `grad_fn` objects that the forward pass recorded. torchviz's `make_dot` "
    "draws that chain for the real loss, shown after our graph. PyTorch draws only what needs a gradient, one node "
    "per backward function."
)
AGREE = "The chain rule by hand, `torch.autograd` and central finite differences agree to 1e-6."
DISAGREE = "The three gradients do NOT agree to 1e-6 here; see the max gap column."
DESCENT = (
    "Gradient descent moves w and b a little against their gradient, w ← w − η·∂L/∂w and b ← b − η·∂L/∂b, and "
    "repeats. x and y stay fixed, so the loss is a surface L(w, b)."
)
GRADIENT_COLOURS = (
    "Red is a positive gradient (the step will lower that weight), blue a negative one (it will raise it)."
)


def saturated(z: str, naive: dict[str, str]) -> str:
    """What the lesson's unfused float32 code would report where σ has saturated, and why."""
    return (
        f"σ has saturated (z = {z}). The lesson's unfused `torch.sigmoid` + `F.binary_cross_entropy` in float32 would "
        f"report L = {naive['loss']}, ∂L/∂w = {naive['w']}, ∂L/∂b = {naive['b']} here: BCELoss clamps log at −100 "
        "and divides by a(1 − a) clamped at 1e-12, so its two edges stop multiplying out to a − y. The numbers on "
        "this page use the logits form L = max(z, 0) − y·z + log(1 + e^(−|z|)), which stays correct."
    )


def simple_net(learning_rate: float) -> str:
    return (
        "The lesson's **SimpleNet**: 10 inputs → 5 hidden units (ReLU) → 1 output (sigmoid), `BCELoss`, SGD with lr "
        f"{learning_rate}, one seeded random input with label 1. One training step:"
    )


def descent_result(steps: int, first, last, fmt) -> str:
    return (
        f"After {steps} steps: w {fmt(first.w)} → **{fmt(last.w)}**, b {fmt(first.b)} → **{fmt(last.b)}**, "
        f"L {fmt(first.loss)} → **{fmt(last.loss)}**."
    )
