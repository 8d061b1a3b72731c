"""Evaluate the default model on the offline-smoke suite, and batched vs unbatched generation.

    python benchmarks/eval_offline_smoke.py [--part suite|peer|both] [--out DIR]

Part 1 runs exactly what ``rlvr eval --suite offline-smoke`` runs (greedy, each task's
row count and token budget from ``tasks/suites.yaml``) and prints metrics and wall time
per task. Part 2 generates the arithmetic rows twice in one run: with
``TransformersGenerator`` (left-padded batches of 16) and with the unbatched baseline
(one ``model.generate`` call per prompt, as a simple evaluation script does), checks
that greedy decoding gives the same completions both ways, and reports the ratio.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from rlvr.evals.evaluate import evaluate_task
from rlvr.evals.generation import Completion, SamplingParams
from rlvr.evals.results import write_results
from rlvr.evals.transformers_generator import TransformersGenerator
from rlvr.tasks import get_suite
from rlvr.trainer.models import load_model_and_tokenizer
from rlvr.verifiers import VerifierPool


def unbatched(generator: TransformersGenerator, conversations: list, params: SamplingParams) -> list:
    """The baseline: one prompt per generate call (no padding at all)."""
    out = []
    for messages in conversations:
        ids = generator.tokenizer(generator.prompt_text(messages), add_special_tokens=False,
                                  return_tensors="pt").input_ids
        with torch.no_grad():
            seq = generator.model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                           max_new_tokens=params.max_new_tokens,
                                           pad_token_id=generator.tokenizer.pad_token_id)
        new = seq[0, ids.shape[1]:].tolist()
        eos = generator.tokenizer.eos_token_id
        new = new[: new.index(eos) + 1] if eos in new else new
        out.append([Completion(generator.tokenizer.decode(new, skip_special_tokens=True), new)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["suite", "peer", "both"], default="both")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/eval"))
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()}")
    started = time.time()
    model, tokenizer = load_model_and_tokenizer()
    generator = TransformersGenerator(model, tokenizer, batch_size=16)
    print(f"model load: {time.time() - started:.1f} s")
    suite = get_suite("offline-smoke")
    results, tasks = [], []
    with VerifierPool(workers=2) as pool:
        for entry in suite.tasks if args.part != "peer" else []:
            task = entry.build()
            t0 = time.time()
            result = evaluate_task(task, generator, limit=entry.limit, pool=pool)
            m = result.metrics
            print(f"{task.name:28s} rows {m['prompts']:3d}  pass@1 {m['pass@1']:.3f}  mean reward "
                  f"{m['mean_reward']:.3f}  clipped {m['clipped']:3d}  statuses {m['status']}  "
                  f"{time.time() - t0:.1f} s")
            results.append(result)
            tasks.append(task)
        if results:
            print(f"offline-smoke wall time (model load included): {time.time() - started:.1f} s")
            path, _ = write_results(args.out, results, tasks, {"suite": "offline-smoke", "benchmark": True}, started)
            print(f"results: {path}")
        if args.part == "suite":
            return
        task = suite.tasks[0].build()
        rows = task.load(split=task.eval_split, limit=suite.tasks[0].limit)
        conversations = [task.build_messages(r) for r in rows]
        params = SamplingParams(max_new_tokens=task.generation.max_new_tokens)
        t0 = time.time()
        ours = generator.generate(conversations, params)
        t_ours = time.time() - t0
        t0 = time.time()
        theirs = unbatched(generator, conversations, params)
        t_theirs = time.time() - t0
        same = sum(a[0].token_ids == b[0].token_ids for a, b in zip(ours, theirs, strict=True))
        print(json.dumps({"rows": len(rows), "batched_s": round(t_ours, 1), "unbatched_s": round(t_theirs, 1),
                          "speedup": round(t_theirs / t_ours, 2), "identical_greedy_completions": same}))


if __name__ == "__main__":
    main()
