"""Where the main job's time goes: start-up, a rollout, the training pass and a held-out eval, A/B.

    python benchmarks/train_step_profile.py                      # threads 1 vs 2, eval batch 32 vs 100
    python benchmarks/train_step_profile.py --threads 1 2 --eval-batch 32 --repeats 2

The work is the default recipe's (``TrainConfig()``): the default model, the
``arithmetic`` task, B prompts x G completions through the trainer's own
``generate_and_score``, the training pass through ``optimise`` (lr 0, so every
repeat trains on the same weights), and the held-out evaluation the trainer runs
(``evaluate_task`` with a ``TransformersGenerator``, greedy, ``eval.limit`` rows).
Each phase is timed for every setting, the settings interleaved within one
repeat (A B A B ...) so that load from other processes hits all of them alike.
The step-1 rollout is the same prompts and seeds every time, so its sampled
tokens (and hence its cost) are the same for every setting up to float rounding.

Prints one JSON line per measurement and a table of medians, with the ratio of
each setting to the first one. Wall times on a shared machine are noisy: read the
ratios, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from typing import Any


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--eval-batch", type=int, nargs="+", default=[32, 100])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--phases", nargs="+", default=["rollout", "train", "eval"])
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from rlvr.evals.evaluate import default_sampling, evaluate_task
    from rlvr.evals.transformers_generator import TransformersGenerator
    from rlvr.tasks import get_task
    from rlvr.trainer.config import TrainConfig
    from rlvr.trainer.distributed import Dist
    from rlvr.trainer.models import load_model_and_tokenizer
    from rlvr.trainer.optimise import optimise
    from rlvr.trainer.rollouts import PromptCursor, generate_and_score
    from rlvr.trainer.train_loop import _advantages
    from rlvr.verifiers import VerifierPool

    cfg = TrainConfig()
    torch.set_num_threads(args.threads[0])
    t0 = time.perf_counter()
    model, tok = load_model_and_tokenizer(None)
    load_s = time.perf_counter() - t0
    task = get_task("arithmetic")
    train_rows = task.load(split="train", limit=cfg.tasks[0].train_rows)
    eval_rows = task.load(split=task.eval_split, limit=cfg.eval.limit)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    results: list[dict[str, Any]] = [{"phase": "model_load", "seconds": round(load_s, 2)}]
    print(json.dumps(results[0]), flush=True)

    def record(phase: str, setting: str, seconds: float, **extra: Any) -> None:
        row = {"phase": phase, "setting": setting, "seconds": round(seconds, 2), **extra}
        results.append(row)
        print(json.dumps(row), flush=True)

    with VerifierPool(cfg.verify.workers) as pool:
        groups = None
        for _ in range(args.repeats):
            for threads in args.threads:
                torch.set_num_threads(threads)
                setting = f"threads={threads}"
                if "rollout" in args.phases or groups is None:
                    prompts = PromptCursor([train_rows], [1.0], cfg.seed).take(cfg.rollout.prompts_per_step)
                    t = time.perf_counter()
                    groups = generate_and_score(prompts, step=1, model=model, tokenizer=tok, tasks=[task], cfg=cfg,
                                                pool=pool)
                    tokens = sum(int(g.completion_mask.sum()) for g in groups)
                    if "rollout" in args.phases:
                        record("rollout", setting, time.perf_counter() - t, completion_tokens=tokens)
                if "train" in args.phases:
                    advantages = _advantages(groups, cfg, Dist())
                    t = time.perf_counter()
                    stats = optimise(model, None, groups, advantages, cfg, optimizer, scheduler, params, Dist())
                    record("train", setting, time.perf_counter() - t, trained_tokens=stats["train/tokens"])
                if "eval" in args.phases:
                    for batch in args.eval_batch:
                        t = time.perf_counter()
                        res = evaluate_task(task, TransformersGenerator(model, tok, batch_size=batch), rows=eval_rows,
                                            params=default_sampling(1, task.generation.max_new_tokens), pool=pool,
                                            timeout_s=cfg.verify.timeout_s)
                        record("eval", f"{setting} batch={batch}", time.perf_counter() - t,
                               accuracy=res.metrics["pass@1"])
    by: dict[tuple[str, str], list[float]] = {}
    for r in results[1:]:
        by.setdefault((r["phase"], r["setting"]), []).append(r["seconds"])
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
          f"torch {torch.__version__}, python {sys.version.split()[0]}")
    print("| phase | setting | median s | vs first setting |\n|---|---|---|---|")
    first: dict[str, float] = {}
    for (phase, setting), secs in by.items():
        med = statistics.median(secs)
        first.setdefault(phase, med)
        print(f"| {phase} | {setting} | {med:.1f} | {med / first[phase]:.2f}x |")


if __name__ == "__main__":
    main()
