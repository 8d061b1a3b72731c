"""The trainer's group sampler against transformers' ``generate``: speed and what it samples.

    python benchmarks/sampler_vs_generate.py                  # 24 prompts, 6 batches of 4 x 8
    python benchmarks/sampler_vs_generate.py --prompts 8 --threads 2

Same model (the default, fp32, CPU), same arithmetic train prompts, G = 8
completions per prompt, at most 64 new tokens, temperature 1, top_p 1, top_k off,
in batches of 4 prompts (the main job's step), three ways:

- ``generate`` per group: one ``model.generate(num_return_sequences=8)`` call per
  prompt (rlvr's sampler before ``trainer/sampling.py``);
- ``generate`` batched: one call for the 32 rows, prompts repeated 8 times and
  left-padded (what TRL's GRPOTrainer does);
- ``sample_groups``: rlvr's sampler (each prompt prefilled once, finished rows
  dropped, a generator per group).

Reported: seconds (summed over batches), completion tokens per second, and the
mean reward of the samples under the task's verifier: the three draw from the
same distribution, so the rewards should agree within sampling noise (the
standard error is printed).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Any


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=24)
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--batch", type=int, default=4, help="prompts per batch")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    import torch

    from rlvr.evals.transformers_generator import cut_at_eos
    from rlvr.tasks import get_task
    from rlvr.trainer.models import load_model_and_tokenizer
    from rlvr.trainer.sampling import sample_groups

    torch.set_num_threads(args.threads)
    model, tok = load_model_and_tokenizer()
    task = get_task("arithmetic")
    verifier = task.verifier()
    rows = task.load(split="train", limit=args.prompts)
    texts = [tok.apply_chat_template(task.build_messages(r), tokenize=False, add_generation_prompt=True)
             for r in rows]
    G, common = args.group_size, {"do_sample": True, "max_new_tokens": args.max_new_tokens, "temperature": 1.0,
                                   "top_p": 1.0, "top_k": 0, "pad_token_id": tok.pad_token_id,
                                   "eos_token_id": tok.eos_token_id}

    def per_group(batch: list[int], seed: int) -> list[list[int]]:
        out = []
        for i in batch:
            ids = tok(texts[i], add_special_tokens=False, return_tensors="pt").input_ids
            torch.manual_seed(seed + i)
            seqs = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), num_return_sequences=G,
                                  **common)
            out += _rows(cut_at_eos(seqs[:, ids.shape[1]:], tok.eos_token_id))
        return out

    def batched(batch: list[int], seed: int) -> list[list[int]]:
        enc = tok([texts[i] for i in batch for _ in range(G)], add_special_tokens=False, return_tensors="pt",
                  padding=True)
        torch.manual_seed(seed)
        seqs = model.generate(**enc, **common)
        return _rows(cut_at_eos(seqs[:, enc.input_ids.shape[1]:], tok.eos_token_id))

    def ours(batch: list[int], seed: int) -> list[list[int]]:
        prompts = [tok(texts[i], add_special_tokens=False, return_tensors="pt").input_ids[0] for i in batch]
        groups = sample_groups(model, prompts, group_size=G, max_new_tokens=args.max_new_tokens, temperature=1.0,
                               top_p=1.0, seeds=[seed + i for i in batch], eos_id=tok.eos_token_id,
                               pad_id=tok.pad_token_id)
        return [row for g in groups for row in _rows((g.completion_ids, g.completion_mask, g.clipped))]

    methods = {"generate, one call per group": per_group, "generate, one call for the batch (TRL)": batched,
               "rlvr sample_groups": ours}
    batches = [list(range(s, min(s + args.batch, args.prompts))) for s in range(0, args.prompts, args.batch)]
    print(f"{args.prompts} prompts x {G}, batches of {args.batch}, {args.max_new_tokens} new tokens, "
          f"{args.threads} torch thread(s), torch {torch.__version__}")
    print("\n| sampler | seconds | tokens/s | mean reward | std error | vs rlvr seconds |\n|---|---|---|---|---|---|")
    results: dict[str, tuple[float, int, list[float]]] = {}
    for name, fn in methods.items():
        seconds, tokens, rewards = 0.0, 0, []
        for b, batch in enumerate(batches):
            start = time.perf_counter()
            sampled = fn(batch, seed=1000 * b)
            seconds += time.perf_counter() - start
            tokens += sum(len(r) for r in sampled)
            for k, ids in enumerate(sampled):
                row = rows[batch[k // G]]
                text = tok.decode(ids, skip_special_tokens=True)
                rewards.append(verifier(text, task.reference(row)).value)
        results[name] = (seconds, tokens, rewards)
    base = results["rlvr sample_groups"][0]
    for name, (seconds, tokens, rewards) in results.items():
        se = statistics.pstdev(rewards) / math.sqrt(len(rewards))
        print(f"| {name} | {seconds:.1f} | {tokens / seconds:.1f} | {statistics.fmean(rewards):.3f} | {se:.3f} | "
              f"{seconds / base:.2f}x |")


def _rows(cut: tuple[Any, Any, Any]) -> list[list[int]]:
    ids, mask, _ = cut
    return [row[m].tolist() for row, m in zip(ids, mask, strict=True)]


if __name__ == "__main__":
    main()
