"""'The code' for the GPT page: a runnable script that reproduces exactly the generation on screen.

It is generated from the same `Settings` that drove the page, and tests/unit/test_gpt_code.py runs it and checks that
its tokens and probabilities are the page's. The script writes the decoding loop out by hand (forward pass, the
knobs, pick, append) so a learner can read what `model.generate` does inside; for beam search it calls `generate`.
"""

from __future__ import annotations

from playground.generation.decode import Prepared


def _knobs(s, indent: str, previous: str) -> list[tuple[str, list[str]]]:
    """Each active knob as (its name on the page's chart, the lines that apply it to `scores`)."""
    knobs = []
    if s.repetition_penalty != 1.0:
        r = s.repetition_penalty
        knobs.append(
            (
                f"repetition penalty {r:g}",
                [
                    f"# repetition penalty {r:g}: tokens already in the text become less likely",
                    f"seen = torch.zeros_like(scores, dtype=torch.bool).scatter_(1, {previous}, True)",
                    f"scores = torch.where(seen, torch.where(scores < 0, scores * {r!r}, scores / {r!r}), scores)",
                ],
            )
        )
    if s.do_sample and s.temperature != 1.0:
        knobs.append((f"temperature {s.temperature:g}", [f"scores = scores / {s.temperature!r}  # temperature"]))
    if s.do_sample and s.top_k > 0:
        knobs.append(
            (
                f"top-k {s.top_k}",
                [
                    f"kth = torch.topk(scores, {s.top_k}).values[:, -1:]  # top-k: keep the {s.top_k} best",
                    "scores = scores.masked_fill(scores < kth, float('-inf'))",
                ],
            )
        )
    if s.do_sample and s.top_p < 1.0:
        knobs.append(
            (
                f"top-p {s.top_p:g}",
                [
                    f"# top-p {s.top_p:g}: keep the most likely tokens until their probability adds up to {s.top_p:g}",
                    "sorted_scores, order = torch.sort(scores, descending=True)",
                    "sorted_probs = sorted_scores.softmax(dim=-1)",
                    f"drop = (sorted_probs.cumsum(dim=-1) - sorted_probs) >= {s.top_p!r}",
                    "drop[:, 0] = False",
                    "scores = scores.masked_fill(torch.zeros_like(drop).scatter_(1, order, drop), float('-inf'))",
                ],
            )
        )
    return [(name, [indent + line for line in lines]) for name, lines in knobs]


def _knob_lines(s) -> list[str]:
    lines = [line for _, block in _knobs(s, " " * 8, "ids") for line in block]
    if not s.do_sample:
        return lines + ["        next_token = scores.argmax(dim=-1)  # greedy: always the most likely token"]
    return lines + ["        next_token = torch.multinomial(scores.softmax(dim=-1), 1, generator=generator)[:, 0]"]


def _inspector_lines(s, sequences: str, which: int, position: int, step: int) -> list[str]:
    """The page's "inside one step" chart and logit lens, for one step of one sequence (GPT-2 module names)."""
    lines = [
        "",
        f"# Inside one step: step {step} of sequence {which + 1}, the model's distribution before and after each knob",
        f"seq = {sequences}[{which}]",
        f"position = {position}  # the model has read this many tokens",
        "with torch.no_grad():",
        "    out = model(input_ids=seq[None, :position], output_hidden_states=True)",
        "scores = out.logits[:, -1, :].float()",
        'stages = [("model (softmax of logits)", scores.softmax(dim=-1)[0])]',
    ]
    for name, block in _knobs(s, "", "seq[None, :position]"):
        lines += block + [f"stages.append(({name!r}, scores.softmax(dim=-1)[0]))"]
    lines += [
        "for name, probs in stages:",
        "    top = probs.topk(5)",
        "    print(f'{name:28}', [(tokenizer.decode(i), round(p, 3)) for p, i in zip(top.values.tolist(), top.indices.tolist())])",
        "",
        "# Logit lens: the final layer norm and the unembedding applied after every block, at the last position",
        "lens = []",
        "with torch.no_grad():",
        "    for layer, hidden in enumerate(out.hidden_states):",
        "        last = hidden[0, -1]",
        "        if layer < len(out.hidden_states) - 1:  # the last entry has been through ln_f already",
        "            last = model.transformer.ln_f(last)",
        "        lens.append(model.lm_head(last).softmax(dim=-1))",
        "        print(layer, repr(tokenizer.decode(lens[-1].argmax())), round(lens[-1].max().item(), 3))",
    ]
    return lines


def generation_code(
    prepared: Prepared, model_ref: str, eos_token_id: int | None, inspect: tuple[int, int] | None = None
) -> str:
    """model_ref: what `from_pretrained` should load (a folder such as assets/models/shakespeare-gpt, or a hub id).
    inspect: (sequence index, step from 1) that the page's step chart and logit lens show."""
    s = prepared.settings
    prompt_len = prepared.input_ids.shape[1]
    tail = (
        []
        if inspect is None
        else _inspector_lines(
            s, "out.sequences" if s.num_beams > 1 else "ids", inspect[0], prompt_len + inspect[1] - 1, inspect[1]
        )
    )
    ids = prepared.input_ids[0].tolist()
    head = [
        "import torch",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        "",
        f"tokenizer = AutoTokenizer.from_pretrained({model_ref!r})",
        f"model = AutoModelForCausalLM.from_pretrained({model_ref!r}, attn_implementation='eager').eval()",
        "",
        f"ids = torch.tensor([{ids}])  # the prompt {s.prompt!r} as token ids, as the page prepared it",
        f"eos = {eos_token_id!r}  # end-of-text: a sequence that produces it is finished",
    ]
    if s.num_beams > 1:
        return (
            "\n".join(
                head
                + [
                    "",
                    f"# beam search keeps the {s.num_beams} most likely partial texts at every step",
                    "out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens="
                    f"{s.max_new_tokens}, num_beams={s.num_beams},",
                    f"                     num_return_sequences={s.num_sequences}, repetition_penalty={s.repetition_penalty!r}, do_sample=False,",
                    "                     pad_token_id=eos, eos_token_id=eos, output_logits=True, return_dict_in_generate=True)",
                    "prompt_len = ids.shape[1]",
                    "for i, seq in enumerate(out.sequences):",
                    "    chosen_probs = []  # the model's probability for each token of this beam, read from the beam it came from",
                    "    for t, token in enumerate(seq[prompt_len:]):",
                    "        beam = int(out.beam_indices[i, t])",
                    "        if beam < 0:",
                    "            break",
                    "        chosen_probs.append(out.logits[t][beam].float().softmax(-1)[token].item())",
                    "    print(repr(tokenizer.decode(seq[prompt_len:], skip_special_tokens=True)), [round(p, 3) for p in chosen_probs])",
                ]
                + tail
            )
            + "\n"
        )
    loop = [
        "",
        f"ids = ids.repeat({s.num_sequences}, 1)  # one row per sequence",
        *(
            [f"generator = torch.Generator().manual_seed({s.seed})  # the seed: same seed, same text"]
            if s.do_sample
            else []
        ),
        f"finished = torch.zeros({s.num_sequences}, dtype=torch.bool)",
        "chosen_probs, entropies = [], []  # per step: the model's probability of the chosen token, and its uncertainty",
        "past, step_input = None, ids",
        "with torch.no_grad():",
        f"    for step in range({s.max_new_tokens}):",
        "        out = model(input_ids=step_input, past_key_values=past, use_cache=True)  # the cache remembers earlier tokens",
        "        past = out.past_key_values",
        "        logits = out.logits[:, -1, :].float()  # scores for the token after the last one",
        "        scores = logits",
        *_knob_lines(s),
        "        next_token = torch.where(finished, torch.full_like(next_token, eos or 0), next_token)",
        "        probs = logits.softmax(dim=-1)",
        "        chosen_probs.append(probs.gather(1, next_token[:, None])[:, 0])",
        "        entropies.append(-(probs * probs.clamp_min(1e-45).log2()).sum(dim=-1))  # bits",
        "        ids = torch.cat([ids, next_token[:, None]], dim=1)",
        "        finished |= next_token == eos",
        "        if finished.all():",
        "            break",
        "        step_input = next_token[:, None]",
        "",
        "chosen_probs, entropies = torch.stack(chosen_probs, dim=1), torch.stack(entropies, dim=1)",
        f"new_tokens = ids[:, {len(ids)}:]",
        "for row, probs in zip(new_tokens, chosen_probs):",
        "    print(repr(tokenizer.decode(row, skip_special_tokens=True)))",
        "    print([(tokenizer.decode(t), round(p, 3)) for t, p in zip(row.tolist(), probs.tolist())])",
    ]
    return "\n".join(head + loop + tail) + "\n"
