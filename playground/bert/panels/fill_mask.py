"""Mask tokens, let BERT fill them in: its top guesses with their probabilities, the masked-LM loss, attention.

The masking is the page's own code: the tokens the learner clicked, or BERT's pretraining rule (15% of the tokens;
80% of those become [MASK], 10% a random token, 10% stay), and every mask token typed in the text: a blank BERT
predicts too, whose answer nobody knows. Run it from the repository root for the bundled model.
"""

import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer, BertForPreTraining

from playground.bert.fill_mask import masked_lm_logits
from playground.bert.masking import apply_decisions, mask_chosen, pretraining_mask, typed_masks

# Which parts the page's settings switch on: the panel keeps only those.
with_nsp_head = True  # a BERT pretrained on both games (BertForPreTraining); else only a masked-LM head
by_the_rule = False  # BERT's pretraining rule chose the tokens, rather than the learner's clicks
with_typed_masks = True  # the text holds mask tokens the learner typed
respelled = False  # this model writes its mask token otherwise than the lesson's [MASK]

model_ref = "assets/models/shakespeare-bert"  # a folder, or a Hugging Face hub id
text = "O Romeo, Romeo! wherefore [MASK] thou Romeo?"
max_tokens = 128  # the longest input this model reads

tokenizer = AutoTokenizer.from_pretrained(model_ref)
if respelled:
    text = text.replace("[MASK]", tokenizer.mask_token)  # the tokenizer only knows its own spelling of a blank
# eager attention: the default sdpa kernel does not return attention weights; float32 as on the page
if with_nsp_head:
    model = BertForPreTraining.from_pretrained(model_ref, attn_implementation="eager", dtype=torch.float32).eval()
else:
    model = AutoModelForMaskedLM.from_pretrained(model_ref, attn_implementation="eager", dtype=torch.float32).eval()
enc = tokenizer(text, truncation=True, max_length=max_tokens, return_special_tokens_mask=True)
ids = enc["input_ids"]

if by_the_rule:
    seed = 0
    decisions = pretraining_mask(
        ids,
        enc["special_tokens_mask"],
        tokenizer.mask_token_id,
        len(tokenizer),
        seed,
        never_random_ids=tokenizer.all_special_ids,
    )
else:
    clicked = [8]  # the positions of the tokens clicked on the page: each becomes [MASK]
    decisions = mask_chosen(ids, clicked, tokenizer.mask_token_id)
if with_typed_masks:
    # a typed mask is a blank too: predicted like the others, but with no answer (original_id None), so no loss
    decisions = sorted(decisions + typed_masks(ids, tokenizer.mask_token_id), key=lambda d: d.position)
new_ids = {d.position: d.new_id for d in decisions}
seen = apply_decisions(ids, decisions)
print("model sees:", tokenizer.convert_ids_to_tokens(seen))

with torch.no_grad():
    # segment ids (all 0 for one sentence); DistilBERT has no segment embeddings and takes none
    has_segments = "token_type_ids" in enc and getattr(model.config, "type_vocab_size", 0) > 0
    kwargs = {"token_type_ids": torch.tensor([enc["token_type_ids"]])} if has_segments else {}
    out = model(input_ids=torch.tensor([seen]), output_attentions=True, **kwargs)
log_probs = masked_lm_logits(out)[0].log_softmax(-1)

top_k = 5
top_predictions = {}
for position in new_ids:
    top = log_probs[position].topk(top_k)
    top_predictions[position] = [
        (tokenizer.convert_ids_to_tokens(int(i)), float(lp.exp()))
        for lp, i in zip(top.values, top.indices, strict=True)
    ]
    print(position, tokenizer.convert_ids_to_tokens(ids[position]), "->", top_predictions[position])

# masked-LM loss: the mean cross-entropy of the ORIGINAL tokens, at the picked positions that have one
positions = [d.position for d in decisions if d.original_id is not None]
if positions:
    loss = torch.nn.functional.cross_entropy(log_probs[positions], torch.tensor([ids[p] for p in positions]))
    print("masked-LM loss", loss.item())

filled = list(seen)
for position in new_ids:
    filled[position] = int(log_probs[position].argmax())
print("filled in:", tokenizer.decode(filled, skip_special_tokens=True))
# attention: one (1, heads, seq, seq) tensor per layer; bertviz.head_view(out.attentions, tokens) draws it
print(len(out.attentions), "layers", tuple(out.attentions[0].shape))
