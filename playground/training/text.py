"""The words of the Training page's lesson, kept beside the code they explain rather than inside the page file."""

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
