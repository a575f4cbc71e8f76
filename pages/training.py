"""Pretraining, distributed: pretrain a GPT (or the lesson's SimpleNN) in torch.distributed processes, watch it live."""

import uuid

import streamlit as st

from playground.system import runtime_info
from playground.training import figures as charts
from playground.training import jobs, lesson, text
from playground.training.code_panel import pretraining_code, training_code
from playground.training.data import available_datasets, fashion_mnist_folder
from playground.training.pretrain_config import CAPS, MAX_TEXT_MB, PretrainConfig
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
    with st.expander(text.SETTINGS_EXPANDER):
        size = st.columns(4)
        kept = {"disabled": init == "bundled", "help": text.SIZE_KEPT if init == "bundled" else None}
        layers = ps.number("Layers", "layers", d.layers, 1, CAPS["layers"], where=size[0], **kept)
        heads = ps.number("Heads", "heads", d.heads, 1, CAPS["heads"], where=size[1], **kept)
        width = ps.number("Embedding width", "width", d.width, 8, CAPS["width"], where=size[2], step=8, **kept)
        context = ps.number("Context (tokens)", "context", d.context, 8, CAPS["context"], where=size[3], step=8)
        run = st.columns(4)
        batch = ps.number("Windows per worker", "windows", d.batch_size, 1, CAPS["batch_size"], where=run[0])
        accum = ps.number("Accumulation steps", "accum", d.grad_accum, 1, CAPS["grad_accum"], where=run[1])
        lr = ps.number("Peak learning rate", "peak_lr", d.lr, 1e-5, 0.05, where=run[2], step=1e-4, format="%.4g")
        steps = ps.number("Steps", "steps", d.max_steps, 1, CAPS["max_steps"], where=run[3])
        every, prompt, minutes = st.columns(3)
        eval_every = ps.number("Evaluate and sample every … steps", "eval_every", d.eval_every, 1, 5000, where=every)
        prompt = ps.text("Sample prompt", "prompt", d.prompt, where=prompt, max_chars=200)
        minutes = ps.number("Time budget (minutes, 0 = none)", "minutes", 0.0, 0.0, 60.0, where=minutes, step=0.5)
    upload = st.file_uploader(text.UPLOAD, type=["txt", "md"], key="training.upload", max_upload_size=int(MAX_TEXT_MB))
    path, problem = lesson.save_upload(upload.name, upload.getvalue()) if upload else ("", None)
    crash = crash_settings()
    values = dict(workers=workers, text=path or "", init_from="bundled" if init == "bundled" else "")
    values |= dict(layers=layers, heads=heads, width=width, context=context, batch_size=batch, grad_accum=accum)
    values |= dict(lr=lr, max_steps=steps, eval_every=eval_every, prompt=prompt, minutes=minutes, device=device)
    config, notes = gpt_caps(PretrainConfig(**values, **crash), info.cpu_count, info.gpu_count)
    st.caption(text.run_summary(config))
    say(("info", note) for note in notes)
    return config, problem or lesson.missing_corpus(config)


def digits_settings() -> tuple[TrainConfig, str | None]:
    datasets = available_datasets()
    strategy = ps.select(
        "Strategy", "strategy", STRATEGIES, "ddp", widget="radio", format_func=text.STRATEGY_LABELS.get
    )
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
    crash = crash_settings()
    asked = TrainConfig(
        strategy, workers, dataset, data_dir, download, epochs, batch, lr, steps, device=device, **crash
    )
    config, notes = apply_caps(asked, info.cpu_count, info.gpu_count)
    say(("info", note) for note in notes)
    if strategy == "dataparallel" and info.gpu_count < 2:
        st.info(text.DATAPARALLEL_ON_CPU)
    return config, lesson.missing_data(dataset, data_dir)


def crash_settings() -> dict:
    with st.expander("💥 Make a worker fail, to see what the page does"):
        crash_rank = ps.number("Rank that dies (-1 = none)", "crash_rank", -1, -1, 15)
        return {"crash_rank": crash_rank, "crash_step": ps.number("at step", "crash_step", 3, 1, 10_000)}


config, missing = gpt_settings() if task == "gpt" else digits_settings()
ps.show_warnings()
if (own := jobs.current_job()) is not None and own.owner == owner:
    jobs.heartbeat(own)  # this learner is still here, whatever folder they are looking at


def start() -> None:
    with st.spinner("Checking the text and the model…"):
        folder, st.session_state["training.flash"] = lesson.start(config, owner)
    if folder:
        st.session_state[ps.key("run", "")] = folder


if missing:
    st.warning(missing)
left, right = st.columns(2)
left.button("▶ Start training", type="primary", on_click=start, width="stretch", disabled=bool(missing))
right.button(
    "■ Stop", on_click=lambda: st.session_state.update({"training.flash": lesson.stop(owner)}), width="stretch"
)
if message := st.session_state.pop("training.flash", None):
    st.warning(message)
folder = ps.text(text.RUN_FOLDER, "run", placeholder="e.g. /shared/runs/two-nodes") or lesson.running_folder()


def draw_run(run_folder: str) -> None:
    job = jobs.current_job()
    shown = lesson.watch(run_folder, job)
    if shown.mine and job.owner == owner:
        jobs.heartbeat(job)  # only the learner who started it keeps it alive; a class watching does not
    if shown.missing:
        st.error(shown.missing)
        return
    run = shown.run
    st.caption(shown.caption)
    if shown.progress is not None:
        st.progress(shown.progress, text=text.STARTING if not run.last_step else text.TRAINING)
    say(shown.messages)
    if run.status == "failed":
        with st.expander("Every error record"):
            st.json(run.errors)
    if shown.crashed_log is not None:
        st.code(shown.crashed_log)
    if not shown.curves:
        st.info(text.NO_CURVES)
        return
    figures = (charts.loss_figure(run), charts.accuracy_figure(run) if run.task != "gpt" else None)
    for figure in (*figures, charts.throughput_figure(run), charts.gpu_memory_figure(run)):
        if figure is not None:  # GPU memory exists only for runs on CUDA
            st.plotly_chart(figure)
    if run.task == "gpt":
        draw_samples_and_links(run)
    else:
        st.markdown(text.WHY_LOSSES_DIFFER)
    st.dataframe(charts.checksum_table(run))
    if st.session_state.get("training.live") and not shown.live:
        st.session_state["training.live"] = False
        st.rerun()  # the run ended: redraw the whole page once (runs table) and stop polling


def draw_samples_and_links(run) -> None:
    if samples := run.samples():
        st.markdown(text.SAMPLES_CAPTION)
        for sample in samples[:12]:
            st.markdown(f"**step {sample['step']}**")
            st.code(sample["text"], language=None, wrap_lines=True, height=180)
    if run.config:
        st.markdown(text.steps_per_pass_note(run.config))
        st.markdown(text.WHY_DDP_PAYS.format(figures=text.ddp_figures(run.config, run.steps())))


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


def as_settings(values: dict) -> dict:
    return {ps.key(name, None): value for name, value in values.items()}


def draw_runs() -> None:
    """Redrawn with the run above while it is live, so the table never says "waiting" beside a finished run."""
    runs = [run for run in list_runs(lesson.runs_root())[:60] if run.task == task][:30]
    if not (rows := [summarize(run) for run in runs]):
        st.caption("No runs of this task yet: press Start.")
        return
    st.dataframe(rows, hide_index=True, column_config={"run": st.column_config.TextColumn(pinned=True)})
    if (comparison := compare_runs(rows, task)).empty:
        st.info(text.GPT_NO_BASELINE if task == "gpt" else text.NO_BASELINE)
        return
    st.dataframe(comparison, hide_index=True, column_config={"run": st.column_config.TextColumn(pinned=True)})
    st.plotly_chart(charts.scaling_figure(comparison))
    if task == "gpt":
        compared = set(comparison.run) | set(comparison.baseline)
        st.plotly_chart(charts.heldout_by_time_figure([run for run in runs if run.folder.name in compared]))
    st.markdown(text.WHY_SPEEDUP_FALLS_SHORT)
    if task == "digits" and (fix := lesson.fewer_steps(comparison, rows)):
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
if task == "gpt":
    show_code(pretraining_code(config, lesson.corpus_path(config)))
else:
    fashion = fashion_mnist_folder()
    data_folder = str(fashion or "") if config.dataset == "fashion-mnist" else config.data_dir
    show_code(training_code(config, data_folder=data_folder))
ps.publish()
