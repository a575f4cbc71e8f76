"""
Pretrain a GPT-2 (transformers' GPT2LMHeadModel) on a text file with data parallelism, writing live metrics.

One loop for the Training page's job and the command line: next-token prediction on disjoint token windows
(playground/training/windows.py), AdamW with warmup + cosine learning rate, gradient clipping, gradient accumulation,
and DistributedDataParallel over torch.distributed when there is more than one process. Every rank appends JSON
lines to RUN_DIR/metrics.jsonl (config, step, eval, sample, checksum, done; see `run_worker`), and rank 0 saves the
model and tokenizer with save_pretrained to RUN_DIR/model at each evaluation and at the end.

On one machine, 2 CPU worker processes over gloo (train.py launches and reaps them itself):
$ python -m playground.training.train --task gpt --workers 2 --max-steps 200 --run-dir runs/training/gpt2w

One process, no torch.distributed at all (the baseline), with the same global batch of 16 windows:
$ python -m playground.training.train --task gpt --workers 1 --grad-accum 2 --max-steps 200 --run-dir runs/training/gpt1

Continue from the bundled GPT on your own text, or size a model from scratch with its own tokenizer:
$ python -m playground.training.train --task gpt --init-from bundled --text notes.txt --run-dir runs/training/ft
$ python -m playground.training.train --task gpt --tokenizer train --layers 6 --heads 6 --width 384 --run-dir DIR

With torchrun on 1 node, 4 processes (NCCL on GPUs with --device cuda, one GPU per local rank; else gloo on CPU):
$ torchrun --standalone --nproc_per_node=4 -m playground.training.train --task gpt --max-steps 500 --run-dir DIR

Across 2 nodes with 8 GPUs each, the first (master) node with example IP 123.456.123.456:
$ torchrun --nproc_per_node=8 --nnodes=2 --node_rank=0 --master_addr=123.456.123.456 --master_port=1234 \
    -m playground.training.train --task gpt --device cuda --max-steps 2000 --run-dir /shared/runs/gpt-two-nodes
- and on the worker node:
$ torchrun --nproc_per_node=8 --nnodes=2 --node_rank=1 --master_addr=123.456.123.456 --master_port=1234 \
    -m playground.training.train --task gpt --device cuda --max-steps 2000 --run-dir /shared/runs/gpt-two-nodes
(the run folder on a shared file system, and the --text file at the same path on every node. If your cluster does
not have Infiniband interconnect prepend NCCL_IB_DISABLE=1.)

References: GPT-2 (Radford et al. 2019); nanoGPT's train.py (schedule, accumulation with no_sync, these command
lines); PyTorch's DDP notes (https://pytorch.org/docs/stable/notes/ddp.html).
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import sys
import time
import traceback
from contextlib import nullcontext
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from playground.cpus import cpu_budget
from playground.pretraining.gpt_metrics import causal_lm_heldout_loss
from playground.pretraining.lr_schedule import warmup_cosine
from playground.training.checkpoints import MODEL_DIR, checkpoint_step, save_checkpoint
from playground.training.gpt_corpus import TOKENIZER_DIR, Corpus, init_folder, prepare_corpus
from playground.training.pretrain_config import DEVICES, TOKENIZERS, PretrainConfig, apply_caps, size_problem
from playground.training.train import (
    METRICS_FILE,
    MetricsWriter,
    crash_if_told,
    die_with_server,
    gpu_memory,
    join_job,
    launch,
    param_checksum,
)
from playground.training.windows import WindowPlan, gather

CRASHES = ("raise", "kill")
SAMPLING = {"do_sample": True, "top_k": 40, "temperature": 0.8}  # as the bundled GPT's card samples
CLIP = 1.0


def settle(config: PretrainConfig, cpu_count: int | None = None, gpu_count: int | None = None):
    """The caps, then the size of the model continued from (its layers, heads and width are what trains)."""
    cpu_count = cpu_budget().usable if cpu_count is None else cpu_count
    gpu_count = torch.cuda.device_count() if gpu_count is None else gpu_count
    config, notes = apply_caps(config, cpu_count, gpu_count)
    folder = init_folder(config)
    if folder is None:
        return config, notes
    from transformers import AutoConfig

    if not (folder / "config.json").is_file():
        raise ValueError(f"There is no model in {folder} (no config.json): give a folder saved with save_pretrained.")
    loaded = AutoConfig.from_pretrained(folder)
    if loaded.model_type != "gpt2":
        raise ValueError(f"The model in {folder} is a {loaded.model_type}, not a GPT-2: give a GPT-2 folder.")
    if config.context > loaded.n_positions:
        raise ValueError(
            f"The model in {folder} has {loaded.n_positions} positions, so its windows can hold at most "
            f"{loaded.n_positions} tokens, not {config.context}: lower the context."
        )
    sized = replace(config, layers=loaded.n_layer, heads=loaded.n_head, width=loaded.n_embd, dropout=loaded.resid_pdrop)
    if (sized.layers, sized.heads, sized.width) != (config.layers, config.heads, config.width):
        notes.append(
            f"Continuing from {folder.name}: its size is kept ({sized.layers} layers, {sized.heads} heads, "
            f"width {sized.width}); the layer, head and width settings don't apply."
        )
    return sized, notes


@dataclass
class Checked:
    config: PretrainConfig  # after the caps
    notes: list[str]  # what the caps changed, for the learner
    corpus: Corpus
    plan: WindowPlan


def check(config: PretrainConfig, cpu_count: int | None = None, gpu_count: int | None = None) -> Checked:
    """Everything that can be wrong with a run, found before any process starts: a ValueError whose text the page
    shows as it is. Reads and tokenizes the text (a few seconds for the bundled corpus)."""
    config, notes = settle(config, cpu_count, gpu_count)
    problem = size_problem(config)
    if problem:
        raise ValueError(problem)
    corpus = prepare_corpus(config)
    plan = WindowPlan(
        len(corpus.train_ids), config.context, config.batch_size, config.grad_accum, config.workers, config.seed
    )
    problem = plan.problem()
    if problem:
        raise ValueError(f"{corpus.name}: {problem}")
    if not corpus.val_text.strip():
        raise ValueError(f"{corpus.name} leaves nothing to hold out in its last 10%: give a longer text.")
    if not config.prompt.strip():
        raise ValueError("The sample prompt is empty: give the model a few words to continue, such as ROMEO:")
    if len(corpus.tokenizer(config.prompt)["input_ids"]) >= config.context:
        raise ValueError(f"The sample prompt is {config.context} tokens or longer: shorten it below the context.")
    return Checked(config, notes, corpus, plan)


def build_model(config: PretrainConfig, tokenizer):
    """GPT-2 of the learner's size (initialised by transformers from the current torch seed), or the one continued."""
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = init_folder(config)
    if folder is not None:
        return GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float32)
    model = GPT2LMHeadModel(
        GPT2Config(
            vocab_size=len(tokenizer),
            n_positions=config.context,
            n_embd=config.width,
            n_layer=config.layers,
            n_head=config.heads,
            resid_pdrop=config.dropout,
            embd_pdrop=config.dropout,
            attn_pdrop=config.dropout,
            bos_token_id=tokenizer.eos_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    )
    model.generation_config.pad_token_id = tokenizer.eos_token_id
    return model


def adamw(model: torch.nn.Module, lr: float) -> torch.optim.AdamW:
    """As the bundled models were trained: weight decay on matrices only, betas 0.9/0.95 (nanoGPT's)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95))


def next_token_loss(model, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of every window position; y is already x moved on by one, so no `labels=` (which would
    shift a second time)."""
    logits = model(input_ids=x).logits
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1))


def train_step(model, optimizer, micro_batches: list[tuple[torch.Tensor, torch.Tensor]], lr: float) -> float:
    """One optimizer step over `micro_batches`; returns this rank's mean loss.

    Each micro-batch's loss is divided by their number, so the summed gradients are the mean over all of them. Under
    DDP the gradients are all-reduced (averaged over ranks) only in the last backward: the others run in no_sync(),
    so K micro-batches cost one all-reduce, not K. Every window has the same number of tokens, so this mean of means
    is the mean over the whole global batch, and N workers step exactly as one process would on all their windows.
    """
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for index, (x, y) in enumerate(micro_batches):
        last = index == len(micro_batches) - 1
        with model.no_sync() if isinstance(model, DDP) and not last else nullcontext():
            loss = next_token_loss(model, x, y) / len(micro_batches)
            loss.backward()
        total += loss.item()
    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    optimizer.step()
    return total


def progress(step: int, config: PretrainConfig, elapsed: float) -> float:
    """How far through its budget the run is after this step: steps or minutes, whichever runs out first."""
    return min(1.0, max((step + 1) / config.max_steps, elapsed / (config.minutes * 60)))


@torch.no_grad()
def write_sample(model, tokenizer, config: PretrainConfig, device: torch.device) -> str:
    """The text the model writes from the fixed prompt with the fixed seed; training's own random state is untouched."""
    prompt = tokenizer(config.prompt, return_tensors="pt").to(device)
    room = model.config.n_positions - prompt["input_ids"].shape[1]
    with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []):
        torch.manual_seed(config.sample_seed)
        out = model.generate(
            **prompt,
            max_new_tokens=max(1, min(config.sample_tokens, room)),
            pad_token_id=tokenizer.eos_token_id,
            **SAMPLING,
        )
    return tokenizer.decode(out[0])


def evaluate(model, corpus: Corpus, config: PretrainConfig, device, run_dir: Path, step: int, log, saved: float):
    """Rank 0: held-out loss, a sample, and a checkpoint; written as an eval and a sample record.

    `saved` is the held-out loss of the checkpoint in RUN/model (inf before the first). With keep_best the checkpoint
    is replaced only by a better one, so a run that trained past its best (it memorises a small text) still hands on
    its best weights; otherwise every evaluation saves, and a stopped run keeps its latest."""
    started = time.perf_counter()
    held_text = corpus.val_text[: config.eval_chars] if config.eval_chars else corpus.val_text
    held = causal_lm_heldout_loss(model, corpus.tokenizer, held_text, config.context)  # eval mode: no dropout
    text = write_sample(model, corpus.tokenizer, config, device)
    model.train()
    save = not config.keep_best or held.loss_per_token < saved
    folder = save_checkpoint(model, corpus.tokenizer, run_dir, step) if save else run_dir / MODEL_DIR
    log.write(
        "eval",
        step=step,
        val_loss=held.loss_per_token,
        val_loss_per_char=held.loss_per_char,
        val_perplexity=held.perplexity,
        val_tokens=held.n_tokens,
        val_chars=held.n_chars,
        checkpoint=str(folder),
        saved=save,
        eval_time=round(time.perf_counter() - started, 4),
    )
    log.write("sample", step=step, prompt=config.prompt, seed=config.sample_seed, text=text)
    return held, (held.loss_per_token if save else saved)


class StopRequest:
    """SIGTERM (the page's Stop) or SIGINT only raise a flag; the loop stops at the next step boundary, all ranks at
    the same one, so no rank dies inside an all-reduce or a checkpoint save."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.signal: int | None = None
        self.previous = {sig: signal.signal(sig, self._raise_flag) for sig in self.SIGNALS}

    def _raise_flag(self, signum, _frame):
        self.signal = signum

    def restore(self) -> None:
        """Put back the handlers there were (a rank run inside another program, such as a test, leaves no trace)."""
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def agree(elapsed: float, stop: bool, distributed: bool, device: torch.device) -> tuple[float, bool]:
    """Rank 0's clock and "anyone asked to stop", the same on every rank: ranks that disagreed on the learning rate
    would drift apart, and one that stopped alone would leave the others waiting in their next all-reduce."""
    if not distributed:
        return elapsed, stop
    shared = torch.tensor([elapsed if dist.get_rank() == 0 else 0.0, float(stop)], device=device)
    dist.all_reduce(shared, op=dist.ReduceOp.MAX)
    return shared[0].item(), bool(shared[1].item())


def run_worker(config: PretrainConfig, run_dir: Path, corpus: Corpus | None = None) -> int:
    """One rank's training loop. Under DDP, RANK / WORLD_SIZE / LOCAL_RANK / MASTER_* come from the launcher.

    Records: config (rank 0, first); step (every rank: loss, lr, tokens_per_s of this rank); at each evaluation
    eval (val_loss per token, val_loss_per_char) and sample (text) from rank 0, then checksum from every rank; done
    (every rank, after a barrier: train_time, tokens_per_s); stopped (every rank, on SIGTERM/SIGINT); error.
    """
    distributed = "RANK" in os.environ
    rank = int(os.environ.get("RANK", 0))
    world = int(os.environ.get("WORLD_SIZE", 1))
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    run_dir.mkdir(parents=True, exist_ok=True)
    log = MetricsWriter(run_dir / METRICS_FILE, rank)
    stop = StopRequest()
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # save_pretrained's bar would fill job.log at every checkpoint
        config, _ = settle(config)  # the same caps on every rank, whoever started it
        device = join_job(config, local_rank, distributed, timeout_s=300)
        if distributed:
            dist.barrier()  # rank 0 saved a trained tokenizer before it joined: now every rank can load it
        corpus = corpus or prepare_corpus(config, run_dir)
        plan = WindowPlan(
            len(corpus.train_ids), config.context, config.batch_size, config.grad_accum, world, config.seed
        )
        if plan.problem():  # torchrun may start more ranks than the check counted
            raise ValueError(plan.problem())
        torch.manual_seed(config.seed)  # the same initial weights on every rank; DDP also broadcasts rank 0's
        model = build_model(config, corpus.tokenizer).to(device)
        model.train()
        module = model
        if distributed:
            model = DDP(module, device_ids=[local_rank] if device.type == "cuda" else None)
        optimizer = adamw(module, config.lr)
        if rank == 0:
            log.write(
                "config",
                world_size=world,
                backend=dist.get_backend() if distributed else "none",
                device_used=str(device),
                torch_threads=torch.get_num_threads(),
                host=socket.gethostname(),
                **asdict(config),
                strategy="ddp" if distributed else "single",
                dataset=corpus.name,
                n_params=sum(p.numel() for p in module.parameters()),
                vocab=len(corpus.tokenizer),
                train_chars=corpus.train_chars,
                train_tokens=len(corpus.train_ids),
                val_chars=len(corpus.val_text),
                windows_per_pass=plan.windows_per_pass,
                global_batch=plan.global_batch,
                tokens_per_step=plan.global_batch * config.context,
            )
        step, tokens, train_time, evaluated, held, saved = 0, 0, 0.0, 0, None, math.inf
        start = time.perf_counter()
        while True:
            elapsed, stopping = agree(time.perf_counter() - start, stop.signal is not None, distributed, device)
            if stopping or step >= config.max_steps or elapsed >= config.minutes * 60:
                break
            lr = warmup_cosine(progress(step, config, elapsed), config.lr)
            started = time.perf_counter()
            starts = plan.rank_starts(step, rank)
            micro = [tuple(t.to(device) for t in gather(corpus.train_ids, s, config.context)) for s in starts]
            crash_if_told(config, rank, step + 1)  # dies during step crash_step, as the page says
            loss = train_step(model, optimizer, micro, lr)
            seconds = time.perf_counter() - started
            step, train_time, tokens = step + 1, train_time + seconds, tokens + starts.numel() * config.context
            if step % config.log_every == 0:
                log.write(
                    "step",
                    step=step,
                    epoch=plan.pass_of(step - 1),  # passes over the training text
                    loss=loss,
                    lr=lr,
                    tokens_per_s=round(starts.numel() * config.context / max(seconds, 1e-9), 1),
                    samples_per_s=round(starts.numel() / max(seconds, 1e-9), 2),  # windows
                    **gpu_memory(device),
                )
            if (config.eval_every and step % config.eval_every == 0) or step == config.max_steps:
                held, saved = _evaluate_all(module, corpus, config, device, run_dir, step, log, rank, held, saved)
                evaluated = step
        if stopping:
            why = signal.Signals(stop.signal).name if stop.signal else "another rank was stopped"
            kept_step = checkpoint_step(run_dir)
            kept = f"the checkpoint of step {kept_step} is kept" if kept_step else "no checkpoint was saved yet"
            log.write("stopped", step=step, reason=f"{why} after step {step}; {kept}")
        elif evaluated != step:  # the minutes ran out between evaluations
            held, saved = _evaluate_all(module, corpus, config, device, run_dir, step, log, rank, held, saved)
        if distributed:
            dist.barrier()
        if not stopping:
            log.write(
                "done",
                step=step,
                train_time=round(train_time, 4),
                tokens=tokens,
                tokens_per_s=round(tokens / max(train_time, 1e-9), 1),
                samples=tokens // config.context,
                samples_per_s=round(tokens / config.context / max(train_time, 1e-9), 2),
                **({"val_loss": held.loss_per_token, "val_loss_per_char": held.loss_per_char} if held else {}),
            )
        if distributed:
            dist.destroy_process_group()
        return 143 if stopping else 0
    except BaseException as err:  # noqa: BLE001 - the page must learn why this rank died, whatever it was
        log.write("error", error=f"{type(err).__name__}: {err}", traceback=traceback.format_exc(limit=4))
        raise
    finally:
        stop.restore()


def _evaluate_all(module, corpus, config, device, run_dir, step, log, rank, held, saved):
    """Rank 0 evaluates and saves; then every rank writes its parameters' checksum, equal only if the ranks agree."""
    if rank == 0:
        held, saved = evaluate(module, corpus, config, device, run_dir, step, log, saved)
    checksum, param_sum = param_checksum(module)
    log.write("checksum", step=step, checksum=checksum, param_sum=param_sum)
    return held, saved


def parse_args(argv: list[str] | None = None) -> tuple[PretrainConfig, Path, bool, bool]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = PretrainConfig()
    for field in fields(PretrainConfig):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        if isinstance(default, bool):  # as_flags writes a true bool as a bare flag
            parser.add_argument(flag, action="store_true")
        else:
            parser.add_argument(flag, type=type(default), default=default)
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--overwrite", action="store_true", help="empty the run folder's metrics first")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config = PretrainConfig(**{f.name: getattr(args, f.name) for f in fields(PretrainConfig)})
    for name, allowed in (("task", ("gpt",)), ("tokenizer", TOKENIZERS), ("device", DEVICES), ("crash_how", CRASHES)):
        if getattr(config, name) not in allowed:
            parser.error(f"--{name.replace('_', '-')} must be one of {', '.join(allowed)}")
    return config, args.run_dir, args.overwrite, args.worker


def main(argv: list[str] | None = None) -> int:
    config, run_dir, overwrite, is_worker = parse_args(argv)
    under_torchrun = "RANK" in os.environ and not is_worker
    corpus = None
    if not is_worker and not (under_torchrun and int(os.environ["RANK"]) != 0):
        # Only the first process checks the run and prepares the folder, before any rank can write to it.
        metrics = run_dir / METRICS_FILE
        if metrics.exists() and metrics.stat().st_size and not overwrite:
            print(f"error: {metrics} already holds a run; pass --overwrite or pick a new --run-dir", file=sys.stderr)
            return 2
        if under_torchrun:
            config = replace(config, workers=int(os.environ["WORLD_SIZE"]))  # for the check's count of windows
        try:
            checked = check(config)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        config, corpus = checked.config, checked.corpus
        for note in checked.notes:
            if not (under_torchrun and "workers" in note):  # torchrun decides the number of processes
                print(f"note: {note}", file=sys.stderr)
        run_dir.mkdir(parents=True, exist_ok=True)
        metrics.write_text("")
        corpus.tokenizer.save_pretrained(run_dir / TOKENIZER_DIR)
    if not is_worker and not under_torchrun:
        die_with_server(run_dir)
    if "RANK" not in os.environ and config.workers > 1:
        return launch(config, run_dir)
    return run_worker(config, run_dir, corpus)
