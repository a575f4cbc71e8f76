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
    "per backward function (grey). A blue box is a tensor, labelled with its name and its **shape**: `w ()` is the "
    "tensor w of shape `()`, the shape of a scalar (a 0-dimensional tensor, one number); the green `L ()` is the "
    "loss, a scalar too. A weight matrix would read `weight (5, 10)`."
)
PHONE_GRAPH = (
    "On a narrow screen each record is stacked and the edges lose their labels; the local derivatives are in the "
    "chain rule below, and in the table of every step."
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


def saturation(p, fmt) -> str:
    """Why the gradient through a saturated σ is ~0, and whether BCE brings it back: said where σ has saturated."""
    a, y, z = fmt(p.a), fmt(p.point.y), fmt(p.z)
    text = (
        f"**σ has saturated** (z = {z}, a = {a}): its local derivative ∂a/∂z = a(1 − a) = **{fmt(p.da_dz)}** ≈ 0, "
        "so σ passes on almost none of the gradient that reaches it. "
    )
    if abs(p.dL_dz) < 0.01:
        text += (
            f"Here the prediction already matches the label (y = {y}), so ∂L/∂z = a − y = {fmt(p.dL_dz)} is ~0 as "
            f"well: ∂L/∂w = {fmt(p.dL_dw)} and ∂L/∂b = {fmt(p.dL_db)} are ~0, and gradient descent below barely moves "
            "w and b. A unit stuck like this learns nothing until its input changes; it is why weights start small."
        )
    else:
        text += (
            f"Yet the prediction is off (y = {y}): BCE's ∂L/∂a = {fmt(p.dL_da)} is huge exactly where ∂a/∂z is tiny, "
            f"and their product ∂L/∂z = a − y = **{fmt(p.dL_dz)}** keeps the gradient alive (∂L/∂w = {fmt(p.dL_dw)}). "
            "A squared-error loss would have no such huge factor: its gradient would vanish here."
        )
    if p.da_dz == 0 or abs(p.dL_da) == float("inf"):
        text += (
            " At this |z| even float64 gives out: e^(−|z|) is below its smallest number, so a(1 − a) rounds to 0 and "
            "∂L/∂a overflows to ∞, and ∞ × 0 has no value. PyTorch's fused `binary_cross_entropy_with_logits` computes "
            "a − y directly, as this page does."
        )
    return text


def descent_stall(p, fmt) -> str:
    """The descent section's word on a saturated start: why the path does not move, or why it still does."""
    if abs(p.dL_dz) < 0.01:
        return (
            f"σ starts saturated and the prediction is already right, so the gradient is ~0 (∂L/∂w = {fmt(p.dL_dw)}): "
            "each step moves w and b by η × that, and the path and the loss curve stand still."
        )
    return (
        f"σ starts saturated, but the prediction is wrong, so BCE keeps the gradient at full size (∂L/∂w = "
        f"{fmt(p.dL_dw)}): w and b move fast until σ leaves saturation."
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
