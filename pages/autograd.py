"""Autograd: the computational graph of one sigmoid neuron, forward and backward, live; then SGD and SimpleNet."""

import streamlit as st

from playground.autograd import lesson, text
from playground.autograd.descent import MAX_LEARNING_RATE, MAX_STEPS
from playground.autograd.graph import STEP_COUNT
from playground.autograd.neuron import check_point
from playground.autograd.simple_net import LEARNING_RATE, MAX_SEED
from playground.url_values import finite
from ui.code_panel import show_code
from ui.layout import per_screen
from ui.state import PageState

DEFAULTS = lesson.AutogradSettings()
st.title("🔁 Autograd: the chain rule, live")
st.markdown(text.INTRO)
ps = PageState("autograd")
columns = st.columns(4)
values = {
    name: column.number_input(label, key=ps.key(name, getattr(DEFAULTS, name), finite), step=0.1, format="%.4f")
    for column, (name, label) in zip(columns, text.INPUT_LABELS.items(), strict=True)
}
ps.show_warnings()
try:
    point = check_point(**values)
except ValueError as err:
    st.error(str(err))
    point = None

if point is not None:
    st.header("The computational graph")
    st.markdown(text.GRAPH)
    label = f"Step of the walk (0 = inputs only, 4 = forward done, {STEP_COUNT} = backward done)"
    step = ps.number(label, "step", DEFAULTS.step, 0, STEP_COUNT, widget="slider")
    neuron = lesson.neuron(point, step)
    st.markdown(neuron.step_text)  # above the graph: the sentence and its gold box are seen together
    projector, phone = per_screen("walk")
    projector.graphviz_chart(neuron.graph_dot, width="stretch")  # the whole column: legible from the back of a room
    phone.graphviz_chart(neuron.phone_graph_dot, width="stretch")
    phone.caption(text.PHONE_GRAPH)
    if neuron.saturation:
        st.info(neuron.saturation)
    with st.expander("Every step of both passes"):
        st.table(neuron.steps_table)

    st.header("The chain rule, formula by formula")
    for formula in neuron.formulas:
        st.latex(formula)
    if neuron.saturated:
        st.info(neuron.saturated)

    st.header("Three ways to the same gradient")
    st.table(neuron.gradients)
    (st.success if neuron.agree else st.error)(text.AGREE if neuron.agree else text.DISAGREE)

    st.header("PyTorch's own graph")
    st.markdown(text.TORCH_GRAPH)
    left, right = st.columns(2)
    left.graphviz_chart(neuron.full_dot, width="stretch")
    right.graphviz_chart(neuron.torch_dot, width="stretch")
    st.markdown(neuron.correspondence)
    show_code(neuron.code)

    st.header("Learning from the gradient")
    st.markdown(text.DESCENT)
    left, right = st.columns(2)
    lr_label = f"Learning rate η (0 < η ≤ {MAX_LEARNING_RATE:g})"
    lr = left.number_input(lr_label, key=ps.key("lr", DEFAULTS.lr, finite), step=0.1, format="%.4f")
    steps = ps.number("Steps k", "steps", DEFAULTS.steps, 1, MAX_STEPS, where=right, widget="slider")
    ps.show_warnings()
    try:
        descent = lesson.descent(point, float(lr), int(steps))
    except ValueError as err:
        st.error(str(err))
    else:
        st.plotly_chart(descent.landscape, width="stretch")
        st.plotly_chart(descent.loss_curve, width="stretch")
        st.markdown(descent.result)
        show_code(descent.code)

st.header("Backpropagation in a bigger network")
st.markdown(text.simple_net(LEARNING_RATE))
seed = ps.number(f"Seed (0…{MAX_SEED})", "seed", DEFAULTS.seed, 0, MAX_SEED, step=1)
ps.show_warnings()
try:
    with st.spinner("Running one training step (the first one also loads torch.optim)…"):
        net = lesson.simple_net(int(seed))
except ValueError as err:  # a seed out of range: the widget's bounds keep one out, the lesson still says why
    st.error(str(err))
    ps.publish()
    st.stop()
st.markdown(net.five_steps)
st.caption(text.GRADIENT_COLOURS)
st.plotly_chart(net.gradients, width="stretch")
name = ps.select("Parameter before and after the step", "param", net.parameters, "fc2.weight")
st.plotly_chart(net.before_after(name), width="stretch")
show_code(net.code)
ps.publish()
