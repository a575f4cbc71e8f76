"""Pretraining, distributed: pretrain a GPT (or the lesson's SimpleNN) in torch.distributed processes, watch it live."""

import uuid

import streamlit as st

from playground.system import runtime_info
from playground.training import figures as charts
from playground.training import jobs, lesson, text
from playground.training.data import available_datasets
from playground.training.pretrain_config import FORM, MAX_TEXT_MB, SIZE_FIELDS, PretrainConfig
from playground.training.pretrain_config import apply_caps as gpt_caps
from playground.training.records import compare_runs, list_runs, summarize
from playground.training.train import MAX_STEPS, STRATEGIES, TrainConfig, apply_caps
from ui.code_panel import show_code
from ui.layout import say
from ui.state import PageState, sets

st.title("🚀 Distributed training")
ps = PageState("training")
owner = st.session_state.setdefault("training.owner", uuid.uuid4().hex)
info, device = runtime_info(), "cuda" if runtime_info().gpu_count else "cpu"  # NCCL on GPUs
task = ps.select("What to train", "task", list(text.TASKS), "gpt", widget="radio", format_func=text.TASKS.get)
st.markdown(text.GPT_INTRO if task == "gpt" else text.INTRO)
cores = f"This machine has {info.cpu_count} CPU cores."


def gpt_settings() -> tuple[PretrainConfig, str | None]:
    """The GPT run the learner sized, and what stops it from starting (a bad upload), if anything."""
    d = PretrainConfig()
    workers = ps.number("Workers (processes)", "workers", 2, 1, 16, help=cores)
    init = ps.select("Start from", "init", list(text.STARTS), "scratch", widget="radio", format_func=text.STARTS.get)
    values = {"workers": workers, "init_from": "bundled" if init == "bundled" else "", "device": device}
    with st.expander(text.SETTINGS_EXPANDER):
        cells = [*st.columns(4), *st.columns(4), *st.columns(3)]
        for cell, (label, name, field, low, high, step) in zip(cells[:-1], FORM, strict=True):
            kept = {"disabled": True, "help": text.SIZE_KEPT} if init == "bundled" and field in SIZE_FIELDS else {}
            shown = {"format": "%.4g"} if field == "lr" else {}
            values[field] = ps.number(label, name, getattr(d, field), low, high, where=cell, step=step, **kept, **shown)
        values["prompt"] = ps.text("Sample prompt", "prompt", d.prompt, where=cells[-1], max_chars=200)
    upload = st.file_uploader(text.UPLOAD, type=["txt", "md"], key="training.upload", max_upload_size=int(MAX_TEXT_MB))
    path, problem = lesson.save_upload(upload.name, upload.getvalue()) if upload else ("", None)
    asked = PretrainConfig(**values, text=path or "", **crash_settings())
    config, notes = gpt_caps(asked, info.cpu_count, info.gpu_count)
    st.caption(text.run_summary(config))
    say(("info", note) for note in notes)
    return config, problem or lesson.missing_corpus(config)


def digits_settings() -> tuple[TrainConfig, str | None]:
    datasets = available_datasets()
    labels = text.STRATEGY_LABELS.get
    strategy = ps.select("Strategy", "strategy", STRATEGIES, "ddp", widget="radio", format_func=labels)
    workers = ps.number("Workers (processes)", "workers", 2, 1, 16, disabled=strategy != "ddp", help=cores)
    dataset = ps.select("Data set", "dataset", datasets, "digits", format_func=datasets.get)
    data_dir = ps.text("Folder of IDX files", "data_dir") if dataset == "mnist" else ""
    fetch = "Download MNIST into this folder first (needs the network)"
    download = dataset == "mnist" and ps.toggle(fetch, "download", widget="checkbox")
    col_epochs, col_batch, col_lr, col_steps = st.columns(4)
    epochs = ps.number("Epochs", "epochs", 5, 1, 100, where=col_epochs)
    batch = ps.number("Batch per worker", "batch", 64, 1, 4096, where=col_batch)
    lr = ps.number("Learning rate (Adam)", "lr", TrainConfig.lr, 1e-5, 1.0, where=col_lr, step=1e-4, format="%.4g")
    steps = ps.number("Max steps/epoch", "max_steps", 0, 0, 10 * MAX_STEPS, where=col_steps, help="0 = whole epoch")
    asked = TrainConfig(strategy, workers, dataset, data_dir, download, epochs, batch, lr, steps, device=device)
    config, notes = apply_caps(TrainConfig(**{**vars(asked), **crash_settings()}), info.cpu_count, info.gpu_count)
    say(("info", note) for note in notes)
    if strategy == "dataparallel" and info.gpu_count < 2:
        st.info(text.DATAPARALLEL_ON_CPU)
    return config, lesson.missing_data(dataset, data_dir)


def crash_settings() -> dict:
    with st.expander("💥 Make a worker fail, to see what the page does"):
        crash_rank = ps.number("Rank that dies (-1 = none)", "crash_rank", -1, -1, 15)
        return {"crash_rank": crash_rank, "crash_step": ps.number("at step", "crash_step", 3, 1, 10_000)}


def start() -> None:
    with st.spinner("Checking the text and the model…"):
        folder, st.session_state["training.flash"] = lesson.start(config, owner)
    if folder:
        st.session_state[ps.key("run", "")] = folder


def draw_run(run_folder: str) -> None:
    job = jobs.current_job()
    shown = lesson.watch(run_folder, job)
    if shown.mine and job.owner == owner:
        jobs.heartbeat(job)  # only the learner who started it keeps it alive; a class watching does not
    if shown.missing:
        return st.error(shown.missing)
    run = shown.run
    st.caption(shown.caption)
    if shown.progress is not None:
        st.progress(shown.progress, text=text.STARTING if not run.last_step else text.TRAINING)
    say(shown.messages)
    if run.status == "failed":
        st.expander("Every error record").json(run.errors)
    if shown.crashed_log is not None:
        st.code(shown.crashed_log)
    if not shown.curves:
        return st.info(text.NO_CURVES)
    figures = (charts.loss_figure(run), charts.accuracy_figure(run) if run.task != "gpt" else None)
    for figure in (*figures, charts.throughput_figure(run), charts.gpu_memory_figure(run)):
        if figure is not None:  # GPU memory exists only for runs on CUDA
            st.plotly_chart(figure)
    if run.task == "gpt" and (samples := run.samples()):
        st.markdown(text.SAMPLES_CAPTION)
        for sample in samples[:12]:
            st.markdown(f"**step {sample['step']}**")
            st.code(sample["text"], language=None, wrap_lines=True, height=180)
    if run.task == "gpt" and run.config:
        st.markdown(text.steps_per_pass_note(run.config))
        st.markdown(text.WHY_DDP_PAYS.format(figures=text.ddp_figures(run.config, run.steps())))
    elif run.task != "gpt":
        st.markdown(text.WHY_LOSSES_DIFFER)
    st.dataframe(charts.checksum_table(run))
    if st.session_state.get("training.live") and not shown.live:
        st.session_state["training.live"] = False
        st.rerun()  # the run ended: redraw the whole page once (runs table) and stop polling


def draw_runs() -> None:
    """Redrawn with the run above while it is live, so the table never says "waiting" beside a finished run."""
    runs = [run for run in list_runs(lesson.runs_root(), limit=60) if run.task == task][:30]
    if not (rows := [summarize(run) for run in runs]):
        return st.caption("No runs of this task yet: press Start.")
    pinned = {"run": st.column_config.TextColumn(pinned=True)}
    st.dataframe(rows, hide_index=True, column_config=pinned)
    if (comparison := compare_runs(rows, task)).empty:
        return st.info(text.GPT_NO_BASELINE if task == "gpt" else text.NO_BASELINE)
    st.dataframe(comparison, hide_index=True, column_config=pinned)
    st.plotly_chart(charts.scaling_figure(comparison))
    if task == "gpt":
        compared = set(comparison.run) | set(comparison.baseline)
        st.plotly_chart(charts.heldout_by_time_figure([run for run in runs if run.folder.name in compared]))
    st.markdown(text.WHY_SPEEDUP_FALLS_SHORT)
    if task == "digits" and (fix := lesson.fewer_steps(comparison, rows)):
        st.info(fix.note)
        same_steps, scaled = st.columns(2)
        same_steps.button(f"Set {fix.same_steps['epochs']} epochs", **sets(as_settings(fix.same_steps), "on_click"))
        scaled_lr = f"Set the learning rate to {fix.scaled_lr['lr']:.4g}"
        scaled.button(scaled_lr, **sets(as_settings(fix.scaled_lr), "on_click"))


def as_settings(values: dict) -> dict:
    return {ps.key(name, None): value for name, value in values.items()}


def stop() -> None:
    st.session_state["training.flash"] = lesson.stop(owner)


config, missing = gpt_settings() if task == "gpt" else digits_settings()
ps.show_warnings()
if (own := jobs.current_job()) is not None and own.owner == owner:
    jobs.heartbeat(own)  # this learner is still here, whatever folder they are looking at
if missing:
    st.warning(missing)
left, right = st.columns(2)
left.button("▶ Start training", type="primary", on_click=start, width="stretch", disabled=bool(missing))
right.button("■ Stop", on_click=stop, width="stretch")
if message := st.session_state.pop("training.flash", None):
    st.warning(message)
folder = ps.text(text.RUN_FOLDER, "run", placeholder="e.g. /shared/runs/two-nodes") or lesson.running_folder()
if folder:
    looked = lesson.watch(folder, jobs.current_job())
    st.session_state["training.live"] = looked.live
    st.fragment(draw_run, run_every=1.0 if looked.live else None)(folder)
    # Outside the fragment, drawn by the full rerun that follows the run's end: a link in a polling fragment
    # could be redrawn under the learner's click.
    if not looked.live and looked.run is not None and (links := lesson.checkpoint_links(looked.run)):
        st.markdown(text.hand_on(links["generate"]["model_dir"]))
        write, anatomy = st.columns(2)
        write.page_link("pages/gpt.py", label="✍️ Write with this model", query_params=links["generate"])
        anatomy.page_link("pages/gpt2_config.py", label=text.ANATOMY_LINK, query_params=links["anatomy"])
st.subheader("Runs on this server")
st.fragment(draw_runs, run_every=1.0 if st.session_state.get("training.live") else None)()
for title, explanation in text.EXPLAINERS.items():
    with st.expander(title):
        st.markdown(explanation)
        if explanation is text.MIRRORED_NOTE:
            st.table(text.mirrored_table())
show_code(lesson.code(config))
ps.publish()
