"""GRPO steps on a CPU: TRL's GRPOTrainer against ``rlvr.trainer.train``, same work, one invocation.

    python benchmarks/grpo_vs_trl.py                 # both, 10 steps each (~15 min on 2 quiet cores)
    python benchmarks/grpo_vs_trl.py --steps 2 --only trl
    python benchmarks/grpo_vs_trl.py --model PATH    # another model folder (default: SmolLM2-135M-Instruct)

The work (the issue's spec): the default model, two-number addition with the
answer in ``\\boxed{}`` (the ``arithmetic`` task: its prompt, one worked example,
the model's chat template), reward 1 or 0 from the task's verifier; 4 prompts x 8
completions per step; at most 64 new tokens; temperature 1, top_p 1, top_k off;
mu = 1; beta = 0; AdamW with rlvr's default learning rate, constant schedule,
grad-norm clip 1; rlvr's loss type and reward scaling for both; fp32, no gradient
checkpointing; ``torch.set_num_threads(--threads)`` (default 1, as rlvr's default
config); the same seed.

Both trainers see the same prompts in the same order: the harness draws them with
rlvr's own prompt sampler and feeds TRL an unshuffled dataset in that order; each
side records the prompt ids it actually trained on and the result says whether
they matched.

Each trainer runs in its own child process, one after the other, so each peak RSS
is its own: ``ru_maxrss`` of the trainer process (exact) and the sampled peak of
its whole process tree (rlvr's verifier workers included; psutil every 0.2 s).
Seconds per step: TRL's from a ``TrainerCallback`` (on_step_begin -> on_step_end:
generation, reward, loss, backward, optimizer), rlvr's ``step_time`` from its
metrics.jsonl (the same span). Generated tokens per second: completion tokens of
the step (``completions/mean_length`` x 32, EOS included, as both count it) over
the step's seconds, summed over steps. Model loading and start-up are not in the
step times; the total wall time of each child is reported too, and its CPU
seconds (all threads and worker processes, start-up included) per step: a
number that other jobs on the same cores barely move.

The JSON result goes to ``benchmarks/out/grpo_vs_trl-<time>.json``; a markdown
table is printed. Timings on a shared machine are noisy: read the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROMPTS_PER_STEP, GROUP_SIZE = 4, 8
COMPLETIONS_PER_STEP = PROMPTS_PER_STEP * GROUP_SIZE
OUT_DIR = Path(__file__).with_name("out")


# ---------- pure parts (tested in tests/trainer/test_grpo_bench_harness.py) ----------

def summarize(steps: list[dict[str, float]], completions_per_step: int = COMPLETIONS_PER_STEP) -> dict[str, float]:
    """Per-step records ``{seconds, reward, mean_length}`` -> the reported numbers."""
    if not steps:
        raise ValueError("no steps recorded")
    seconds = [s["seconds"] for s in steps]
    tokens = [s["mean_length"] * completions_per_step for s in steps]
    return {
        "steps": len(steps),
        "median_s_per_step": statistics.median(seconds),
        "mean_s_per_step": statistics.fmean(seconds),
        "tokens_per_s": sum(tokens) / sum(seconds),
        "mean_completion_tokens": statistics.fmean(s["mean_length"] for s in steps),
        "reward_first": steps[0]["reward"],
        "reward_last": steps[-1]["reward"],
    }


def rlvr_steps(metrics_rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    """rlvr's metrics.jsonl rows -> per-step records (eval-only rows, e.g. step 0, are skipped)."""
    return [{"step": r["step"], "seconds": r["step_time"], "reward": r["reward"],
             "mean_length": r["completions/mean_length"]} for r in metrics_rows if "step_time" in r]


def ratio_row(results: dict[str, dict[str, Any]]) -> dict[str, float] | None:
    """rlvr / TRL for every number (below 1 = rlvr faster or smaller, except tokens/s: above 1 = faster)."""
    if not {"trl", "rlvr"} <= results.keys():
        return None
    ours, theirs = results["rlvr"], results["trl"]
    return {"s_per_step": ours["median_s_per_step"] / theirs["median_s_per_step"],
            "tokens_per_s": ours["tokens_per_s"] / theirs["tokens_per_s"],
            "cpu_s_per_step": ours["cpu_s_per_step"] / theirs["cpu_s_per_step"],
            "peak_rss": ours["peak_rss_tree_mib"] / theirs["peak_rss_tree_mib"]}


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    head = ("| trainer | median s/step | gen tokens/s | CPU s/step | peak RSS trainer (MiB) | peak RSS tree (MiB) "
            "| reward first -> last | steps | wall (s) |\n|---|---|---|---|---|---|---|---|---|\n")
    rows = [f"| {name} | {r['median_s_per_step']:.1f} | {r['tokens_per_s']:.1f} | {r['cpu_s_per_step']:.0f} "
            f"| {r['peak_rss_self_mib']:.0f} | {r['peak_rss_tree_mib']:.0f} "
            f"| {r['reward_first']:.3f} -> {r['reward_last']:.3f} | {r['steps']} | {r['wall_s']:.0f} |"
            for name, r in results.items()]
    ratio = ratio_row(results)
    if ratio:
        rows.append(f"| rlvr / TRL | {ratio['s_per_step']:.2f}x | {ratio['tokens_per_s']:.2f}x | "
                    f"{ratio['cpu_s_per_step']:.2f}x | | {ratio['peak_rss']:.2f}x | | | |")
    return head + "\n".join(rows) + "\n"


# ---------- shared set-up ----------

def train_config(args: argparse.Namespace, run_dir: Path) -> Any:
    from rlvr.trainer.config import load_config

    overrides = [f"steps={args.steps}", f"seed={args.seed}", f"run_dir={run_dir}", f"threads={args.threads}",
                 "device=cpu", "eval.limit=0", "progress=false", "loggers=[jsonl]", "model.dtype=float32",
                 "model.gradient_checkpointing=false", f"rollout.prompts_per_step={PROMPTS_PER_STEP}",
                 f"rollout.group_size={GROUP_SIZE}", "rollout.max_new_tokens=64", "rollout.temperature=1.0",
                 "rollout.top_p=1.0", "loss.beta=0.0", "loss.num_iterations=1", "optim.schedule=constant",
                 "optim.warmup_steps=0"]
    if args.model:
        overrides.append(f"model.name={args.model}")
    return load_config(None, overrides)


def planned_prompts(cfg: Any, task: Any) -> list[dict[str, Any]]:
    """The rows rlvr's trainer will draw, in order (its own sampler, its own seed)."""
    from rlvr.trainer.rollouts import PromptCursor

    cursor = PromptCursor([task.load(split="train", limit=cfg.tasks[0].train_rows)], [1.0], cfg.seed)
    return [p.row for p in cursor.take(cfg.steps * cfg.rollout.prompts_per_step)]


class RecordingReward:
    """TRL reward function: the arithmetic task's reward, 1.0 or 0.0 per completion.

    ``rlvr.tasks.trl_reward(task)`` when the tasks package has it (verifier worker
    processes with a deadline), else the task's verifier called in-process. Records
    the prompt ids it scored (to prove both trainers saw the same prompts) and the
    seconds spent scoring (reported, so the reward's cost can be told apart from
    the trainer's). ``__name__`` is the metric name TRL logs.
    """

    __name__ = "math"

    def __init__(self, task: Any) -> None:
        from rlvr import tasks

        self.task, self.seen_ids, self.seconds = task, [], []
        self.inner = tasks.trl_reward(task) if hasattr(tasks, "trl_reward") else None
        self.impl = "rlvr.tasks.trl_reward" if self.inner else "task.verifier() in-process"

    def __call__(self, prompts: list[str], completions: list[str], **columns: Any) -> list[float | None]:
        t0 = time.perf_counter()
        self.seen_ids += list(dict.fromkeys(columns["id"]))  # each prompt appears G times in a row
        if self.inner is not None:
            values = self.inner(prompts, completions, **columns)
        else:
            verifier = self.task.verifier()
            refs = [json.loads(r) for r in columns["rlvr_reference"]]
            values = [verifier(c, ref).value for c, ref in zip(completions, refs, strict=True)]
        self.seconds.append(time.perf_counter() - t0)
        return values


def trl_trainer(cfg: Any, task: Any, model: Any, tokenizer: Any, workdir: Path,
                callbacks: list[Any]) -> tuple[Any, RecordingReward, bool]:
    """TRL's GRPOTrainer set up to do the work rlvr's ``cfg`` describes (also used by efficacy.py).

    The prompts rlvr's sampler would draw, in order, as an unshuffled dataset; B
    prompts x G completions per optimizer step; rlvr's sampling, loss and clip
    settings; AdamW with rlvr's arguments and rlvr's own learning-rate schedule
    (a ``LambdaLR`` over ``rlvr.trainer.train_loop._lr_lambda``, so warmup and
    cosine steps match exactly: transformers' schedulers count them differently);
    fp32, no gradient checkpointing. Returns (trainer, its reward function, whether
    TRL's tokenization of the prompts equals rlvr's). Refuses what TRL cannot do
    the same way: dynamic sampling, LoRA, more than one task.
    """
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from rlvr.trainer.rollouts import prompt_text
    from rlvr.trainer.train_loop import _lr_lambda

    if cfg.rollout.dynamic_sampling or cfg.model.lora is not None or len(cfg.tasks) != 1:
        raise ValueError("the TRL side supports one task, no dynamic sampling and no LoRA")
    r, o, L = cfg.rollout, cfg.optim, cfg.loss
    rows = planned_prompts(cfg, task)
    texts = [prompt_text(tokenizer, task, row) for row in rows]
    # TRL tokenizes plain-text prompts with the tokenizer's defaults: check they match rlvr's ids.
    same_tokens = all(tokenizer(t).input_ids == tokenizer(t, add_special_tokens=False).input_ids for t in texts)
    dataset = Dataset.from_list([{"prompt": t, "rlvr_reference": json.dumps(task.reference(row)), "id": row["id"]}
                                 for t, row in zip(texts, rows, strict=True)])
    config = GRPOConfig(
        output_dir=str(workdir), max_steps=cfg.steps, seed=cfg.seed, use_cpu=True, bf16=False, fp16=False,
        gradient_checkpointing=False, per_device_train_batch_size=r.prompts_per_step * r.group_size,
        num_generations=r.group_size, gradient_accumulation_steps=1, steps_per_generation=1,
        num_iterations=L.num_iterations, beta=L.beta, loss_type=L.type, scale_rewards=L.scale_rewards,
        epsilon=L.epsilon_low, epsilon_high=L.epsilon_high, max_completion_length=r.max_new_tokens,
        temperature=r.temperature, top_p=r.top_p, top_k=0, max_grad_norm=o.max_grad_norm,
        shuffle_dataset=False, use_vllm=False, logging_steps=1, report_to="none", save_strategy="no",
        disable_tqdm=True, dataloader_num_workers=0,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=o.lr, betas=o.betas, weight_decay=o.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _lr_lambda(cfg))
    reward = RecordingReward(task)
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=config, train_dataset=dataset,
                          processing_class=tokenizer, callbacks=callbacks, optimizers=(optimizer, scheduler))
    return trainer, reward, same_tokens


# ---------- children ----------

def run_trl(args: argparse.Namespace, result: dict[str, Any]) -> None:
    import torch
    from transformers import TrainerCallback

    from rlvr.tasks import get_task
    from rlvr.trainer.models import load_model_and_tokenizer

    torch.set_num_threads(args.threads)
    workdir = Path(tempfile.mkdtemp(prefix="trl-bench-"))
    cfg = train_config(args, workdir / "unused")
    task = get_task("arithmetic")
    model, tokenizer = load_model_and_tokenizer(cfg.model.name, dtype="float32")
    steps: list[dict[str, float]] = []

    class StepTimer(TrainerCallback):
        def on_step_begin(self, _args: Any, state: Any, control: Any, **kw: Any) -> None:
            self.t0 = time.perf_counter()

        def on_step_end(self, _args: Any, state: Any, control: Any, **kw: Any) -> None:
            steps.append({"step": state.global_step, "seconds": time.perf_counter() - self.t0})

        def on_log(self, _args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kw: Any) -> None:
            if logs and "reward" in logs and steps and steps[-1]["step"] == state.global_step:
                steps[-1] |= {"reward": logs["reward"], "mean_length": logs["completions/mean_length"]}

    trainer, reward, result["same_prompt_tokens"] = trl_trainer(cfg, task, model, tokenizer, workdir, [StepTimer()])
    trainer.train()
    result["steps"] = steps
    result["reward_impl"] = reward.impl
    result["reward_s_per_step"] = statistics.fmean(reward.seconds)
    result["prompt_ids"] = reward.seen_ids


def run_rlvr(args: argparse.Namespace, result: dict[str, Any]) -> None:
    import torch

    from rlvr.trainer.train_loop import train

    torch.set_num_threads(args.threads)
    run_dir = Path(tempfile.mkdtemp(prefix="rlvr-bench-")) / "run"
    cfg = train_config(args, run_dir)
    run_dir = train(cfg)
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    result["steps"] = rlvr_steps(rows)
    result["reward_impl"] = "task.verifier() in rlvr's VerifierPool"
    result["prompt_ids"] = [pid for step in range(1, args.steps + 1) for pid in dict.fromkeys(
        json.loads(line)["id"] for line in (run_dir / "samples" / f"step_{step}.jsonl").read_text().splitlines())]
    result["run_dir"] = str(run_dir)


def child_main(args: argparse.Namespace) -> None:
    result: dict[str, Any] = {}
    t0 = time.perf_counter()
    (run_trl if args.child == "trl" else run_rlvr)(args, result)
    result["wall_s"] = time.perf_counter() - t0
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["peak_rss_self_mib"] = own.ru_maxrss / 1024  # KiB on Linux
    # CPU seconds barely move when other jobs share the cores (wall seconds do): a second view
    result["cpu_s"] = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    from rlvr.tasks import get_task

    cfg = train_config(args, Path(tempfile.gettempdir()) / "unused")
    result["planned_prompt_ids"] = [r["id"] for r in planned_prompts(cfg, get_task("arithmetic"))]
    Path(args.result).write_text(json.dumps(result))


# ---------- parent ----------

def run_watched(cmd: list[str]) -> tuple[int, int]:
    """Run ``cmd``; -> (exit code, peak RSS in bytes of its whole process tree, sampled every 0.2 s)."""
    import psutil

    proc = subprocess.Popen(cmd, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    parent, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass  # a worker exited between listing and reading
        time.sleep(0.2)
    return proc.returncode, peak


def run_child(side: str, args: argparse.Namespace) -> dict[str, Any]:
    """One trainer in its own process; returns its summary with the peak RSS of its process tree."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result_path = Path(f.name)
    cmd = [sys.executable, __file__, "--child", side, "--result", str(result_path), "--steps", str(args.steps),
           "--seed", str(args.seed), "--threads", str(args.threads)] + (["--model", args.model] if args.model else [])
    returncode, peak = run_watched(cmd)
    if returncode != 0:
        raise SystemExit(f"the {side} child failed with exit code {returncode}")
    child = json.loads(result_path.read_text())
    result_path.unlink()
    summary = summarize(child["steps"])
    summary |= {"peak_rss_self_mib": child["peak_rss_self_mib"], "peak_rss_tree_mib": peak / 2**20,
                "wall_s": child["wall_s"], "cpu_s_per_step": child["cpu_s"] / len(child["steps"]),
                "reward_impl": child["reward_impl"],
                "reward_s_per_step": child.get("reward_s_per_step"),
                "same_prompts_as_planned": child["prompt_ids"] == child["planned_prompt_ids"],
                "per_step": child["steps"]}
    if "same_prompt_tokens" in child:
        summary["same_prompt_tokens"] = child["same_prompt_tokens"]
    return summary


def machine() -> dict[str, Any]:
    import torch
    import trl

    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "load_avg_at_start": os.getloadavg(), "python": platform.python_version(),
            "torch": torch.__version__, "trl": trl.__version__}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--only", choices=["trl", "rlvr"])
    parser.add_argument("--model", help="model folder (default: rlvr's default model)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--child", choices=["trl", "rlvr"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return
    info = machine() | {"threads": args.threads, "steps": args.steps, "seed": args.seed}
    results: dict[str, dict[str, Any]] = {}
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"grpo_vs_trl-{time.strftime('%Y%m%dT%H%M%S')}.json"
    for side in ["trl", "rlvr"] if args.only is None else [args.only]:
        results[side] = run_child(side, args)
        print(f"{side}: {results[side]['median_s_per_step']:.1f} s/step", file=sys.stderr, flush=True)
        info["load_avg_at_end"] = os.getloadavg()
        # written after each trainer, so a long run interrupted later keeps the first result
        out.write_text(json.dumps({"machine": info, "results": results, "ratio": ratio_row(results)}, indent=1))
    print(markdown_table(results))
    print(f"result: {out}")


if __name__ == "__main__":
    main()
