"""The words of the Training page's lesson, kept beside the code they explain rather than inside the page file."""

from playground.url_values import quoted

STRATEGY_LABELS = {
    "ddp": "DistributedDataParallel (N processes)",
    "single": "Single process",
    "dataparallel": "nn.DataParallel (one process)",
}
DATAPARALLEL_ON_CPU = (
    "nn.DataParallel needs 2 or more GPUs to split a batch; here it just runs the model once per batch, exactly like "
    "the single process. See the explanation below."
)
GIVE_THE_FOLDER = (
    "Give the folder that holds the four MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-…, "
    "t10k-images-…, t10k-labels-…)."
)
NOT_YOURS = "Only the learner who started the running job can stop it."
STARTING = "Training… (starting the processes and importing torch takes a few seconds)"
SHUTTING_DOWN = "Every rank wrote its `done` record; the processes are shutting down…"
NO_CURVES = "No rank recorded a training step before the run ended, so there are no curves to draw."
NO_BASELINE = "Finish a run with 1 worker and one with 2 (same data set and batch) to see the speedup."

INTRO = """
The lesson trains **SimpleNN** (input → 128 → 64 → 10, ReLU) with Adam (lr 0.001), batch 64. To train faster you
can split each batch over several **workers**: every worker holds a full copy of the model, computes gradients on its
own slice of the data, and the workers **average their gradients** before each optimizer step. Press **Start** to
run the job in separate processes over `torch.distributed`, and watch every rank's curves arrive live.
"""

ALL_REDUCE = """
**What DDP does with gradients.** `DistributedDataParallel` registers a hook on every parameter. As `backward()`
produces gradients (last layer first), DDP packs them into **buckets** of about 25 MB and, as soon as a bucket is
full, starts an **all-reduce** on it: every rank contributes its gradient and every rank receives the sum, which DDP
divides by the number of workers. Communication for early buckets overlaps the computation of later gradients.
When `backward()` returns, every rank holds the *same averaged gradient*, so the identical `optimizer.step()` on
each rank keeps the weights identical. Nothing else is synchronised: no parameter server, no weight broadcast after
the first one (DDP copies rank 0's initial weights to everyone when it wraps the model).

Backends: **gloo** moves tensors over TCP between CPU processes (what runs here); **NCCL** uses NVLink/InfiniBand
between GPUs. The same code runs on both; only `init_process_group`'s backend differs.
"""

# What bench/bench_training.py measured for 2 DDP gloo workers against one process, on this project's 2-core machine.
# The one source of the figure: the README's Performance table quotes it, and a test holds the two together.
MEASURED_SPEEDUP = {"workers": 2, "speedup": 0.53, "efficiency": 0.27}

WHY_SPEEDUP_FALLS_SHORT = f"""
**Why 2 workers may not be 2× faster, or even faster at all.** Each step, every worker computes on its share of the
batch and then waits for the all-reduce of the gradients. Splitting the work halves the compute; the communication
does not shrink. For a network as small as these (a step takes about a millisecond on one core), moving the
gradients between processes costs more than the compute it saves, so 2 workers can be slower than 1: this
project's benchmark measured {MEASURED_SPEEDUP["speedup"]}× on 8×8 digits. The speedup grows when each step has more
compute per byte of gradient: a bigger model, a bigger batch per worker, or GPUs with NCCL on a fast link.
"""

WHY_LOSSES_DIFFER = """
**Why the ranks' loss curves differ but their weights do not.** `DistributedSampler` gives each rank a different,
disjoint shard of every epoch, so each rank's loss is measured on *different images*: the curves wiggle
differently. But the optimizer never sees a rank's own gradient, only the all-reduced average, so after every step
all ranks hold bit-for-bit the same parameters. The table below is the proof: after each epoch every rank hashes its
parameters (SHA-256 of their bytes) and reports it. Held-out accuracy is identical across ranks for the same reason.
"""

DATAPARALLEL = """
**`nn.DataParallel` (what the original lesson wraps its model in).** It is *one* process: on each forward pass it
copies the model to every GPU, splits the batch across them, runs the copies in threads, gathers the outputs on GPU 0
and sums the gradients back there. **On a CPU, or with a single GPU, it does nothing**: it simply calls the model, so
"using DataParallel" on a laptop trains exactly like the single process. Even with GPUs, PyTorch recommends DDP
instead: DataParallel re-copies the weights every step, is limited by Python's GIL, piles the outputs and gradients
onto GPU 0, and cannot span machines. DDP runs one process per device and only exchanges gradients.
"""

MIRRORED_ROWS = [
    (
        "Create the strategy",
        "`strategy = tf.distribute.MirroredStrategy()`",
        '`dist.init_process_group("nccl")`, one process per GPU (torchrun starts them)',
    ),
    (
        "Build the model",
        "inside `with strategy.scope():` → variables mirrored on each GPU",
        "`model = DDP(model, device_ids=[local_rank])` → rank 0's weights broadcast",
    ),
    (
        "Split the data",
        "`strategy.experimental_distribute_dataset(ds)` with the *global* batch size",
        "`DistributedSampler` with the *per-worker* batch size (global = workers × batch)",
    ),
    (
        "Gradients",
        "all-reduced across replicas (NCCL) inside `optimizer.apply_gradients`",
        "all-reduced in buckets during `loss.backward()`",
    ),
    ("Processes", "one Python process drives all GPUs of a machine", "one process per GPU (or per CPU worker here)"),
    (
        "Many machines",
        "`MultiWorkerMirroredStrategy` + a `TF_CONFIG` environment variable",
        "the same script, `torchrun --nnodes=2 --node_rank=… --master_addr=…`",
    ),
]

MIRRORED_NOTE = """
**TensorFlow's `MirroredStrategy`**, side by side with DDP. Both do synchronous data parallelism with an all-reduce of
the gradients: the idea is identical, the bookkeeping differs. (TensorFlow is not installed here; this is a map.)
"""


EXPLAINERS = {  # the page's closing expanders, title -> text (the MirroredStrategy one is followed by its table)
    "How DDP averages gradients: all-reduce and buckets": ALL_REDUCE,
    "nn.DataParallel, and why DDP is preferred": DATAPARALLEL,
    "TensorFlow's MirroredStrategy, mapped onto DDP": MIRRORED_NOTE,
}


def mirrored_table() -> list[dict]:
    return [
        {"step": step, "TensorFlow MirroredStrategy": tf, "PyTorch DDP": torch_ddp}
        for step, tf, torch_ddp in MIRRORED_ROWS
    ]


# Measured with `python -m playground.training.train` on 8x8 digits, 5 epochs, batch 64 per worker, seed 0.
MEASURED_FEWER_STEPS = {
    "1 worker": (0.925, 115),
    "2 workers": (0.864, 60),
    "2 workers, lr x 2": (0.903, 60),
    "2 workers, 10 epochs": (0.930, 120),
}


def fewer_steps(workers: int, batch: int, accuracy: float, steps: int, base_accuracy: float, base_steps: int) -> str:
    measured = "; ".join(f"{name} {acc:.3f} ({n} steps)" for name, (acc, n) in MEASURED_FEWER_STEPS.items())
    return (
        f"**Why {workers} workers reached a lower accuracy: {accuracy:.3f}, against {base_accuracy:.3f} for 1 "
        f"worker.** Every optimizer step now averages the gradients of {workers} x {batch} = {workers * batch:,} "
        f"samples, so an epoch takes {workers} times fewer steps: this run took {steps:,}, the 1-worker run "
        f"{base_steps:,}. Each sample was seen as often, but with the same learning rate fewer steps learn less. "
        f"Two fixes: **train as many steps** ({workers} x the epochs), or **scale the learning rate** with the global "
        f"batch ({workers} x, Goyal et al.'s linear scaling rule for SGD; Adam often wants less, about "
        f"√{workers} x). This project measured, on these digits over 5 epochs: {measured}."
    )


# ---- the GPT pretraining task ------------------------------------------------------------------------------------

# bench/bench_training.py: gloo all-reduce of the default GPT's gradients (2.6 M float32, 10.5 MB) between 2 CPU
# processes, median of 30 (7.4 to 9.7 ms over four runs on the 2-core machine).
MEASURED_ALL_REDUCE_MS = 8.0
TASKS = {"gpt": "Pretrain a GPT", "digits": "The lesson's SimpleNN on digits"}

GPT_INTRO = """
**Pretraining** is how every GPT starts: a model with random weights reads text and, at every position, guesses the
next token. The loss is how surprised it was (cross-entropy); each step nudges the weights to be less surprised.
Press **Start** to pretrain a small GPT-2 (`GPT2LMHeadModel`) from scratch on Shakespeare, in separate processes
over `torch.distributed`. Every few steps it is scored on text it never trained on (the last 10%, **held out**) and
writes a few lines from the same prompt with the same seed, so the samples differ only because the weights did:
watch them go from noise to speaker names and verse.
"""

GPT_NO_CORPUS = (
    "The bundled corpus (Shakespeare's plays, tinyshakespeare.txt) is not on this machine: upload a text file of your "
    "own below, or put the corpus at data/tinyshakespeare.txt (`make corpus` fetches it)."
)

WHY_DDP_PAYS = """
**Why DDP pays off here, and didn't on the digits.** Each step, a worker computes on its own windows, then waits
while the workers all-reduce their gradients: one number per parameter, whatever the batch. The compute grows with
the parameters *times the tokens* (about 6 floating-point operations per parameter per token, forward and
backward), the communication only with the parameters. {figures}
"""

FEWER_STEPS_PER_EPOCH = (
    "**Tokens per step = workers × batch × context × accumulation.** Every optimizer step averages the gradients of "
    "all the workers' windows, so {workers} worker(s) × {batch} windows × {context} tokens × {accum} = **{tokens:,} "
    "tokens per step**. One pass over the training text ({train_tokens:,} tokens) therefore takes {steps_per_pass:,} "
    "steps: more workers, fewer steps per pass. To compare 1 and N workers fairly, give them the same global batch: "
    "2 workers at batch 8 see as many tokens per step as 1 worker at batch 8 with 2 accumulation steps, and step the "
    "same way."
)


def ddp_figures(config: dict, steps) -> str:
    """The two costs of one step of this run, from its model's size and its own step records: what each worker
    computes, and what the all-reduce moves. SimpleNN's figures are the lesson's model (64→128→64→10) at batch 64."""
    n_params = config["n_params"]
    tokens = config["batch_size"] * config["context"] * config["grad_accum"]  # per worker per step
    gradient_mb, gflop = n_params * 4 / 1e6, 6 * n_params * tokens / 1e9
    rates = steps["tokens_per_s"].dropna() if "tokens_per_s" in steps else []
    took = f", which took this run's workers {tokens / rates.median():.2f} s a step" if len(rates) else ""
    simple_nn = 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    return (
        f"This GPT has {n_params / 1e6:.2f} M parameters. Each step, each worker computes about **{gflop:,.1f} "
        f"GFLOP** on its {tokens:,} tokens{took}; then the workers all-reduce **{gradient_mb:.1f} MB** of gradients, "
        f"(the default GPT's 10.5 MB took {MEASURED_ALL_REDUCE_MS:.0f} ms between two processes on this project's "
        "2-core machine). "
        f"SimpleNN has {simple_nn:,} parameters: a step of 64 digits is {6 * simple_nn * 64 / 1e6:.1f} MFLOP, well "
        f"under a millisecond of compute, and the all-reduce's fixed cost was larger than the compute it saved."
    )


def steps_per_pass_note(config: dict) -> str:
    tokens = config["world_size"] * config["batch_size"] * config["context"] * config["grad_accum"]
    return FEWER_STEPS_PER_EPOCH.format(
        workers=config["world_size"],
        batch=config["batch_size"],
        context=config["context"],
        accum=config["grad_accum"],
        tokens=tokens,
        train_tokens=config["train_tokens"],
        steps_per_pass=max(1, config["train_tokens"] // tokens),
    )


GPT_NO_BASELINE = (
    "Finish a run with 1 worker and one with 2 (same model, context and batch per worker) to see the speedup and the "
    "race of held-out loss against time."
)
SAMPLES_CAPTION = "What the model writes from the same prompt with the same seed, newest first:"

STARTS = {"scratch": "Random weights (from scratch)", "bundled": "The bundled GPT (continue its training)"}
SIZE_KEPT = "Continuing the bundled GPT keeps its size: 4 layers, 4 heads, width 192."
UPLOAD = "Your own text instead of Shakespeare (a UTF-8 .txt file, up to 5 MB; the last 10% is held out)"
RUN_FOLDER = "Run folder shown below (paste the --run-dir of a job started elsewhere to watch it)"
TRAINING = "Training…"
SETTINGS_EXPANDER = "⚙️ Model size, batch and schedule (the defaults are a two-minute run worth watching)"


def run_summary(config) -> str:
    """The run in one line, for a settings box that is usually closed."""
    plural = lambda n, word: f"{n} {word}{'s' if n != 1 else ''}"  # noqa: E731
    size = (
        "the bundled GPT's size"
        if config.init_from
        else (f"{plural(config.layers, 'layer')} · {plural(config.heads, 'head')} · width {config.width}")
    )
    tokens = config.workers * config.batch_size * config.grad_accum * config.context
    return (
        f"The run: {size} · context {config.context} · {config.workers} worker(s) × {config.batch_size} windows"
        f"{f' × {config.grad_accum} accumulated' if config.grad_accum > 1 else ''} = {tokens:,} tokens per step · "
        f"{config.max_steps} steps · peak learning rate {config.lr:g} · a sample every {config.eval_every} steps"
    )


ANATOMY_LINK = "🧮 Its configuration in GPT-2 anatomy"


def hand_on(model_dir: str) -> str:
    return (
        f"**Use what it learned.** The checkpoint in {quoted(model_dir, limit=120)} is a transformers model: write "
        "with it in GPT generation, or count its parameters and memory in GPT-2 anatomy."
    )
