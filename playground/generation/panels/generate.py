"""The generation on the page, step by step: what `model.generate` does inside, with the knobs the page turned on.

A GPT gives every token of its vocabulary a score (a logit) for coming next. Each step shapes those scores with the
knobs (the project's own functions, below), picks one token, appends it, and asks again. Run it from the repository
root for the bundled model, or name a hub id.
"""

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from playground.generation.filters import apply_repetition_penalty, apply_temperature, apply_top_k, apply_top_p

# Which parts the page's settings switch on: the panel keeps only those.
beam_search = False
sampling = False
penalised = False  # a repetition penalty other than 1
tempered = False  # a temperature other than 1, when sampling
top_k_on = False
top_p_on = False
inspecting = True  # the page's "inside one step" chart and logit lens

model_ref = "assets/models/shakespeare-gpt"  # a folder, or a Hugging Face hub id
prompt_ids = [42, 47, 44, 42, 38, 25]  # the prompt as token ids, as the page prepared it
max_new_tokens = 44
eos = 0  # end-of-text: a sequence that produces it is finished

tokenizer = AutoTokenizer.from_pretrained(model_ref)
# float32 as the page computes (the bundled weights are stored in float16, which would round every probability)
model = AutoModelForCausalLM.from_pretrained(model_ref, attn_implementation="eager", dtype=torch.float32).eval()
ids = torch.tensor([prompt_ids])
print("prompt:", repr(tokenizer.decode(prompt_ids)))

if beam_search:
    num_beams = 4  # beam search keeps this many most likely partial texts at every step
    num_sequences = 2
    repetition_penalty = 1.0
    beams = dict(num_beams=num_beams, num_return_sequences=num_sequences, repetition_penalty=repetition_penalty)
    ends = dict(pad_token_id=eos, eos_token_id=eos)  # a beam that writes end-of-text is finished
    keep = dict(output_logits=True, return_dict_in_generate=True)  # each step's logits, for the probabilities below
    out = model.generate(
        ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens, **beams, **ends, **keep
    )
    sequences = out.sequences
    for i, seq in enumerate(sequences):
        chosen_probs = []  # the model's probability for each token of this beam, read from the beam it came from
        for t, token in enumerate(seq[ids.shape[1] :]):
            beam = int(out.beam_indices[i, t])
            if beam < 0:
                break
            chosen_probs.append(out.logits[t][beam].float().softmax(-1)[token].item())
        text = tokenizer.decode(seq[ids.shape[1] :], skip_special_tokens=True)
        print(repr(text), [round(p, 3) for p in chosen_probs])
else:
    num_sequences = 1
    if penalised:
        repetition_penalty = 1.2  # tokens already in the text become less likely
    if sampling:
        seed = 0  # the same seed draws the same text
        generator = torch.Generator().manual_seed(seed)
    if tempered:
        temperature = 0.8  # below 1 sharpens the distribution, above 1 flattens it
    if top_k_on:
        top_k = 40  # keep only the k most likely tokens
    if top_p_on:
        top_p = 0.9  # keep the most likely tokens until their probability adds up to p

    ids = ids.repeat(num_sequences, 1)  # one row per sequence
    finished = torch.zeros(num_sequences, dtype=torch.bool)
    chosen_probs, entropies = [], []  # per step: the model's probability of the token chosen, and its uncertainty
    past, step_input = None, ids
    with torch.no_grad():
        for step in range(max_new_tokens):
            out = model(input_ids=step_input, past_key_values=past, use_cache=True)  # the cache holds earlier tokens
            past = out.past_key_values
            logits = out.logits[:, -1, :].float()  # the scores for the token after the last one
            scores = logits
            if penalised:
                scores = apply_repetition_penalty(scores, ids, repetition_penalty)
            if tempered:
                scores = apply_temperature(scores, temperature)
            if top_k_on:
                scores = apply_top_k(scores, top_k)
            if top_p_on:
                scores = apply_top_p(scores, top_p)
            if sampling:
                next_token = torch.multinomial(scores.softmax(dim=-1), 1, generator=generator)[:, 0]
            else:
                next_token = scores.argmax(dim=-1)  # greedy: always the most likely token
            next_token = torch.where(finished, torch.full_like(next_token, eos), next_token)
            probs = logits.softmax(dim=-1)
            chosen_probs.append(probs.gather(1, next_token[:, None])[:, 0])
            entropies.append(-(probs * probs.clamp_min(1e-45).log2()).sum(dim=-1))  # in bits
            ids = torch.cat([ids, next_token[:, None]], dim=1)
            finished |= next_token == eos
            if finished.all():
                print(f"every sequence has ended, at step {step + 1}")
                break
            step_input = next_token[:, None]
    sequences = ids
    chosen_probs, entropies = torch.stack(chosen_probs, dim=1), torch.stack(entropies, dim=1)
    new_tokens = ids[:, len(prompt_ids) :]
    for row, probs in zip(new_tokens, chosen_probs, strict=True):
        print(repr(tokenizer.decode(row, skip_special_tokens=True)))
        print([(tokenizer.decode(t), round(p, 3)) for t, p in zip(row.tolist(), probs.tolist(), strict=True)])

if inspecting:
    # Inside one step: the model's distribution before and after each knob, as the page's bars draw it
    which = 0  # the sequence
    position = 9  # the model has read this many tokens
    seq = sequences[which]
    with torch.no_grad():
        out = model(input_ids=seq[None, :position], output_hidden_states=True)
    scores = out.logits[:, -1, :].float()
    stages = [("model (softmax of logits)", scores.softmax(dim=-1)[0])]
    if penalised:
        scores = apply_repetition_penalty(scores, seq[None, :position], repetition_penalty)
        stages.append((f"repetition penalty {repetition_penalty:g}", scores.softmax(dim=-1)[0]))
    if tempered:
        scores = apply_temperature(scores, temperature)
        stages.append((f"temperature {temperature:g}", scores.softmax(dim=-1)[0]))
    if top_k_on:
        scores = apply_top_k(scores, top_k)
        stages.append((f"top-k {top_k}", scores.softmax(dim=-1)[0]))
    if top_p_on:
        scores = apply_top_p(scores, top_p)
        stages.append((f"top-p {top_p:g}", scores.softmax(dim=-1)[0]))
    for name, probs in stages:
        top = probs.topk(5)
        pairs = zip(top.indices.tolist(), top.values.tolist(), strict=True)
        print(f"{name:28}", [(tokenizer.decode(i), round(p, 3)) for i, p in pairs])

    # Logit lens: the final layer norm and the unembedding applied after every block, at the last position
    lens = []
    with torch.no_grad():
        for layer, hidden in enumerate(out.hidden_states):
            last = hidden[0, -1]
            if layer < len(out.hidden_states) - 1:  # the last entry has been through ln_f already
                last = model.transformer.ln_f(last)
            lens.append(model.lm_head(last).softmax(dim=-1))
            print(layer, repr(tokenizer.decode(lens[-1].argmax())), round(lens[-1].max().item(), 3))
