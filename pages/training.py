"""Distributed training: start a torch.distributed job, watch every rank's curves live, compare 1 vs N workers."""

import os
import time
import uuid
from pathlib import Path

import streamlit as st

from playground.system import runtime_info
from playground.training import figures as charts
from playground.training import jobs as job_runner
from playground.training import text as lesson
from playground.training.code_panel import training_code
from playground.training.data import available_datasets, fashion_mnist_folder
from playground.training.records import compare_runs, list_runs, read_run, summarize
from playground.training.train import MAX_STEPS, STRATEGIES, TrainConfig, apply_caps
from ui.code import show_code
from ui.state import PageState, as_bool

RUNS_ROOT = Path(os.environ.get("PLAYGROUND_RUNS_DIR", Path(__file__).resolve().parent.parent / "runs" / "training"))
STRATEGY_LABELS = {
    "ddp": "DistributedDataParallel (N processes)",
    "single": "Single process",
    "dataparallel": "nn.DataParallel (one process)",
}


def bounded(low: int, high: int):
    return lambda text: min(max(int(text), low), high)


st.title("🚀 Distributed training")
st.markdown(lesson.INTRO)
ps = PageState("training")
owner = st.session_state.setdefault("training.owner", uuid.uuid4().hex)
info = runtime_info()
datasets = available_datasets()

strategy = st.radio("Strategy", STRATEGIES, format_func=STRATEGY_LABELS.get, key=ps.key("strategy", "ddp"))
workers = st.number_input(
    "Workers (processes)",
    1,
    16,
    key=ps.key("workers", 2, bounded(1, 16)),
    disabled=strategy != "ddp",
    help=f"This machine has {info.cpu_count} CPU cores.",
)
dataset = st.selectbox("Data set", list(datasets), format_func=datasets.get, key=ps.key("dataset", "digits"))
data_dir = st.text_input("Folder of IDX files", key=ps.key("data_dir", "")) if dataset == "mnist" else ""
download = dataset == "mnist" and st.checkbox(
    "Download MNIST into this folder first (needs the network)", key=ps.key("download", False, as_bool)
)
col_epochs, col_batch, col_steps = st.columns(3)
epochs = col_epochs.number_input("Epochs", 1, 100, key=ps.key("epochs", 5, bounded(1, 100)))
batch = col_batch.number_input("Batch per worker", 1, 4096, key=ps.key("batch", 64, bounded(1, 4096)))
max_steps = col_steps.number_input(
    "Max steps/epoch",
    0,
    10 * MAX_STEPS,
    help="0 = the whole epoch",
    key=ps.key("max_steps", 0, bounded(0, 10 * MAX_STEPS)),
)
with st.expander("💥 Make a worker fail, to see what the page does"):
    crash_rank = st.number_input("Rank that dies (-1 = none)", -1, 15, key=ps.key("crash_rank", -1, bounded(-1, 15)))
    crash_step = st.number_input("at global step", 1, 10_000, key=ps.key("crash_step", 3, bounded(1, 10_000)))
ps.show_warnings()
requested = TrainConfig(
    strategy=strategy,
    workers=workers,
    dataset=dataset,
    data_dir=data_dir,
    download=download,
    epochs=epochs,
    batch_size=batch,
    max_steps=max_steps,
    crash_rank=crash_rank,
    crash_step=crash_step,
    device="cuda" if info.gpu_count else "cpu",
)  # NCCL on GPUs
config, notes = apply_caps(requested, info.cpu_count, info.gpu_count)
for note in notes:
    st.info(note)
if strategy == "dataparallel" and info.gpu_count < 2:
    st.info(
        "nn.DataParallel needs 2 or more GPUs to split a batch; here it just runs the model once per batch, "
        "exactly like the single process. See the explanation below."
    )


def start(config: TrainConfig) -> None:
    run_dir = RUNS_ROOT / f"{time.strftime('%Y%m%d-%H%M%S')}-{config.strategy}-{config.workers}w"
    try:
        job_runner.start_job(config, run_dir, owner)
        st.session_state[ps.key("run", "")] = str(run_dir)
    except (job_runner.JobBusy, OSError) as err:
        st.session_state["training.flash"] = str(err)


def stop() -> None:
    job = job_runner.current_job()
    if job is not None and job.running and job.owner != owner:
        st.session_state["training.flash"] = "Only the learner who started the running job can stop it."
    elif job is not None:
        job_runner.stop_job(job)


if (own := job_runner.current_job()) is not None and own.owner == owner:
    job_runner.heartbeat(own)  # this learner is still here, whatever folder they are looking at


fashion = fashion_mnist_folder()
missing_data = (dataset == "fashion-mnist" and fashion is None) or (dataset == "mnist" and not data_dir.strip())
if missing_data:
    st.warning(
        f"{datasets[dataset]}."
        if dataset == "fashion-mnist"
        else "Give the folder that holds the four "
        "MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-…, t10k-images-…, t10k-labels-…)."
    )
left, right = st.columns(2)
left.button("▶ Start training", type="primary", on_click=start, args=(config,), width="stretch", disabled=missing_data)
right.button("■ Stop", on_click=stop, width="stretch")
if message := st.session_state.pop("training.flash", None):
    st.warning(message)
folder = st.text_input(
    "Run folder shown below (paste the --run-dir of a job started elsewhere to watch it)",
    key=ps.key("run", ""),
    placeholder="e.g. /shared/runs/two-nodes",
)


def draw_run(run_folder: str) -> None:
    job = job_runner.current_job()
    # The job's state is read before its records: a record written after this read can only add to what the
    # page shows, whereas the other order could pair an old "running" record with a job that has since ended.
    alive = job_alive(job, run_folder)
    mine = alive is not None
    exit_code = job.returncode if mine else None
    if mine:
        job_runner.heartbeat(job)
    try:
        run = read_run(run_folder)
    except FileNotFoundError as err:
        st.error(f"{err} Check the path, or start a run above.")
        return
    live = is_live(run, alive)
    config = run.config or {}
    done_epochs = run.epochs().epoch.nunique()
    st.caption(
        f"`{run_folder}` · {run.status} · {config.get('world_size', '?')} worker(s) · "
        f"backend {config.get('backend', '?')} · epoch {done_epochs} of {config.get('epochs', '?')}"
    )
    if run.status in ("waiting", "running"):
        st.progress(
            done_epochs / max(1, config.get("epochs", 1)),
            text="Training… (starting the processes and importing torch takes a few seconds)",
        )
    if run.problems:
        st.warning(f"Skipped {len(run.problems)} unreadable line(s) in metrics.jsonl, e.g. {run.problems[0]}")
    if run.status == "failed":
        st.error(run.failure_message())
        with st.expander("Every error record"):
            st.json(run.errors)
    elif run.status == "stopped":
        st.warning(f"Stopped: {run.of_kind('stopped')[0].get('reason', '')}")
    elif run.status == "done" and alive:  # "Done" waits for the processes to exit, so that Start works again
        st.info("Every rank wrote its `done` record; the processes are shutting down…")
    elif run.status == "done":
        st.success(f"Done: every rank wrote its `done` record. Held-out accuracy {summarize(run)['accuracy']:.3f}.")
    if (
        mine and not alive and exit_code and run.status != "failed" and job.stopped_by is None
    ):  # a Stop's 143 is no crash
        st.error(f"The job exited with code {exit_code} before any rank reported why:")
        st.code(job.log_tail())
    if run.steps().empty and not live:
        st.info("No rank recorded a training step before the run ended, so there are no curves to draw.")
    else:  # while a run starts, the empty charts mark where its curves will appear
        for fig in (
            charts.loss_figure(run),
            charts.accuracy_figure(run),
            charts.throughput_figure(run),
            charts.gpu_memory_figure(run),
        ):
            if fig is not None:  # GPU memory exists only for runs on CUDA
                st.plotly_chart(fig)
        st.markdown(lesson.WHY_LOSSES_DIFFER)
        st.dataframe(charts.checksum_table(run))
    if st.session_state.get("training.live") and not live:
        st.session_state["training.live"] = False
        st.rerun()  # the run ended: redraw the whole page once (runs table) and stop polling


def job_alive(job, run_folder: str) -> bool | None:
    """Whether this server's job writing `run_folder` still runs; None for a folder written by a job elsewhere."""
    return job.running if job is not None and str(job.run_dir) == run_folder else None


def is_live(run, alive: bool | None) -> bool:
    """Still worth polling: this server's job by its process, a job elsewhere by its records."""
    return alive if alive is not None else run is not None and run.status in ("waiting", "running")


if folder:
    try:
        shown = read_run(folder)
    except FileNotFoundError:
        shown = None
    st.session_state["training.live"] = is_live(shown, job_alive(job_runner.current_job(), folder))
    st.fragment(draw_run, run_every=1.0 if st.session_state["training.live"] else None)(folder)

st.subheader("Runs on this server")
rows = [summarize(run) for run in list_runs(RUNS_ROOT)[:30]]
if rows:
    st.dataframe(rows, hide_index=True)
    comparison = compare_runs(rows)
    if comparison.empty:
        st.info("Finish a run with 1 worker and one with 2 (same data set and batch) to see the speedup.")
    else:
        st.dataframe(comparison, hide_index=True)
        st.plotly_chart(charts.scaling_figure(comparison))
        st.markdown(lesson.WHY_SPEEDUP_FALLS_SHORT)
else:
    st.caption("No runs yet: press Start.")

with st.expander("How DDP averages gradients: all-reduce and buckets"):
    st.markdown(lesson.ALL_REDUCE)
with st.expander("nn.DataParallel, and why DDP is preferred"):
    st.markdown(lesson.DATAPARALLEL)
with st.expander("TensorFlow's MirroredStrategy, mapped onto DDP"):
    st.markdown(lesson.MIRRORED_NOTE)
    st.table(lesson.mirrored_table())
show_code(training_code(config, data_folder=str(fashion or "") if dataset == "fashion-mnist" else data_dir))
ps.publish()
