"""GPT-2's forward pass by hand, from the model's state_dict: the page's own pass function, then the numbers the
page shows for its layer, head, token and score cell. The model's forward is never called: the weights are all it
uses. Run it from the repository root for the bundled model, or name a hub id.
"""

import torch
from transformers import AutoTokenizer, GPT2LMHeadModel

from playground.inside_gpt.forward import forward_pass

model_ref = "assets/models/shakespeare-gpt"  # a folder, or a Hugging Face hub id
prompt_ids = [42, 47, 44, 42, 38, 25]  # the prompt as token ids, as the page read it
layer = 0  # the block shown
head = 0  # the head shown
row = 5  # the token followed (the query of the score cell)
key = 2  # the key of the score cell
temperature = 1.0

# float32 as the page computes (the bundled weights are stored in float16)
model = GPT2LMHeadModel.from_pretrained(model_ref, dtype=torch.float32).eval()
tokenizer = AutoTokenizer.from_pretrained(model_ref)
config = model.config
params = model.state_dict()  # every weight by name, e.g. transformer.h.0.attn.c_attn.weight
ids = torch.tensor(prompt_ids)
print("tokens:", [tokenizer.decode([i]) for i in prompt_ids])
p = forward_pass(params, ids, config.n_head, config.layer_norm_epsilon, config.activation_function)

b = p.blocks[layer]
print(
    "x (T, d):", tuple(p.x0.shape), " Q, K, V (h, T, d/h):", tuple(b.q.shape), " logits (T, V):", tuple(p.logits.shape)
)
q_row, k_row = b.q[head, row], b.k[head, key]
dot = (q_row * k_row).sum()
scale = q_row.shape[-1] ** 0.5  # √(d/h)
score = dot / scale
print(f"scores[head {head}][{row}, {key}] = Q[{row}]·K[{key}] / √{q_row.shape[-1]} = {dot:.4f} / {scale:.4f}")
print(f"  = {score:.6f} (the pass's own: {b.scores[head, row, key]:.6f})")
print(f"attention weight [{row}, {key}] after the mask and softmax: {b.weights[head, row, key]:.6f}")

probs = torch.softmax(p.logits[row] / temperature, dim=-1)
top = probs.topk(min(10, probs.shape[-1]))
print(f"the next token after token {row}, at temperature {temperature}:")
for pr, i in zip(top.values, top.indices, strict=True):
    print(f"  {tokenizer.decode([int(i)])!r:>14} (id {int(i)}): p = {pr:.6f}")
