"""LLM Playground: the entry point. Run with `make run`.

Pages are registered here once. A page whose file is not there yet is left out of the navigation, so a learner never
meets a stub.
"""

from pathlib import Path

import streamlit as st

from playground import cpus
from playground.system import home_facts
from ui import serving
from ui.style import classroom_style

ROOT = Path(__file__).parent

# (file, title, icon, what it teaches)
PAGES = {
    "Basics": [
        (
            "pages/tensors.py",
            "Tensors",
            "🧊",
            "Build tensors, reshape, transpose, multiply and broadcast them, and see shapes, strides and dtypes.",
        ),
        (
            "pages/autograd.py",
            "Autograd",
            "🔁",
            "The computational graph of a tiny neuron: forward values, gradients and the chain rule, live.",
        ),
    ],
    "Models": [
        (
            "pages/gpt2_config.py",
            "GPT-2 anatomy",
            "🧮",
            "Every parameter, byte and FLOP of a GPT configuration, checked against transformers.",
        ),
        (
            "pages/tokenization.py",
            "Tokenizers",
            "🔤",
            "Text to tokens to ids: GPT's byte-level BPE beside BERT's WordPiece.",
        ),
        (
            "pages/bert.py",
            "BERT",
            "🎭",
            "Masking, fill-in predictions, a guess-the-word game against BERT, next-sentence prediction and attention.",
        ),
        (
            "pages/gpt.py",
            "GPT generation",
            "✍️",
            "Generation token by token: probabilities, sampling knobs, attention and the logit lens.",
        ),
        (
            "pages/inside_gpt.py",
            "Inside GPT",
            "🔬",
            "One forward pass opened step by step: every tensor, its shape and the code that recomputes it.",
        ),
    ],
    "Training": [
        (
            "pages/training.py",
            "Distributed training",
            "🚀",
            "Live loss curves from torch.distributed workers: one process against DDP.",
        ),
    ],
}


def available_pages():
    """Only pages whose file exists: unfinished pages stay out of the menu."""
    for group, pages in PAGES.items():
        for path, title, icon, blurb in pages:
            if (ROOT / path).exists():
                yield group, path, title, icon, blurb


def home():
    st.title("🧪 LLM Playground")
    st.markdown(
        "See how large language models work by touching them live: tensors and autograd underneath, "
        "the anatomy of GPT-2, BERT's masking, GPT's generation and distributed training. "
        "Every page is a short lesson: an explanation, the controls, the picture, and **the code**, "
        "runnable PyTorch that reproduces exactly what is on screen. Everything runs offline on small bundled models."
    )
    pages = list(available_pages())
    for group in PAGES:
        cards = [page for page in pages if page[0] == group]
        if not cards:
            continue
        st.subheader(group)
        # Two cards a row on a projector; Streamlit stacks columns on a phone.
        for start in range(0, len(cards), 2):
            for column, (_, path, title, icon, blurb) in zip(st.columns(2), cards[start : start + 2], strict=False):
                with column.container(border=True):
                    st.page_link(path, label=f"**{title}**", icon=icon)
                    st.caption(blurb)
    facts = home_facts()
    st.subheader("What this playground runs on")
    st.markdown(
        f"- **Device:** {facts.device_summary}\n"
        f"- **CPUs:** {cpu_budget().summary}\n"
        f"- **Heavy work** (generation, first model loads, scoring): {serving.summary()}\n"
        f"- **torch** {facts.torch_version} · **transformers** {facts.transformers_version} · "
        f"**streamlit** {st.__version__} · Python {facts.python_version}"
    )


@st.cache_resource
def cpu_budget() -> cpus.CpuBudget:
    """Once per server process, before any page imports torch, so its thread pools are born the right size."""
    budget = cpus.cpu_budget()
    cpus.limit_threads(budget)
    return budget


def main():
    serving.mark_run_start()  # before anything is drawn: the queue serves requests in the order they reached us
    st.set_page_config(page_title="LLM Playground", page_icon="🧪", layout="wide")
    classroom_style()
    navigation = {"": [st.Page(home, title="Home", icon="🏠", default=True)]}
    for group, path, title, icon, _ in available_pages():
        navigation.setdefault(group, []).append(st.Page(path, title=title, icon=icon))
    budget = cpu_budget()
    try:
        st.navigation(navigation).run()
    finally:  # also when the page stopped early
        cpus.apply_to_torch_once(budget)


main()
