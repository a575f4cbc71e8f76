"""Pretrain a GPT-2 on a text file the way the Training page's job does, in the style of nanoGPT's train.py: the same
tokenizer, held-out split, token windows, initial weights, optimizer, schedule and step, so it prints the per-step
losses and the held-out loss the page shows.

Every function below is the job's own (playground/training/gpt_pretrain.py and the modules it uses), copied in from
its source. Run it from the checkout's root, where assets/ is. As plain `python pretrain_gpt.py` it trains as a world
of one; under torchrun each process is one worker, with DistributedDataParallel over gloo on CPU (NCCL on GPUs).
The job also writes a checkpoint at each evaluation; add `module.save_pretrained(folder)` to keep yours.
"""

import os
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from playground.pretraining.corpus import split_holdout
from playground.pretraining.gpt_metrics import causal_lm_heldout_loss
from playground.pretraining.lr_schedule import warmup_cosine
from playground.training.gpt_corpus import HOLDOUT, load_tokenizer, read_text
from playground.training.gpt_pretrain import adamw, agree, build_model, progress, train_step, write_sample
from playground.training.pretrain_config import PretrainConfig
from playground.training.train import join_job
from playground.training.windows import WindowPlan, gather

# Which parts the page's settings switch on: the panel keeps only those.
ddp = True  # the page asks for more than one worker

BUNDLED_GPT = Path("assets/models/shakespeare-gpt")  # the bundled GPT: its tokenizer, or its weights to continue
DEFAULT_TEXT = Path("../shared/data/tinyshakespeare.txt")  # the bundled corpus, beside the checkout
# UTF-8 text; its last 10% is held out
text_file = "../shared/data/tinyshakespeare.txt"
tokenizer_kind = "bundled"  # the bundled GPT's byte-level BPE, or "train": one trained on the training text...
vocab_size = 4096  # ...with this many tokens
# "" = a new model of the size below; "bundled", or a folder saved with save_pretrained, to continue that model
init_from = ""
layers = 4
heads = 4
width = 192  # the embedding width, split evenly over the heads
context = 256  # tokens per training window, and the model's positions
dropout = 0.1
batch_size = 8  # windows per micro-batch, on each worker
grad_accum = 1  # micro-batches per optimizer step: the global batch is workers x batch_size x grad_accum windows
lr = 0.001  # peak of the warmup + cosine schedule
max_steps = 200  # optimizer steps...
minutes = 60.0  # ...or minutes of training, whichever runs out first
eval_every = 50  # steps between held-out evaluations; the last step always evaluates
eval_chars = 20000  # held-out characters scored; 0 = all of them
# Each evaluation writes a sample from this prompt, with a seed of its own: samples differ only as the weights do.
prompt = "ROMEO:"
sample_seed = 0
sample_tokens = 120
seed = 0
device_type = "cpu"  # or "cuda": one GPU per process, NCCL
threads = 1  # torch threads per process: N workers use N cores

distributed = "RANK" in os.environ  # set by torchrun, which starts one process per worker
if ddp:
    command = "torchrun --standalone --nproc_per_node=2 pretrain_gpt.py"  # starts the page's workers
    if not distributed:
        print(f"One process, a world of one. To start the page's workers: {command}")
rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
local_rank = int(os.environ.get("LOCAL_RANK", "0"))
config = PretrainConfig(
    workers=world,
    text=text_file,
    init_from=init_from,
    tokenizer=tokenizer_kind,
    vocab_size=vocab_size,
    layers=layers,
    heads=heads,
    width=width,
    context=context,
    dropout=dropout,
    batch_size=batch_size,
    grad_accum=grad_accum,
    lr=lr,
    max_steps=max_steps,
    minutes=minutes,
    eval_every=eval_every,
    eval_chars=eval_chars,
    prompt=prompt,
    sample_seed=sample_seed,
    sample_tokens=sample_tokens,
    seed=seed,
    device=device_type,
    threads=threads,
)
device = join_job(config, local_rank, distributed, timeout_s=300)  # threads, device, and the process group

# The text: the last 10% held out (moved on to a line start), the rest one stream of tokens.
train_text, val_text = split_holdout(read_text(Path(text_file).expanduser()), HOLDOUT)
tokenizer = load_tokenizer(config, train_text)
train_ids = torch.tensor(tokenizer(train_text, add_special_tokens=False, verbose=False)["input_ids"], dtype=torch.long)
held_text = val_text[:eval_chars] if eval_chars else val_text

# Each step every rank reads its own share of disjoint windows: no two ranks ever read the same text.
plan = WindowPlan(len(train_ids), context, batch_size, grad_accum, world, seed)
if plan.problem():
    raise SystemExit(plan.problem())

torch.manual_seed(seed)  # the same initial weights on every rank
model = build_model(config, tokenizer).to(device)
model.train()
module = model
if distributed:
    model = DDP(module, device_ids=[local_rank] if device.type == "cuda" else None)  # all-reduces gradients
optimizer = adamw(module, lr)


def evaluate(step):
    """Rank 0 scores every held-out token once and writes a sample, as the job does at each evaluation."""
    if rank == 0:
        held = causal_lm_heldout_loss(module, tokenizer, held_text, context)  # eval mode: no dropout
        sample = write_sample(module, tokenizer, config, device)
        module.train()
        print(f"step {step}: held-out loss {held.loss_per_token:.6f} per token, {held.loss_per_char:.6f} per char")
        print(sample, flush=True)


step, evaluated, start = 0, 0, time.perf_counter()
while True:
    elapsed, _ = agree(time.perf_counter() - start, False, distributed, device)  # rank 0's clock, on every rank
    if step >= max_steps or elapsed >= minutes * 60:
        break
    step_lr = warmup_cosine(progress(step, config, elapsed), lr)
    starts = plan.rank_starts(step, rank)  # (grad_accum, batch_size) window starts
    micro = [tuple(t.to(device) for t in gather(train_ids, s, context)) for s in starts]
    loss = train_step(model, optimizer, micro, step_lr)
    step += 1
    print(f"rank {rank} step {step}: loss {loss:.6f}, lr {step_lr:.6g}", flush=True)
    if (eval_every and step % eval_every == 0) or step == max_steps:
        evaluate(step)
        evaluated = step
if evaluated != step:  # the minutes ran out between evaluations
    evaluate(step)
if distributed:
    dist.barrier()
    dist.destroy_process_group()
