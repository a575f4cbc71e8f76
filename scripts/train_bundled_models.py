"""Train the small GPT and BERT bundled with LLM Playground (assets/models/shakespeare-gpt, shakespeare-bert).

Both are trained from scratch on one text file (default: ../shared/data/tinyshakespeare.txt, Shakespeare's plays in
1.1 MB); the last 10% of the file is held out for validation. Tokenizers are trained on the other 90% with
Hugging Face `tokenizers` (byte-level BPE for the GPT, WordPiece for the BERT). The GPT learns next-token
prediction (GPT2LMHeadModel) in the Training page's own job, `python -m playground.training.train --task gpt`, with
data parallelism over --workers processes (the bundled GPT is made by the same code a class watches); the BERT
learns masked-LM (15% chosen; 80/10/10) plus next-sentence prediction (BertForPreTraining) in this script's loop.
Training runs for a wall-clock budget with warmup + cosine learning rate; the weights with the best held-out loss
are kept and saved in transformers' format (safetensors, fp16 so each folder stays under 10 MB; load them as
float32). Each folder gets a model card (README.md) written from the measured figures.

References: GPT-2 (Radford et al. 2019), BERT (Devlin et al. 2018), nanoGPT's train.py (schedule, windows).

Both models from scratch, one after the other on both cores (the GPT as 2 one-thread workers), into runs/models/:
`make train-models MINUTES=25`. Each bundled model's card gives the exact commands
of every stage it was trained in; later stages continue from the saved weights with --init-from.
"""

from __future__ import annotations

import argparse
import copy
import math
import platform
import random
import re
import shlex
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playground.bert.held_out import by_training_frequency, masked_word_predictions, mlm_nsp_heldout  # noqa: E402
from playground.pretraining.bert_loss import pretraining_loss  # noqa: E402
from playground.pretraining.corpus import read_corpus, split_holdout  # noqa: E402
from playground.pretraining.fill_baseline import NeighbourCounts  # noqa: E402
from playground.pretraining.gpt_metrics import causal_lm_heldout_loss  # noqa: E402
from playground.pretraining.lr_schedule import warmup_cosine  # noqa: E402
from playground.pretraining.mlm_masking import mask_tokens  # noqa: E402
from playground.pretraining.nsp_pairs import collate_pairs, sample_nsp_pair  # noqa: E402
from playground.pretraining.stacking import stack_layers  # noqa: E402
from playground.pretraining.tokenizer_training import train_wordpiece  # noqa: E402
from playground.training.gpt_corpus import bundled_corpus  # noqa: E402

DEFAULT_DATA = bundled_corpus()  # data/ (make corpus), else ../shared/data
CARD_SUBSET_CHARS = 20_000  # the GPT test checks loss/char on this many held-out characters (kept fast)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["gpt", "bert"], required=True)
    p.add_argument("--data", default=str(DEFAULT_DATA), help="any UTF-8 text file")
    p.add_argument("--out", default=None, help="output folder (default assets/models/shakespeare-<model>)")
    p.add_argument("--minutes", type=float, default=45.0, help="wall-clock training budget")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--vocab-size", type=int, default=4096)
    p.add_argument("--d-model", type=int, default=192)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--block-size", type=int, default=None, help="tokens per sequence (gpt 256, bert 64)")
    p.add_argument("--batch-size", type=int, default=None, help="sequences per step, per worker (gpt 8, bert 16)")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (gpt 2e-3, bert 5e-4)")
    p.add_argument(
        "--eval-every",
        type=float,
        default=None,
        help="between held-out evaluations: gpt in optimizer steps (100), bert in seconds (180)",
    )
    p.add_argument("--workers", type=int, default=None, help="gpt: data-parallel worker processes (default 2)")
    p.add_argument("--max-steps", type=int, default=None, help="gpt: optimizer steps, if the minutes last (5000)")
    p.add_argument(
        "--run-dir", default=None, help="gpt: the job's run folder, metrics and best checkpoint (runs/models/gpt-run)"
    )
    p.add_argument(
        "--precision",
        choices=["auto", "bf16", "fp32"],
        default="auto",
        help="bf16 autocast, or fp32; auto = bf16 when the CPU has native bf16 (AVX512-BF16/AMX), else fp32 "
        "(emulated bf16 was 10x slower than fp32 on the AVX2 machine that trained the bundled models)",
    )
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument(
        "--init-from",
        default=None,
        help="continue training the model (and keep the tokenizer) saved in this folder; its card's "
        "training history is carried over into the new card",
    )
    p.add_argument(
        "--stack-to-layers",
        type=int,
        default=None,
        help="bert with --init-from: grow the loaded model to this many layers by copying its layers on "
        "top of themselves (progressive stacking, playground/pretraining/stacking.py)",
    )
    p.add_argument(
        "--remeasure",
        default=None,
        help="bert: no training; measure the model saved in this folder again and rewrite its card's "
        "validation section",
    )
    p.add_argument(
        "--dropout",
        type=float,
        default=None,
        help="dropout on hidden states and attention (default 0.1, or the loaded model's); more "
        "dropout fights memorising a small corpus read a hundred times over",
    )
    p.add_argument(
        "--short-seq-prob",
        type=float,
        default=0.0,
        help="bert: chance that a pair gets a random shorter length (BERT used 0.1), so the model also "
        "sees short inputs like the single lines learners type",
    )
    args = p.parse_args(argv)
    bert_only = {
        "--stack-to-layers": args.stack_to_layers,
        "--remeasure": args.remeasure,
        "--short-seq-prob": args.short_seq_prob or None,
    }
    for flag, value in bert_only.items():
        if args.model != "bert" and value is not None:
            p.error(f"{flag} is for --model bert only")
    gpt_only = {"--workers": args.workers, "--max-steps": args.max_steps, "--run-dir": args.run_dir}
    for flag, value in gpt_only.items():
        if args.model != "gpt" and value is not None:
            p.error(f"{flag} is for --model gpt only (the BERT trains in one process, in this script's loop)")
    args.workers, args.max_steps = args.workers or 2, args.max_steps or 5000
    args.run_dir = args.run_dir or str(REPO / "runs" / "models" / "gpt-run")
    if args.stack_to_layers and not args.init_from:
        p.error("--stack-to-layers grows a trained model: give the folder to grow with --init-from")
    defaults = {"gpt": (256, 8, 2e-3, 100), "bert": (64, 16, 5e-4, 180.0)}[args.model]
    args.block_size = args.block_size or defaults[0]
    args.batch_size = args.batch_size or defaults[1]
    args.lr = args.lr or defaults[2]
    args.eval_every = args.eval_every or defaults[3]
    args.out = Path(args.out or REPO / "assets" / "models" / f"shakespeare-{args.model}")
    return args


def use_bf16(precision: str) -> bool:
    if precision == "auto":
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return precision == "bf16"


def command_line(argv=None) -> str:
    """The command for the card. `--out` is left out: a run may write to a scratch folder first and be copied into
    the bundled folder only if it beats the model there, and the card describes the bundled folder."""
    args, kept = list(sys.argv[1:] if argv is None else argv), []
    while args:
        arg = args.pop(0)
        if arg == "--out":
            args and args.pop(0)
        elif not arg.startswith("--out="):
            kept.append(arg)
    return ".venv/bin/python scripts/train_bundled_models.py " + " ".join(shlex.quote(a) for a in kept)


class Trainer:
    """The BERT's loop: wall-clock budget, warmup+cosine LR, AdamW, periodic eval, keep best weights. (The GPT is
    trained by the Training page's own job instead, playground/training/gpt_pretrain.py.)"""

    def __init__(self, args, model, step_loss, evaluate):
        self.args, self.model, self.step_loss, self.evaluate = args, model, step_loss, evaluate
        decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
        self.opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
            lr=args.lr,
            betas=(0.9, 0.95),
        )
        self.bf16 = use_bf16(args.precision)

    def run(self):
        budget = self.args.minutes * 60
        start = last_eval = time.time()
        best, best_state, step, tokens, running = math.inf, None, 0, 0, None
        print(f"training {self.args.model} for {self.args.minutes} min, bf16 autocast={self.bf16}", flush=True)
        while True:
            elapsed = time.time() - start
            if elapsed >= budget:
                break
            lr = warmup_cosine(elapsed / budget, self.args.lr)
            for group in self.opt.param_groups:
                group["lr"] = lr
            self.model.train()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                loss, n_tok = self.step_loss()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.opt.step()
            self.opt.zero_grad(set_to_none=True)
            step, tokens = step + 1, tokens + n_tok
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
            if step % 50 == 0:
                print(
                    f"step {step} {elapsed / 60:.1f} min lr {lr:.2e} train loss {running:.3f} "
                    f"({tokens / max(elapsed, 1e-9):.0f} tok/s)",
                    flush=True,
                )
            if time.time() - last_eval >= self.args.eval_every or time.time() - start >= budget:
                val = self.evaluate(quick=True)
                print(f"step {step} held-out (quick): {val}", flush=True)
                if val < best:
                    best, best_state = val, copy.deepcopy(self.model.state_dict())
                last_eval = time.time()
        if best_state is not None:
            self.model.load_state_dict(best_state)
        self.model.eval()
        return {"steps": step, "tokens": tokens, "seconds": time.time() - start, "best_quick": best}


def hardware() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch thread(s), "
        f"CPU capability {torch.backends.cpu.get_cpu_capability()}, torch {torch.__version__}"
    )


def size_on_disk(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6


# --------------------------------------------------------------------------------------------------- GPT
CARD_WINDOW = 128  # the card's held-out windows, as every earlier card measured them, so figures compare


def gpt_loop_config(args):
    """The Training page's own job, sized for the bundled GPT: the class's loop, run for longer on both cores."""
    from playground.training.pretrain_config import PretrainConfig

    return PretrainConfig(
        workers=args.workers,
        text=str(args.data),
        init_from=str(args.init_from or ""),
        tokenizer="bundled" if args.init_from else "train",
        vocab_size=args.vocab_size,
        layers=args.layers,
        heads=args.heads,
        width=args.d_model,
        context=args.block_size,
        dropout=0.1 if args.dropout is None else args.dropout,
        batch_size=args.batch_size,
        lr=args.lr,
        max_steps=args.max_steps,
        minutes=args.minutes,
        eval_every=int(args.eval_every),
        eval_chars=CARD_SUBSET_CHARS,
        keep_best=True,
        seed=args.seed,
        threads=args.threads,
    )


def run_loop(config, run_dir: Path) -> list[str]:
    """`python -m playground.training.train --task gpt ...`, the command a learner can type; its output streams here."""
    import subprocess

    command = [sys.executable, "-m", "playground.training.train", *config.to_args(), "--run-dir", str(run_dir)]
    print("running:", shlex.join(command), flush=True)
    subprocess.run([*command, "--overwrite"], cwd=REPO, check=True)
    return ["python", *command[1:]]


def loop_stats(run_dir: Path) -> dict:
    """What the card says of the run, from the records every rank wrote."""
    from playground.training.records import read_run

    run = read_run(run_dir)
    config = run.of_kind("config")[0]
    done = run.of_kind("done")
    steps = run.of_kind("step")
    kept = [e for e in run.of_kind("eval") if e["saved"]]
    return {
        "steps": max(r["step"] for r in steps),
        "tokens": sum(r["tokens"] for r in done),
        "seconds": max(r["time"] for r in steps) - config["time"],
        "tokens_per_s": sum(r["tokens_per_s"] for r in done),
        "workers": config["world_size"],
        "backend": config["backend"],
        "threads": config["torch_threads"],
        "tokens_per_step": config["tokens_per_step"],
        "kept_step": kept[-1]["step"],
        "kept_loss": kept[-1]["val_loss_per_char"],
        "evals": len(run.of_kind("eval")),
    }


def train_gpt(args, train_text, val_text):
    from transformers import AutoTokenizer, GPT2LMHeadModel

    history = earlier_stages(args.init_from)
    config = gpt_loop_config(args)
    run_dir = Path(args.run_dir)
    loop_command = run_loop(config, run_dir)
    stats = loop_stats(run_dir)
    model = GPT2LMHeadModel.from_pretrained(run_dir / "model", dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(run_dir / "model")
    save(model, tok, args.out)
    model, tok = reload("gpt", args.out)
    quick_text, window = val_text[:CARD_SUBSET_CHARS], min(CARD_WINDOW, model.config.n_positions)
    full = causal_lm_heldout_loss(model, tok, val_text, window)
    subset = causal_lm_heldout_loss(model, tok, quick_text, window)
    in_context = causal_lm_heldout_loss(model, tok, val_text, model.config.n_positions)
    print(
        f"held-out: loss/token {full.loss_per_token:.4f}, perplexity {full.perplexity:.2f}, "
        f"loss/char {full.loss_per_char:.4f} nats ({full.bits_per_char:.3f} bits)",
        flush=True,
    )
    samples = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        prompt = tok("ROMEO:", return_tensors="pt")
        with torch.no_grad():
            room = model.config.n_positions - prompt["input_ids"].shape[1]  # a tiny test model has few positions
            out = model.generate(
                **prompt,
                max_new_tokens=min(120, room),
                do_sample=True,
                top_k=40,
                temperature=0.8,
                pad_token_id=tok.eos_token_id,
            )
        samples.append(tok.decode(out[0]))
        print(f"--- sample (seed {seed}) ---\n{samples[-1]}", flush=True)
    card = GPT_CARD.format(
        **card_fields(args, model, tok, model.config, stats, history, train_text, val_text),
        loop=config,
        loop_command=shlex.join(loop_command).replace(str(REPO) + "/", ""),
        full=full,
        subset=subset,
        in_context=in_context,
        window=window,
        subset_chars=CARD_SUBSET_CHARS,
        samples="\n\n".join(f"```text\n{s}\n```" for s in samples),
    )
    (args.out / "README.md").write_text(card, encoding="utf-8")


# -------------------------------------------------------------------------------------------------- BERT
def _lines(tok, text):
    lines = [line for line in text.splitlines() if line.strip()]
    return [ids for ids in tok(lines, add_special_tokens=False)["input_ids"] if ids]


def train_bert(args, train_text, val_text):
    from transformers import BertConfig, BertForPreTraining

    history = earlier_stages(args.init_from)
    if args.init_from:
        model, tok = reload("bert", Path(args.init_from))
    else:
        tok = train_wordpiece(train_text, args.vocab_size)
    train_lines, val_lines = _lines(tok, train_text), _lines(tok, val_text)
    print(
        f"BERT tokenizer: {len(tok)} tokens; {len(train_lines)} train lines, {len(val_lines)} held-out lines",
        flush=True,
    )
    if args.stack_to_layers:
        layers_before = model.config.num_hidden_layers
        model = stack_layers(model, args.stack_to_layers)
        history += (
            f"  Its {layers_before} layers were first stacked into {args.stack_to_layers} (progressive "
            f"stacking: the layers repeated in order, `playground/pretraining/stacking.py`).\n"
        )
        print(f"stacked {layers_before} layers into {args.stack_to_layers}", flush=True)
    if args.init_from:
        config = model.config
    else:
        config = BertConfig(
            vocab_size=len(tok),
            hidden_size=args.d_model,
            num_hidden_layers=args.layers,
            num_attention_heads=args.heads,
            intermediate_size=4 * args.d_model,
            max_position_embeddings=2 * args.block_size,
            pad_token_id=tok.pad_token_id,
        )
        model = BertForPreTraining(config)
    if args.dropout is not None:
        set_dropout(model, args.dropout)
    rng = random.Random(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    max_pair = args.block_size - 3  # room for [CLS] A [SEP] B [SEP]

    def step_loss():
        pairs = [sample_nsp_pair(train_lines, max_pair, rng, args.short_seq_prob) for _ in range(args.batch_size)]
        batch = collate_pairs(pairs, tok.cls_token_id, tok.sep_token_id, tok.pad_token_id)
        inputs, labels = mask_tokens(
            batch["input_ids"], batch["special_tokens_mask"], tok.mask_token_id, len(tok), generator=gen
        )
        loss = pretraining_loss(
            model, inputs, batch["token_type_ids"], batch["attention_mask"], labels, batch["next_sentence_label"]
        )
        return loss, int(batch["attention_mask"].sum())

    def evaluate(quick):
        r = mlm_nsp_heldout(model, tok, val_lines, max_pair, n_pairs=200 if quick else 1000)
        return r.mlm_loss

    stats = Trainer(args, model, step_loss, evaluate).run()
    save(model, tok, args.out)
    model, tok = reload("bert", args.out)
    card = BERT_CARD.format(**card_fields(args, model, tok, config, stats, history, train_text, val_text))
    card += bert_validation(model, tok, train_text, val_text, max_pair)
    (args.out / "README.md").write_text(card, encoding="utf-8")


def card_fields(args, model, tok, config, stats, history, train_text, val_text) -> dict:
    """What both model cards say about a run: size, configuration, command, data, hardware and history."""
    return dict(
        params=sum(p.numel() for p in model.parameters()) / 1e6,
        size=size_on_disk(args.out),
        cfg=config,
        vocab=len(tok),
        args=args,
        cmd=command_line(),
        stats=stats,
        minutes=stats["seconds"] / 60,
        hw=hardware(),
        train_chars=len(train_text),
        val_chars=len(val_text),
        data=Path(args.data).name,
        bf16=use_bf16(args.precision),
        history=with_totals(history, stats) + carried_notes(args.init_from),
    )


def bert_validation(model, tok, train_text, val_text, max_pair) -> str:
    """The card's validation section, measured on the saved model (also rewritten alone by --remeasure)."""
    held = mlm_nsp_heldout(model, tok, _lines(tok, val_text), max_pair, n_pairs=1000)
    held_lines = [ln for ln in val_text.splitlines() if ln.strip()]
    words = masked_word_predictions(model, tok, held_lines, n_lines=len(held_lines))
    short_too = masked_word_predictions(model, tok, held_lines, n_lines=len(held_lines), min_letters=1)
    counts = NeighbourCounts(train_text, set(tok.get_vocab()))
    counting = counts.accuracy([(e.masked, e.truth) for e in words.examples], tok.mask_token)  # the very same words
    print(
        f"held-out: MLM loss {held.mlm_loss:.4f} (perplexity {math.exp(held.mlm_loss):.2f}), "
        f"MLM top-1 {held.mlm_accuracy:.3f}, NSP accuracy {held.nsp_accuracy:.3f}, masked-word top-1 "
        f"{words.accuracy:.3f} on {words.n} words (counting neighbours: {counting:.3f}; short words too: "
        f"{short_too.accuracy:.3f})",
        flush=True,
    )
    bands = "\n".join(
        f"| {b.label} | {b.n:,} | {b.accuracy:.3f} | {b.top5_accuracy:.3f} |"
        for b in by_training_frequency(words, counts.unigrams)
    )
    examples = "\n".join(
        f"| {e.masked} | {e.truth} | {e.top1} | {'yes' if e.right else 'no'} |" for e in words.examples[:12]
    )
    stderr = math.sqrt(words.accuracy * (1 - words.accuracy) / max(1, words.n))
    return BERT_VALIDATION.format(
        held=held,
        mlm_ppl=math.exp(held.mlm_loss),
        words=words,
        counting=counting,
        short_too=f"{short_too.accuracy:.3f} ({short_too.n} words; top 5: {short_too.top5_accuracy:.3f})",
        bands=bands,
        examples=examples,
        stderr=stderr,
        reference="`playground/pretraining/fill_baseline.py`",
    )


def remeasure_bert(args, train_text, val_text):
    """Rewrite only the validation section of a saved BERT's card (after the measurement itself changed)."""
    folder = Path(args.remeasure)
    model, tok = reload("bert", folder)
    card = (folder / "README.md").read_text(encoding="utf-8")
    top = card[: card.index("## Validation")]
    (folder / "README.md").write_text(
        top + bert_validation(model, tok, train_text, val_text, args.block_size - 3), encoding="utf-8"
    )


def set_dropout(model, p: float):
    """On a loaded model too: its Dropout modules were built from the old config, so both are changed."""
    model.config.hidden_dropout_prob = model.config.attention_probs_dropout_prob = p
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = p


def earlier_stages(folder) -> str:
    """When training continues from a saved model, its card's stages (command, steps, time) come along."""
    if not folder:
        return ""
    card = (Path(folder) / "README.md").read_text(encoding="utf-8")
    older = re.search(r"Earlier stages of this model's training:\n(.*?)\n\n", card, re.S)
    steps = re.search(r"^- ([\d,]+ steps, [\d,]+ training tokens in [\d.]+ minutes)\.", card, re.M)
    command = re.search(r"```bash\n(.*?)\n```", card, re.S)
    lines = older.group(1).splitlines() if older else []
    lines.append(f"  - `{command.group(1) if command else '?'}`: {steps.group(1) if steps else '?'}")
    return (
        "- Earlier stages of this model's training:\n"
        + "\n".join(lines)
        + "\n\n"
        + "  This run continued from those weights (a fresh optimizer and learning-rate schedule).\n"
    )


GENERATED_HISTORY = re.compile(
    r"^(- Earlier stages of this model's training:|  - `|  This run continued|"
    r"  Its \d+ layers were first stacked|  In all: )"
)


def carried_notes(folder) -> str:
    """Lines a person added under a card's training history (where a stage ran, why it was kept) stay true for the
    next stage, so the next card keeps them; the lines the script writes itself are written afresh."""
    if not folder:
        return ""
    card = (Path(folder) / "README.md").read_text(encoding="utf-8")
    tail = re.search(r"```bash\n.*?\n```\n(.*?)(?=^## )", card, re.S | re.M)
    notes = [
        line
        for line in (tail.group(1).splitlines() if tail else [])
        if line.strip() and not GENERATED_HISTORY.match(line)
    ]
    return "".join(f"{line}\n" for line in notes)


def with_totals(history: str, stats: dict) -> str:
    """Add up every stage, so the card says how much training the model has had in all."""
    stages = re.findall(r"([\d,]+) steps, ([\d,]+) training tokens in ([\d.]+) minutes", history)
    stages.append((str(stats["steps"]), str(stats["tokens"]), str(stats["seconds"] / 60)))
    steps, tokens, minutes = (sum(float(stage[i].replace(",", "")) for stage in stages) for i in range(3))
    return history + (
        f"  In all: {minutes:.0f} minutes of training in {len(stages)} stages, {steps:,.0f} steps, "
        f"{tokens / 1e6:.1f} M training tokens.\n"
        if len(stages) > 1
        else ""
    )


def reload(kind: str, out: Path):
    """The figures in the card are measured on the saved files as the app loads them (fp16 on disk -> float32)."""
    from playground.models import load_model

    loaded = load_model(kind, str(out), typed=False)  # the script's own --out, wherever it is: not a learner's path
    return loaded.model, loaded.tokenizer


def save(model, tok, out: Path):
    """fp16 on disk halves the size (each folder must stay <= 10 MB); playground.models loads it as float32."""
    out.mkdir(parents=True, exist_ok=True)
    half = copy.deepcopy(model).to(torch.float16)
    half.save_pretrained(out)
    tok.save_pretrained(out)
    print(f"saved {out} ({size_on_disk(out):.2f} MB)", flush=True)


GPT_CARD = """# shakespeare-gpt

A small GPT-2 (`GPT2LMHeadModel`) trained from scratch by LLM Playground so the GPT pages work offline.
It has read about 1 MB of Shakespeare and nothing else: expect play-shaped text, not facts.

## Data
- `{data}`: first {train_chars:,} characters for training, last {val_chars:,} characters (the last 10%, cut at a
  line start) held out for validation. The corpus itself is not in the repository.
- Tokenizer: byte-level BPE (as GPT-2's) trained on the training part with Hugging Face `tokenizers`,
  {vocab} tokens including `<|endoftext|>`. `Ġ` marks a leading space, `Ċ` a newline.

## Architecture and size
- GPT-2: {cfg.n_layer} layers, {cfg.n_head} heads, d_model {cfg.n_embd}, context {cfg.n_positions} positions,
  vocabulary {vocab}, tied input/output embeddings, dropout {cfg.resid_pdrop:g}. {params:.2f} M parameters.
- Saved as safetensors in fp16 ({size:.2f} MB on disk with the tokenizer); load it as float32. All figures below
  are measured on the saved files loaded that way (`playground.models.load_model`).

## Training
- By the Training page's own loop (`playground/training/gpt_pretrain.py`), the one a class watches live, run longer:
  {stats[workers]} worker processes with data parallelism (DDP over {stats[backend]}, {stats[threads]} torch thread
  each), every rank reading different {loop.context}-token windows of the training text, {loop.batch_size} windows per
  worker per step ({stats[tokens_per_step]:,} tokens a step in all).
- Next-token prediction, AdamW (betas 0.9/0.95, weight decay 0.1 on matrices), peak learning rate {loop.lr:g} with 5%
  linear warmup then cosine decay to 10% over the {loop.minutes:g}-minute budget, gradient clip 1.0, dropout
  {loop.dropout:g}. Every {loop.eval_every} steps the loss on the first {subset_chars:,} held-out characters was
  measured, and the checkpoint was replaced only when it improved (`keep_best`): the kept weights are from step
  {stats[kept_step]:,} of {stats[steps]:,} ({stats[kept_loss]:.4f} nats per character there, in {loop.context}-token
  windows).
- {stats[steps]:,} steps, {stats[tokens]:,} training tokens in {minutes:.1f} minutes
  ({stats[tokens_per_s]:,.0f} tokens/s over the {stats[workers]} workers).
- Hardware: {hw}.
- Command (from the repository root):

```bash
{cmd}
```

  which ran the training job as a learner can type it:

```bash
{loop_command}
```
{history}
## Validation (held-out last 10%)
Every held-out token predicted once, in windows of {window} tokens (as this model's earlier cards measured it).

| figure | value |
|---|---|
| loss per token | {full.loss_per_token:.4f} nats |
| perplexity | {full.perplexity:.2f} |
| loss per character | {full.loss_per_char:.4f} nats ({full.bits_per_char:.3f} bits) |
| loss per character, first {subset_chars:,} held-out characters | {subset.loss_per_char:.4f} nats |
| loss per character in windows of the whole context ({cfg.n_positions} tokens) | {in_context.loss_per_char:.4f} nats |

Loss per character doesn't depend on the tokenizer, so it can be compared with character-level models.
The test `tests/unit/test_models.py` checks the subset figure (loss per character on first {subset_chars} held-out
characters: {subset.loss_per_char:.4f}).

## Samples from "ROMEO:" (top-k 40, temperature 0.8, seeds 0 and 1)

{samples}
"""

BERT_CARD = """# shakespeare-bert

A small BERT (`BertForPreTraining`: masked-LM and next-sentence heads) trained from scratch by LLM Playground so the
BERT pages work offline. It has read about 1 MB of Shakespeare and nothing else.

## Data
- `{data}`: first {train_chars:,} characters for training, last {val_chars:,} characters (the last 10%, cut at a
  line start) held out for validation. The corpus itself is not in the repository.
- Tokenizer: WordPiece (as BERT's), lower-cased, trained on the training part with Hugging Face `tokenizers`,
  {vocab} tokens including `[PAD] [UNK] [CLS] [SEP] [MASK]`. `##` marks a piece that continues a word.

## Architecture and size
- BERT: {cfg.num_hidden_layers} layers, {cfg.num_attention_heads} heads, hidden size {cfg.hidden_size},
  feed-forward {cfg.intermediate_size}, {cfg.max_position_embeddings} positions, vocabulary {vocab}.
  {params:.2f} M parameters.
- Saved as safetensors in fp16 ({size:.2f} MB on disk with the tokenizer); load it as float32. All figures below
  are measured on the saved files loaded that way (`playground.models.load_model`).

## Training
- Pairs `[CLS] A [SEP] B [SEP]` of at most {args.block_size} tokens, where A is a run of consecutive lines of the
  plays and B is the run that really follows (50%) or a run from a random place (50%): next-sentence prediction.
  {args.short_seq_prob:.0%} of the pairs get a random shorter length (BERT's `short_seq_prob`).
- Masked LM: 15% of the ordinary tokens are chosen; of those 80% become `[MASK]`, 10% a random token, 10% stay.
  Masks are drawn afresh for every batch.
- Batch {args.batch_size}, AdamW (betas 0.9/0.95, weight decay 0.1), peak learning rate {args.lr:g} with 5% linear
  warmup then cosine decay to 10%, gradient clip 1.0, bf16 autocast: {bf16}, dropout {cfg.hidden_dropout_prob:g}.
  The weights with the best held-out masked-LM loss (checked every {args.eval_every:g} s) are kept.
- {stats[steps]:,} steps, {stats[tokens]:,} training tokens in {minutes:.1f} minutes.
- Hardware: {hw}.
- Command (from the repository root):

```bash
{cmd}
```
{history}
"""

BERT_VALIDATION = """## Validation (held-out last 10%, 1,000 pairs with a fixed seed)

| figure | value |
|---|---|
| masked-LM loss | {held.mlm_loss:.4f} nats (perplexity {mlm_ppl:.2f}) |
| masked-LM top-1 accuracy | {held.mlm_accuracy:.3f} |
| next-sentence accuracy | {held.nsp_accuracy:.3f} (chance 0.5) |
| top-1 for one masked ordinary word per held-out line | {words.accuracy:.3f} ({words.n} words) |
| the same words: the word is among the top 5 predictions | {words.top5_accuracy:.3f} |
| the same words guessed by counting their neighbours (reference) | {counting:.3f} |
| top-1 when words of 1 and 2 letters count too (to, of, my, be…) | {short_too} |

"Ordinary word": a whole word of 3+ letters written in lower case (so not a speaker name, a name or a sentence start;
not a piece of a contraction such as the `tis` of 'tis) that is a single WordPiece token, one per held-out line that
has one (every such line), chosen with a fixed seed, replaced by `[MASK]` in the line on its own. With {words.n:,}
words the figure's sampling error is about ±{stderr:.3f}. The reference ({reference}) guesses the
word that most often sat between the same two neighbours in the training text: what BERT adds over it comes from
reading the whole line.

### The same words, by how often the training text has them

| the word is in the training text | words | top-1 | in the top 5 |
|---|---|---|---|
{bands}

A model that read 1 MB of text knows the words it read often: it guesses common words far more often than rare ones.

## Examples (held-out lines)

| line (masked) | word | top-1 prediction | right? |
|---|---|---|---|
{examples}
"""


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    text = read_corpus(args.data)
    train_text, val_text = split_holdout(text, 0.1)
    print(f"{args.data}: {len(train_text):,} train chars, {len(val_text):,} held-out chars", flush=True)
    if args.remeasure:
        remeasure_bert(args, train_text, val_text)
    else:
        (train_gpt if args.model == "gpt" else train_bert)(args, train_text, val_text)


if __name__ == "__main__":
    main()
