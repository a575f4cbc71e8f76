"""The words of the Tensors page, kept beside the code they explain rather than inside the page file."""

INTRO = (
    "A **tensor** is a grid of numbers with a **shape** (how many along each dimension), a **dtype** (how each number "
    "is stored) and **strides** (how many elements to skip in memory to step along each dimension). Everything a "
    "neural network does is operations on tensors. Build one, change it, and watch the shapes."
)
SOURCE_LABELS = {
    "preset": "a preset from the lesson",
    "typed": "a nested list I type",
    "random": "torch.randn (random)",
    "arange": "torch.arange",
    "zeros": "torch.zeros",
    "ones": "torch.ones",
}
LITERAL_HELP = "Python ints become int64, floats float32, True/False bool. Up to 10,000 numbers, rank ≤ 4."


def what_pytorch_adds(requires_grad: bool, device: str, cuda_available: bool) -> str:
    return (
        "- **Autograd**: with requires_grad on, every result remembers the operation that made it in `grad_fn` "
        f"(above: **{'on' if requires_grad else 'off'}**), so `.backward()` can compute gradients. NumPy arrays have "
        "no such memory.\n"
        f"- **Devices**: x lives on **{device}**; `x.to('cuda')` moves it to a GPU "
        f"({'available here' if cuda_available else 'none on this machine'}) and the same code runs there."
    )
