"""Distributed training: start a torch.distributed job, watch every rank's curves live, compare 1 vs N workers."""

import uuid

import streamlit as st

from playground.system import runtime_info
from playground.training import figures as charts
from playground.training import jobs, lesson, text
from playground.training.code_panel import training_code
from playground.training.data import available_datasets, fashion_mnist_folder
from playground.training.records import compare_runs, list_runs, summarize
from playground.training.train import MAX_STEPS, STRATEGIES, TrainConfig, apply_caps
from ui.code_panel import show_code
from ui.layout import say
from ui.state import PageState, sets

st.title("🚀 Distributed training")
st.markdown(text.INTRO)
ps = PageState("training")
owner = st.session_state.setdefault("training.owner", uuid.uuid4().hex)
info, datasets = runtime_info(), available_datasets()

strategy = ps.select("Strategy", "strategy", STRATEGIES, "ddp", widget="radio", format_func=text.STRATEGY_LABELS.get)
cores = f"This machine has {info.cpu_count} CPU cores."
workers = ps.number("Workers (processes)", "workers", 2, 1, 16, disabled=strategy != "ddp", help=cores)
dataset = ps.select("Data set", "dataset", datasets, "digits", format_func=datasets.get)
data_dir = ps.text("Folder of IDX files", "data_dir") if dataset == "mnist" else ""
fetch = "Download MNIST into this folder first (needs the network)"
download = dataset == "mnist" and ps.toggle(fetch, "download", widget="checkbox")
col_epochs, col_batch, col_lr, col_steps = st.columns(4)
epochs = ps.number("Epochs", "epochs", 5, 1, 100, where=col_epochs)
batch = ps.number("Batch per worker", "batch", 64, 1, 4096, where=col_batch)
lr = ps.number("Learning rate (Adam)", "lr", TrainConfig.lr, 1e-5, 1.0, where=col_lr, step=1e-4, format="%.4g")
max_steps = ps.number("Max steps/epoch", "max_steps", 0, 0, 10 * MAX_STEPS, where=col_steps, help="0 = the whole epoch")
with st.expander("💥 Make a worker fail, to see what the page does"):
    crash_rank = ps.number("Rank that dies (-1 = none)", "crash_rank", -1, -1, 15)
    crash_step = ps.number("at global step", "crash_step", 3, 1, 10_000)
ps.show_warnings()
device = "cuda" if info.gpu_count else "cpu"  # NCCL on GPUs
crash = {"crash_rank": crash_rank, "crash_step": crash_step}
asked = TrainConfig(
    strategy, workers, dataset, data_dir, download, epochs, batch, lr, max_steps=max_steps, device=device, **crash
)
config, notes = apply_caps(asked, info.cpu_count, info.gpu_count)
say(("info", note) for note in notes)
if strategy == "dataparallel" and info.gpu_count < 2:
    st.info(text.DATAPARALLEL_ON_CPU)
if (own := jobs.current_job()) is not None and own.owner == owner:
    jobs.heartbeat(own)  # this learner is still here, whatever folder they are looking at


def start() -> None:
    folder, st.session_state["training.flash"] = lesson.start(config, owner)
    if folder:
        st.session_state[ps.key("run", "")] = folder


missing = lesson.missing_data(dataset, data_dir)
if missing:
    st.warning(missing)
left, right = st.columns(2)
left.button("▶ Start training", type="primary", on_click=start, width="stretch", disabled=bool(missing))
right.button(
    "■ Stop", on_click=lambda: st.session_state.update({"training.flash": lesson.stop(owner)}), width="stretch"
)
if message := st.session_state.pop("training.flash", None):
    st.warning(message)
label = "Run folder shown below (paste the --run-dir of a job started elsewhere to watch it)"
folder = ps.text(label, "run", placeholder="e.g. /shared/runs/two-nodes")


def draw_run(run_folder: str) -> None:
    job = jobs.current_job()
    shown = lesson.watch(run_folder, job)
    if shown.mine:
        jobs.heartbeat(job)
    if shown.missing:
        st.error(shown.missing)
        return
    run = shown.run
    st.caption(shown.caption)
    if shown.progress is not None:
        st.progress(shown.progress, text=text.STARTING)
    say(shown.messages)
    if run.status == "failed":
        with st.expander("Every error record"):
            st.json(run.errors)
    if shown.crashed_log is not None:
        st.code(shown.crashed_log)
    if not shown.curves:
        st.info(text.NO_CURVES)
    else:
        figures = (charts.loss_figure(run), charts.accuracy_figure(run), charts.throughput_figure(run))
        for figure in (*figures, charts.gpu_memory_figure(run)):
            if figure is not None:  # GPU memory exists only for runs on CUDA
                st.plotly_chart(figure)
        st.markdown(text.WHY_LOSSES_DIFFER)
        st.dataframe(charts.checksum_table(run))
    if st.session_state.get("training.live") and not shown.live:
        st.session_state["training.live"] = False
        st.rerun()  # the run ended: redraw the whole page once (runs table) and stop polling


if folder:
    st.session_state["training.live"] = lesson.watch(folder, jobs.current_job()).live
    st.fragment(draw_run, run_every=1.0 if st.session_state["training.live"] else None)(folder)


def as_settings(values: dict) -> dict:
    return {ps.key(name, None): value for name, value in values.items()}


def draw_runs() -> None:
    """Redrawn with the run above while it is live, so the table never says "waiting" beside a finished run."""
    if not (rows := [summarize(run) for run in list_runs(lesson.runs_root())[:30]]):
        st.caption("No runs yet: press Start.")
        return
    st.dataframe(rows, hide_index=True, column_config={"run": st.column_config.TextColumn(pinned=True)})
    if (comparison := compare_runs(rows)).empty:
        st.info(text.NO_BASELINE)
        return
    st.dataframe(comparison, hide_index=True, column_config={"run": st.column_config.TextColumn(pinned=True)})
    st.plotly_chart(charts.scaling_figure(comparison))
    st.markdown(text.WHY_SPEEDUP_FALLS_SHORT)
    if fix := lesson.fewer_steps(comparison, rows):
        st.info(fix.note)
        same_steps, scaled = st.columns(2)
        same_steps.button(f"Set {fix.same_steps['epochs']} epochs", **sets(as_settings(fix.same_steps), "on_click"))
        scaled.button(
            f"Set the learning rate to {fix.scaled_lr['lr']:.4g}", **sets(as_settings(fix.scaled_lr), "on_click")
        )


st.subheader("Runs on this server")
st.fragment(draw_runs, run_every=1.0 if st.session_state.get("training.live") else None)()
with st.expander("How DDP averages gradients: all-reduce and buckets"):
    st.markdown(text.ALL_REDUCE)
with st.expander("nn.DataParallel, and why DDP is preferred"):
    st.markdown(text.DATAPARALLEL)
with st.expander("TensorFlow's MirroredStrategy, mapped onto DDP"):
    st.markdown(text.MIRRORED_NOTE)
    st.table(text.mirrored_table())
fashion = fashion_mnist_folder()
show_code(training_code(config, data_folder=str(fashion or "") if dataset == "fashion-mnist" else data_dir))
ps.publish()
