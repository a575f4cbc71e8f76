"""Tensors: build one, look inside it (shape, dtype, strides), convert it, and operate on it beside NumPy."""

import pandas as pd
import streamlit as st
import torch

from playground.tensors.code_panel import tensor_code
from playground.tensors.dtypes import DTYPES, example_rows
from playground.tensors.dtypes import summary as conversion_summary
from playground.tensors.figures import MAX_SLICES, heatmap, slice_count, slice_heatmaps
from playground.tensors.lesson import OP_LABELS, OPS, TensorSettings, facts_markdown, run
from playground.tensors.ops import OPERATORS, Panel
from playground.tensors.source import KINDS, PRESETS, TensorSource
from playground.url_values import one_of
from ui.code import show_code
from ui.state import PageState, as_bool

ps = PageState("tensors")
SOURCE_LABELS = {
    "preset": "a preset from the lesson",
    "typed": "a nested list I type",
    "random": "torch.randn (random)",
    "arange": "torch.arange",
    "zeros": "torch.zeros",
    "ones": "torch.ones",
}


def select(label, name, options, default, **kw):
    """A selectbox bound to the URL; a stale or hand-edited value falls back to the default instead of failing."""
    key = ps.key(name, default, one_of(options))
    if st.session_state[key] not in options:
        st.session_state[key] = default
    return st.selectbox(label, options, key=key, **kw)


def number(label, name, default, low=0, high=99):
    key = ps.key(name, default, int)
    st.session_state[key] = min(max(int(st.session_state[key]), low), high)
    return st.number_input(label, min_value=low, max_value=high, step=1, key=key)


def draw(panel, key):
    if panel.tensor.dim() <= 2:
        st.plotly_chart(heatmap(panel.tensor, panel.title, panel.highlight), key=key, config={"displayModeBar": False})
    else:  # one chart per slice, in columns, so a phone stacks them at full width
        st.markdown(f"**{panel.title}**")
        figures = slice_heatmaps(panel.tensor)
        per_row = min(len(figures), 2)  # two abreast keep the numbers in the cells legible
        for first in range(0, len(figures), per_row):
            # a row of columns per pair: a phone stacks rows in order ([0] [1] [2]), not column by column ([0] [2] [1])
            for n, col in enumerate(st.columns(per_row), start=first):
                if n < len(figures):
                    with col:
                        st.plotly_chart(figures[n][1], key=f"{key}-{n}", config={"displayModeBar": False})
    if slice_count(panel.tensor) > MAX_SLICES:
        st.caption(f"Showing the first {MAX_SLICES} of {slice_count(panel.tensor)} 2D slices.")


st.title("🧊 Tensors")
st.markdown(
    "A **tensor** is a grid of numbers with a **shape** (how many along each dimension), a **dtype** (how each number "
    "is stored) and **strides** (how many elements to skip in memory to step along each dimension). Everything a neural "
    "network does is operations on tensors. Build one, change it, and watch the shapes."
)
ps.reserve_warnings_slot()

setup, picture = st.columns([1, 2], gap="large")
with setup:
    st.subheader("1 · Build a tensor")
    kind = select("Start from", "source", list(KINDS), "preset", format_func=SOURCE_LABELS.get)
    source = dict(kind=kind)
    if kind == "preset":
        source["preset"] = select("Preset", "preset", list(PRESETS), "2D", format_func=lambda p: f"{p}: {PRESETS[p]}")
    elif kind == "typed":
        source["literal"] = st.text_area(
            "Nested list of numbers (parsed as data, never run)",
            key=ps.key("literal", "[[1, 2.5], [3, 4]]"),
            help="Python ints become int64, floats float32, True/False bool. Up to 10,000 numbers, rank ≤ 4.",
        )
    else:
        source["shape"] = st.text_input("Shape (sizes separated by commas)", key=ps.key("shape", "2, 3"))
        if kind == "random":
            source["seed"] = number("Seed", "seed", 0, 0, 10_000)
    st.subheader("2 · Change the dtype")
    dtype = select(
        "x = x.to(…)",
        "dtype",
        ["keep", *DTYPES],
        "keep",
        format_func=lambda d: "keep as built" if d == "keep" else f"torch.{d}",
    )
    grad = st.toggle(
        "requires_grad",
        help="Let autograd record every operation on x, for .backward()",
        key=ps.key("grad", False, as_bool),
    )

st.subheader("3 · Operate on it")
controls = iter(st.columns(4))
with next(controls):
    op = select("Operation", "op", list(OPS), "reshape", format_func=OP_LABELS.get)
params = {}
with next(controls):
    if op == "reshape":
        params["method"] = select("Method", "method", ["reshape", "view"], "reshape")
    elif op == "transpose":
        params["transpose_kind"] = select("Kind", "t_kind", ["T", "transpose", "permute"], "T")
    elif op == "matmul":
        params["matmul_other"] = st.text_input("B (nested list)", key=ps.key("B", "[[5, 6], [7, 8]]"))
    elif op == "elementwise":
        params["operator"] = select("Operator", "operator", list(OPERATORS), "+")
    else:
        params["reduction"] = select("Reduction", "reduction", ["sum", "mean"], "sum")
with next(controls):
    if op == "reshape":
        params["new_shape"] = st.text_input("New shape (one size may be -1)", key=ps.key("new_shape", "4"))
    elif op == "transpose" and params["transpose_kind"] == "transpose":
        params["dim0"] = number("dim0", "dim0", 0, -4, 3)
    elif op == "transpose" and params["transpose_kind"] == "permute":
        params["perm"] = st.text_input("Dims in their new order (empty: reversed)", key=ps.key("perm", ""))
    elif op == "matmul":
        params["row"] = number("Output row i", "row", 0)
    elif op == "elementwise":
        params["elementwise_other"] = st.text_input("other (nested list)", key=ps.key("other", "[10, 20]"))
    elif op == "reduce":
        dim = select("Over dim", "dim", ["all", "0", "1", "2", "3"], "0")
        params["dim"] = None if dim == "all" else int(dim)
with next(controls):
    if op == "reshape":
        params["transpose_first"] = st.checkbox("Transpose first (x.T)", key=ps.key("t_first", False, as_bool))
        params["contiguous"] = st.checkbox("Call .contiguous() first", key=ps.key("contiguous", False, as_bool))
    elif op == "transpose" and params["transpose_kind"] == "transpose":
        params["dim1"] = number("dim1", "dim1", 1, -4, 3)
    elif op == "matmul":
        params["col"] = number("Output column j", "col", 0)
    elif op == "reduce":
        params["keepdim"] = st.checkbox("keepdim=True", key=ps.key("keepdim", False, as_bool))

lesson = run(TensorSettings(source=TensorSource(**source), dtype=dtype, requires_grad=grad, op=op, **params))
ps.publish()
with picture:
    if lesson.error:
        st.error(lesson.error)
        st.stop()
    x = lesson.x
    st.code(f"x = {lesson.build}", language="python", wrap_lines=True)
    draw(Panel(f"x {tuple(x.shape)} · {lesson.facts.dtype}", x), "fig-x")
    st.markdown(facts_markdown(lesson))
    if lesson.conversion is not None:
        c = lesson.conversion
        (st.success if c.lossless else st.warning)(conversion_summary(c))
        if not c.lossless:
            st.dataframe(pd.DataFrame(example_rows(c)), hide_index=True, height=min(36 * len(c.examples) + 40, 260))
    if lesson.grad_error:
        st.error(f"PyTorch: `{lesson.grad_error}`\n\n{lesson.grad_explanation}")

st.markdown(f"##### `{OP_LABELS[op]}`")
if lesson.op_error:
    st.error(lesson.op_error)
else:
    out = lesson.outcome
    torch_side, numpy_side = st.columns(2)
    with torch_side:
        st.markdown("**PyTorch**")
        st.code(
            out.expression + (f"\n# {tuple(out.result.shape)} {out.result.dtype}" if out.result is not None else "")
        )
        if out.result is not None:
            st.markdown(
                f"grad_fn: **{'None' if out.result.grad_fn is None else type(out.result.grad_fn).__name__}** "
                f"· device: **{out.result.device}**"
            )
    with numpy_side:
        st.markdown("**The same in NumPy**")
        st.code(
            out.numpy_expression
            + (f"\n# {out.numpy_result.shape} {out.numpy_result.dtype}" if out.numpy_result is not None else "")
        )
        if out.numpy_note:
            st.caption(out.numpy_note)
    for note in out.notes:
        st.markdown(note)
    if out.table:
        st.dataframe(pd.DataFrame(out.table), hide_index=True)
    if out.error:
        st.error(f"PyTorch: `{out.error}`\n\n{out.explanation}" + (f"\n\n**Fix:** {out.fix}" if out.fix else ""))
        if out.fix:  # a callback runs before the checkbox is drawn, so it may set the checkbox's value
            st.button(
                "Call .contiguous() first",
                icon="🔧",
                on_click=lambda: st.session_state.update({ps.key("contiguous", False, as_bool): True}),
            )
    panels = out.inputs + ([out.output] if out.output else [])
    per_row = 1 if any(p.tensor.dim() > 2 for p in panels) else (len(panels) if len(panels) <= 3 else 2)
    cols = st.columns(per_row)
    for n, panel in enumerate(panels):
        with cols[n % per_row]:
            draw(panel, f"fig-op-{n}")

st.subheader("4 · What PyTorch adds to NumPy")
st.markdown(
    f"- **Autograd**: with requires_grad on, every result remembers the operation that made it in `grad_fn` "
    f"(above: **{'on' if grad else 'off'}**), so `.backward()` can compute gradients. NumPy arrays have no such memory.\n"
    f"- **Devices**: x lives on **{x.device}**; `x.to('cuda')` moves it to a GPU "
    f"({'available here' if torch.cuda.is_available() else 'none on this machine'}) and the same code runs there."
)
show_code(tensor_code(lesson))
