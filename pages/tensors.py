"""Tensors: build one, look inside it (shape, dtype, strides), convert it, and operate on it beside NumPy."""

import pandas as pd
import streamlit as st
import torch

from playground.tensors import lesson, text
from playground.tensors.code_panel import tensor_code
from playground.tensors.dtypes import DTYPES, example_rows
from playground.tensors.dtypes import summary as conversion_summary
from playground.tensors.figures import MAX_SLICES, heatmap, slice_count, slice_heatmaps
from playground.tensors.ops import Panel
from playground.tensors.source import KINDS, PRESETS, TensorSource
from ui.code_panel import show_code
from ui.layout import charts
from ui.state import PageState, sets

ps = PageState("tensors")
NO_BAR = {"displayModeBar": False}


def draw(panel, key):
    if panel.tensor.dim() <= 2:
        st.plotly_chart(heatmap(panel.tensor, panel.title, panel.highlight), key=key, config=NO_BAR)
    else:  # one chart per slice, two abreast to keep the numbers legible; a phone stacks them at full width
        st.markdown(f"**{panel.title}**")
        figures = [figure for _, figure in slice_heatmaps(panel.tensor, panel.highlight)]
        charts(figures, per_row=min(len(figures), 2), key=key, config=NO_BAR)
    if slice_count(panel.tensor) > MAX_SLICES:
        st.caption(f"Showing {MAX_SLICES} of {slice_count(panel.tensor)} 2D slices: the first, or the picked cell's.")


def control(c, column):
    default = lesson.control_default(c)
    if c.kind == "select":
        return ps.select(c.label, c.param, c.choices, default, where=column)
    if c.kind == "number":
        return ps.number(c.label, c.param, default, *c.choices, where=column, step=1)
    if c.kind == "check":
        return ps.toggle(c.label, c.param, default, where=column, widget="checkbox")
    return ps.text(c.label, c.param, default, where=column)


st.title("🧊 Tensors")
st.markdown(text.INTRO)
ps.reserve_warnings_slot()
setup, picture = st.columns([1, 2], gap="large")
with setup:
    st.subheader("1 · Build a tensor")
    kind = ps.select("Start from", "source", KINDS, "preset", format_func=text.SOURCE_LABELS.get)
    source = TensorSource(kind=kind)
    if kind == "preset":
        preset = ps.select("Preset", "preset", PRESETS, "2D", format_func=lambda p: f"{p}: {PRESETS[p]}")
        source = TensorSource(kind, preset=preset)
    elif kind == "typed":
        label = "Nested list of numbers (parsed as data, never run)"
        literal = ps.text(label, "literal", "[[1, 2.5], [3, 4]]", widget="text_area", help=text.LITERAL_HELP)
        source = TensorSource(kind, literal=literal)
    else:
        shape = ps.text("Shape (sizes separated by commas)", "shape", "2, 3")
        seed = ps.number("Seed", "seed", 0, 0, 10_000, step=1) if kind == "random" else 0
        source = TensorSource(kind, shape=shape, seed=seed)
    st.subheader("2 · Change the dtype")
    dtypes = ["keep", *DTYPES]
    dtype = ps.select(
        "x = x.to(…)", "dtype", dtypes, "keep", format_func=lambda d: f"torch.{d}" if d in DTYPES else "keep as built"
    )
    grad = ps.toggle("requires_grad", "grad", help="Let autograd record every operation on x, for .backward()")

st.subheader("3 · Operate on it")
columns = st.columns(4)
op = ps.select("Operation", "op", lesson.OPS, "reshape", where=columns[0], format_func=lesson.OP_LABELS.get)
chosen = {}
for n, c in enumerate(lesson.controls(op, chosen, source)):
    with columns[1 + min(n, 2)]:
        chosen[c.field] = control(c, st)
shown = lesson.run(lesson.TensorSettings(source, dtype, grad, op, **lesson.operation_settings(chosen)))
ps.publish()
with picture:
    if shown.error:
        st.error(shown.error)
        st.stop()
    x = shown.x
    st.code(f"x = {shown.build}", language="python", wrap_lines=True)
    draw(Panel(f"x {tuple(x.shape)} · {shown.facts.dtype}", x), "fig-x")
    st.markdown(lesson.facts_markdown(shown))
    if (c := shown.conversion) is not None:
        (st.success if c.lossless else st.warning)(conversion_summary(c))
        if not c.lossless:
            st.dataframe(pd.DataFrame(example_rows(c)), hide_index=True, height=min(36 * len(c.examples) + 40, 260))
    if shown.grad_error:
        st.error(f"PyTorch: `{shown.grad_error}`\n\n{shown.grad_explanation}")

st.markdown(f"##### `{lesson.OP_LABELS[op]}`")
if shown.op_error:
    st.error(shown.op_error)
else:
    out = shown.outcome
    torch_side, numpy_side = st.columns(2)
    torch_side.markdown("**PyTorch**")
    y = out.result
    torch_side.code(out.expression + (f"\n# {tuple(y.shape)} {y.dtype}" if y is not None else ""))
    if y is not None:
        grad_fn = "None" if y.grad_fn is None else type(y.grad_fn).__name__
        torch_side.markdown(f"grad_fn: **{grad_fn}** · device: **{y.device}**")
    numpy_side.markdown("**The same in NumPy**")
    y_np = out.numpy_result
    numpy_side.code(out.numpy_expression + (f"\n# {y_np.shape} {y_np.dtype}" if y_np is not None else ""))
    if out.numpy_note:
        numpy_side.caption(out.numpy_note)
    for note in out.notes:
        st.markdown(note)
    if out.table:
        st.dataframe(pd.DataFrame(out.table), hide_index=True)
    if out.error:
        st.error(f"PyTorch: `{out.error}`\n\n{out.explanation}" + (f"\n\n**Fix:** {out.fix}" if out.fix else ""))
        if out.fix:  # a callback runs before the checkbox is drawn, so it may set the checkbox's value
            fix = {ps.key("contiguous", False): True}
            st.button("Call .contiguous() first", icon="🔧", **sets(fix, "on_click"))
    panels = out.inputs + ([out.output] if out.output else [])
    per_row = 1 if any(p.tensor.dim() > 2 for p in panels) else (len(panels) if len(panels) <= 3 else 2)
    cols = st.columns(per_row)
    for n, panel in enumerate(panels):
        with cols[n % per_row]:
            draw(panel, f"fig-op-{n}")

st.subheader("4 · What PyTorch adds to NumPy")
st.markdown(text.what_pytorch_adds(grad, str(x.device), torch.cuda.is_available()))
show_code(tensor_code(shown))
