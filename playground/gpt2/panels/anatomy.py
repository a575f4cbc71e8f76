"""GPT-2 anatomy: parameters, memory and FLOPs of one configuration, in plain PyTorch.

The model is built on the meta device, so it costs no memory at any size, and every number the page shows is
recomputed from it and from the formulas beside each print.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = {
    "vocab_size": 50257,  # tokens the tokenizer knows
    "context_length": 1024,  # rows of the position table
    "emb_dim": 768,  # width of each token vector
    "n_heads": 12,
    "n_layers": 12,
    "drop_rate": 0.1,  # no parameters; only used in training
    "qkv_bias": False,
}
tied = False  # the LM head reuses the token embedding matrix
batch = 8  # for activations, the KV cache and attention FLOPs
seq = 1024
recompute = "none"  # activation recomputation: "none", "selective" or "full"
training_tokens = 10_000_000_000.0  # D
throughput = 100_000_000_000_000.0  # achieved FLOP/s


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["emb_dim"]
        self.n_heads = cfg["n_heads"]
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d, bias=cfg["qkv_bias"])
        self.out_proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp_up = nn.Linear(d, 4 * d)  # hidden_dim = 4 x emb_dim
        self.mlp_down = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(cfg["drop_rate"])

    def forward(self, x):
        B, T, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, self.n_heads, d // self.n_heads).transpose(1, 3).unbind(2)
        scores = q @ k.transpose(-2, -1) / (d // self.n_heads) ** 0.5  # (B, heads, T, T): 2*T*d FLOPs per token
        scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
        att = (self.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(B, T, d)  # another 2*T*d
        x = x + self.drop(self.out_proj(att))
        return x + self.drop(self.mlp_down(F.gelu(self.mlp_up(self.ln2(x)), approximate="tanh")))


class GPT(nn.Module):
    def __init__(self, cfg, tied):
        super().__init__()
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.drop = nn.Dropout(cfg["drop_rate"])
        self.blocks = nn.Sequential(*[Block(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = nn.LayerNorm(cfg["emb_dim"])
        self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)
        if tied:
            self.out_head.weight = self.tok_emb.weight

    def forward(self, idx):
        x = self.drop(self.tok_emb(idx) + self.pos_emb(torch.arange(idx.shape[1], device=idx.device)))
        return self.out_head(self.final_norm(self.blocks(x)))


with torch.device("meta"):  # shapes without memory: instant even for a billion-parameter model
    model = GPT(cfg, tied)

# ---- parameters -----------------------------------------------------------------------------------------------
n_params = sum(p.numel() for p in model.parameters())  # a tied matrix is yielded once
per_layer = sum(p.numel() for p in model.blocks[0].parameters())
print(f"parameters: {n_params:,}   per layer: {per_layer:,}")
for name, module in [
    ("token embedding", model.tok_emb),
    ("position embedding", model.pos_emb),
    ("LN1", model.blocks[0].ln1),
    ("QKV", model.blocks[0].qkv),
    ("attention out", model.blocks[0].out_proj),
    ("LN2", model.blocks[0].ln2),
    ("MLP up", model.blocks[0].mlp_up),
    ("MLP down", model.blocks[0].mlp_down),
    ("final LN", model.final_norm),
]:
    print(f"  {name:<20}{sum(p.numel() for p in module.parameters()):>20,}")
print(f"  {'LM head':<20}{0 if tied else model.out_head.weight.numel():>20,}")
print(f"nanoGPT would print {(n_params - model.pos_emb.weight.numel()) / 1e6:.2f}M (it leaves out positions)")

# ---- memory ---------------------------------------------------------------------------------------------------
GiB = 2**30
V, d, a, L = cfg["vocab_size"], cfg["emb_dim"], cfg["n_heads"], cfg["n_layers"]
s, b, h = seq, batch, d
weights = {"fp32": 4 * n_params, "fp16 / bf16": 2 * n_params, "int8": n_params, "int4": n_params / 2}
adam_fp32 = (4 + 4 + 4 + 4) * n_params  # weights, gradients, Adam momentum, Adam variance
adam_mixed = (2 + 2 + 4 + 4 + 4) * n_params  # 16-bit weights and grads + fp32 master, momentum, variance (ZeRO)


def activations(value_bytes):  # Korthikanti et al. 2022; dropout masks take 1 byte per element
    per_layer = {
        "none": (16 * value_bytes + 2) * s * b * h + (2 * value_bytes + 1) * a * s * s * b,
        "selective": (16 * value_bytes + 2) * s * b * h,  # recompute softmax, dropout, attention x V
        "full": value_bytes * s * b * h,  # keep only each block's input
    }[recompute]
    outside = s * b * h + 2 * value_bytes * s * b * h + 4 * s * b * V  # embedding mask, final LN, head, fp32 logits
    return L * per_layer + outside


act_16bit, act_fp32 = activations(2), activations(4)  # with 2 bytes: s*b*h*(34 + 5*a*s/h) per layer
kv_cache = 2 * L * b * s * d * 2  # keys and values, every layer, bf16
for name, n in weights.items():
    print(f"weights {name:<12}{n / GiB:>14,.2f} GiB")
print(
    f"train fp32 AdamW   {(adam_fp32 + act_fp32) / GiB:>14,.2f} GiB   mixed: {(adam_mixed + act_16bit) / GiB:,.2f} GiB"
)
print(f"KV cache (bf16)    {kv_cache / GiB:>14,.2f} GiB")
for gb in (16, 24, 40, 80):
    print(
        f"{gb} GB: generate {'yes' if 2 * n_params + kv_cache <= gb * GiB else 'no'}, "
        f"train mixed {'yes' if adam_mixed + act_16bit <= gb * GiB else 'no'}"
    )

# ---- FLOPs ----------------------------------------------------------------------------------------------------
matmul_weights = sum(m.weight.numel() for m in model.modules() if isinstance(m, nn.Linear))  # head counts if tied
forward_per_token = 2 * matmul_weights + 4 * L * s * d  # weights + (Q K^T and attention x V)
training_per_token = 3 * forward_per_token  # backward = 2 x forward: about 6N
training_seconds = training_tokens * training_per_token / throughput
print(f"forward  {forward_per_token:,} FLOP/token (2N = {2 * n_params:,})")
print(f"training {training_per_token:,} FLOP/token (6N = {6 * n_params:,})")
print(f"training on {training_tokens:.3g} tokens at {throughput:.3g} FLOP/s: {training_seconds / 86400:,.1f} days")
