"""Held-out accuracy per step and per minute: rlvr against TRL's GRPOTrainer, same work, several seeds.

    python benchmarks/efficacy.py                                  # both trainers, seeds 0 1 2, the default recipe
    python benchmarks/efficacy.py --trainers rlvr --seeds 0 --steps 30 --eval-every 5
    python benchmarks/efficacy.py --set optim.lr=2e-5 --set rollout.group_size=16   # another recipe, both sides

The work (issue 11): the default model, the ``arithmetic`` task, the recipe of
rlvr's shipped config (``trainer/configs/default.yaml``) with any ``--set``
overrides, applied to both trainers: B prompts x G completions per step, the same
prompts in the same order (rlvr's sampler feeds TRL an unshuffled dataset), the
same sampling, loss, clip, AdamW and learning-rate schedule (TRL gets rlvr's own
schedule function; see ``grpo_vs_trl.trl_trainer``), fp32 on the CPU,
``torch.set_num_threads(--threads)``.

Every ``--eval-every`` steps (and before the first step and after the last) the
trainer's model in memory is evaluated the way ``rlvr eval`` does it:
``evaluate_task`` with a ``TransformersGenerator``, greedy, on the task's first
``--eval-limit`` eval rows, scored in a verifier process pool; the accuracy is
pass@1. rlvr's trainer runs its own held-out evaluation at those steps
(``eval.every``); the harness routes it through the same function (``held_out``
below), and calls it from a ``TrainerCallback`` in TRL. Evaluation time is not
training time: ``wall_s`` counts only the steps (rlvr's ``step_time``; TRL's
``on_step_begin`` -> ``on_step_end``: generation, reward, loss, backward,
optimizer for both), so the two curves are comparable; model loading is excluded.

Each (trainer, seed) runs in its own child process, one after the other, so each
peak RSS is its own (``peak_rss_mib``: the trainer process's ``ru_maxrss`` up to
that eval point; the summary adds the sampled peak of the whole process tree).

Output, in ``benchmarks/out/efficacy-<time>/`` (or ``--out``): ``efficacy.jsonl``
(one row per trainer, seed and eval point: step, wall_s, accuracy, peak_rss_mib,
generated tokens so far, and the step's entropy and zero-variance-group
fraction), ``efficacy.png`` (held-out accuracy against steps and against
training minutes, mean and min-max band over seeds), ``summary.json`` and a
printed markdown table: minutes to reach 40 / 55 / 70% held-out on each seed, and
the issue's target (rlvr reaches TRL's step-10 accuracy in at most half TRL's
time, at no more than TRL's peak memory). Wall times on a shared machine are
noisy: compare the trainers within one run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

THRESHOLDS = (0.40, 0.55, 0.70)
TRAINERS = ("rlvr", "trl")
OUT_DIR = Path(__file__).with_name("out")


def _grpo_vs_trl() -> Any:
    """The sibling benchmark that holds the shared TRL set-up (loaded by path: benchmarks/ is no package)."""
    path = Path(__file__).with_name("grpo_vs_trl.py")
    spec = importlib.util.spec_from_file_location("grpo_vs_trl", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def held_out(model: Any, tokenizer: Any, task: Any, rows: list[dict[str, Any]], *, max_new_tokens: int,
             batch_size: int, pool: Any, timeout_s: float) -> float:
    """Greedy pass@1 on ``rows``: the evaluation ``rlvr eval`` runs (the one place to retarget it)."""
    from rlvr.evals.evaluate import default_sampling, evaluate_task
    from rlvr.evals.transformers_generator import TransformersGenerator

    was_training = model.training
    model.eval()
    try:
        result = evaluate_task(task, TransformersGenerator(model, tokenizer, batch_size=batch_size), rows=rows,
                               params=default_sampling(1, max_new_tokens), pool=pool, timeout_s=timeout_s,
                               batch_rows=batch_size)
    finally:
        model.train(was_training)
    return float(result.metrics["pass@1"])


# ---------- pure parts (tested in tests/trainer/test_efficacy_bench.py) ----------

def time_to_reach(curve: list[dict[str, Any]], thresholds: tuple[float, ...] = THRESHOLDS) -> dict[str, float | None]:
    """One run's eval rows (in step order) -> training seconds at the first eval at or above each
    threshold (None: never reached)."""
    out: dict[str, float | None] = {}
    for threshold in thresholds:
        hit = next((r for r in curve if r["accuracy"] >= threshold - 1e-9), None)
        out[f"{threshold:.2f}"] = hit["wall_s"] if hit else None
    return out


def bands(rows: list[dict[str, Any]], trainer: str) -> list[dict[str, float]]:
    """Per eval step of one trainer: mean, min and max accuracy over seeds, and mean wall seconds
    (the x of the per-minute plot). Steps that not every seed reached are left out."""
    runs = [r for r in rows if r["trainer"] == trainer]
    seeds = {r["seed"] for r in runs}
    out = []
    for step in sorted({r["step"] for r in runs}):
        at = [r for r in runs if r["step"] == step]
        if {r["seed"] for r in at} != seeds:
            continue
        acc = [r["accuracy"] for r in at]
        out.append({"step": step, "mean": statistics.fmean(acc), "min": min(acc), "max": max(acc),
                    "wall_s": statistics.fmean(r["wall_s"] for r in at)})
    return out


def curve(rows: list[dict[str, Any]], trainer: str, seed: int) -> list[dict[str, Any]]:
    return sorted((r for r in rows if r["trainer"] == trainer and r["seed"] == seed), key=lambda r: r["step"])


def against_trl(rows: list[dict[str, Any]], seed: int, step: int = 10) -> dict[str, Any] | None:
    """The issue's target on one seed: TRL's held-out accuracy at ``step`` (its last eval at or
    before it) and its training seconds there; rlvr's first seconds at that accuracy or above;
    their ratio (target <= 0.5) and the peak-RSS ratio (target <= 1). None without both trainers."""
    ours, theirs = curve(rows, "rlvr", seed), curve(rows, "trl", seed)
    trl_at = [r for r in theirs if r["step"] <= step]
    if not ours or not trl_at:
        return None
    ref = trl_at[-1]
    hit = next((r for r in ours if r["accuracy"] >= ref["accuracy"] - 1e-9), None)
    return {"seed": seed, "trl_step": ref["step"], "trl_accuracy": ref["accuracy"], "trl_s": ref["wall_s"],
            "rlvr_s": hit["wall_s"] if hit else None,
            "time_ratio": hit["wall_s"] / ref["wall_s"] if hit and ref["wall_s"] > 0 else None,
            "rss_ratio": max(r["peak_rss_mib"] for r in ours) / max(r["peak_rss_mib"] for r in theirs)}


def markdown_table(rows: list[dict[str, Any]], thresholds: tuple[float, ...] = THRESHOLDS) -> str:
    """One line per (trainer, seed): accuracy before -> last, steps, training minutes, minutes to each
    threshold, peak RSS."""
    cols = " | ".join(f"min to {t:.0%}" for t in thresholds)
    head = (f"| trainer | seed | held-out first -> last | steps | train min | {cols} | peak RSS (MiB) |\n"
            "|---|---|---|---|---|" + "---|" * len(thresholds) + "---|\n")
    lines = []
    for trainer in TRAINERS:
        for seed in sorted({r["seed"] for r in rows if r["trainer"] == trainer}):
            c = curve(rows, trainer, seed)
            reach = time_to_reach(c, thresholds).values()
            cells = " | ".join("-" if s is None else f"{s / 60:.1f}" for s in reach)
            lines.append(f"| {trainer} | {seed} | {c[0]['accuracy']:.2f} -> {c[-1]['accuracy']:.2f} "
                         f"| {c[-1]['step']} | {c[-1]['wall_s'] / 60:.1f} | {cells} "
                         f"| {max(r['peak_rss_mib'] for r in c):.0f} |")
    return head + "\n".join(lines) + "\n"


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Held-out accuracy against steps (left) and training minutes (right): mean and min-max band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for trainer, color in zip(TRAINERS, ("tab:blue", "tab:orange"), strict=True):
        b = bands(rows, trainer)
        if not b:
            continue
        seeds = len({r["seed"] for r in rows if r["trainer"] == trainer})
        for ax, x in zip(axes, ([p["step"] for p in b], [p["wall_s"] / 60 for p in b]), strict=True):
            ax.plot(x, [p["mean"] for p in b], marker="o", color=color, label=f"{trainer} (mean of {seeds})")
            ax.fill_between(x, [p["min"] for p in b], [p["max"] for p in b], color=color, alpha=0.2)
    for ax, label in zip(axes, ("step", "training minutes (mean over seeds)"), strict=True):
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
        for t in THRESHOLDS:
            ax.axhline(t, color="grey", lw=0.5, ls=":")
    axes[0].set_ylabel("held-out accuracy (greedy pass@1)")
    axes[0].legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------- shared set-up ----------

def train_config(args: argparse.Namespace, seed: int, run_dir: Path) -> Any:
    """The recipe (shipped default + --set), with the harness's fixed parts: CPU, fp32, eval cadence."""
    from rlvr.trainer.config import load_config

    overrides = [*args.set, f"seed={seed}", f"run_dir={run_dir}", f"threads={args.threads}", "device=cpu",
                 "model.dtype=float32", "progress=false", "loggers=[jsonl]", f"eval.every={args.eval_every}",
                 f"eval.limit={args.eval_limit}", "save_every=0", "samples_every=0"]
    if args.steps:
        overrides.append(f"steps={args.steps}")
    if args.model:
        overrides.append(f"model.name={args.model}")
    return load_config(None, overrides)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------- children: one trainer, one seed ----------

def run_rlvr(cfg: Any) -> list[dict[str, Any]]:
    """rlvr's trainer, evaluated by its own held-out hook (``evaluate_task``, what ``held_out``
    runs); -> eval rows, each with the peak RSS measured right after it."""
    from rlvr.trainer import train_loop

    rss: list[float] = []  # per evaluation, in call order
    evaluate = train_loop._evaluate

    def measured(*args: Any, **kwargs: Any) -> dict[str, float]:
        out = evaluate(*args, **kwargs)
        rss.append(_peak_rss_mib())
        return out

    train_loop._evaluate = measured  # type: ignore[assignment]
    run_dir = train_loop.train(cfg)
    metrics = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    rows_per_step = cfg.rollout.prompts_per_step * cfg.rollout.group_size
    out, wall, tokens, last = [], 0.0, 0.0, {}
    for m in sorted(metrics, key=lambda m: m["step"]):
        if "step_time" in m:
            wall += m["step_time"]
            tokens += m["completions/mean_length"] * rows_per_step
            last = m
        if "eval/accuracy" in m:
            out.append({"step": m["step"], "wall_s": wall, "accuracy": m["eval/accuracy"], "tokens": tokens,
                        "entropy": last.get("entropy"), "frac_reward_zero_std": last.get("frac_reward_zero_std"),
                        "reward": last.get("reward")})
    if len(out) != len(rss):
        raise RuntimeError(f"{len(out)} eval rows in metrics.jsonl but {len(rss)} evaluations ran")
    return [r | {"peak_rss_mib": m} for r, m in zip(out, rss, strict=True)]


def run_trl(cfg: Any) -> list[dict[str, Any]]:
    """TRL's GRPOTrainer on the same work, evaluated from a callback; -> eval rows."""
    from transformers import TrainerCallback

    from rlvr.tasks import get_task
    from rlvr.trainer.models import load_model_and_tokenizer
    from rlvr.verifiers import VerifierPool

    task = get_task(cfg.tasks[0].name, **cfg.tasks[0].params)
    model, tokenizer = load_model_and_tokenizer(cfg.model.name, dtype=cfg.model.dtype)
    eval_rows = task.load(split=task.eval_split, limit=cfg.eval.limit)
    rows_per_step = cfg.rollout.prompts_per_step * cfg.rollout.group_size
    out: list[dict[str, Any]] = []
    clock = {"wall_s": 0.0, "tokens": 0.0, "t0": 0.0}
    logs_at: dict[int, dict[str, float]] = {}

    with VerifierPool(cfg.verify.workers) as pool:

        def record(step: int) -> None:
            accuracy = held_out(model, tokenizer, task, eval_rows,
                                max_new_tokens=cfg.eval.max_new_tokens or task.generation.max_new_tokens,
                                batch_size=cfg.eval.batch_size, pool=pool, timeout_s=cfg.verify.timeout_s)
            logs = logs_at.get(step, {})
            out.append({"step": step, "wall_s": clock["wall_s"], "accuracy": accuracy, "tokens": clock["tokens"],
                        "entropy": logs.get("entropy"), "frac_reward_zero_std": logs.get("frac_reward_zero_std"),
                        "reward": logs.get("reward"), "peak_rss_mib": _peak_rss_mib()})

        class Efficacy(TrainerCallback):
            def on_train_begin(self, _args: Any, state: Any, control: Any, **kw: Any) -> None:
                record(0)

            def on_step_begin(self, _args: Any, state: Any, control: Any, **kw: Any) -> None:
                clock["t0"] = time.perf_counter()

            def on_step_end(self, _args: Any, state: Any, control: Any, **kw: Any) -> None:
                clock["wall_s"] += time.perf_counter() - clock["t0"]

            def on_log(self, _args: Any, state: Any, control: Any, logs: dict[str, float] | None = None,
                       **kw: Any) -> None:
                # TRL logs a step after on_step_end: evaluate here, once the step's numbers are in
                step = state.global_step
                if not logs or "reward" not in logs or step in logs_at:
                    return
                logs_at[step] = logs
                clock["tokens"] += logs["completions/mean_length"] * rows_per_step
                if step % cfg.eval.every == 0 or step == cfg.steps:
                    record(step)

        workdir = Path(tempfile.mkdtemp(prefix="trl-efficacy-"))
        trainer, _, same_tokens = _grpo_vs_trl().trl_trainer(cfg, task, model, tokenizer, workdir, [Efficacy()])
        if not same_tokens:
            raise RuntimeError("TRL would tokenize the prompts differently from rlvr")
        trainer.train()
    return out


def child_main(args: argparse.Namespace) -> None:
    import torch

    torch.set_num_threads(args.threads)
    run_dir = Path(tempfile.mkdtemp(prefix=f"efficacy-{args.child}-")) / "run"
    cfg = train_config(args, args.seed, run_dir)
    rows = (run_rlvr if args.child == "rlvr" else run_trl)(cfg)
    Path(args.result).write_text(json.dumps(rows))


# ---------- parent ----------

def run_one(trainer: str, seed: int, args: argparse.Namespace) -> tuple[list[dict[str, Any]], float]:
    """One (trainer, seed) in its own process -> (its eval rows, peak RSS MiB of its process tree)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result = Path(f.name)
    cmd = [sys.executable, __file__, "--child", trainer, "--seed", str(seed), "--result", str(result),
           "--eval-every", str(args.eval_every), "--eval-limit", str(args.eval_limit),
           "--threads", str(args.threads), "--steps", str(args.steps or 0)]
    cmd += (["--model", args.model] if args.model else []) + [f"--set={s}" for s in args.set]
    code, peak = _grpo_vs_trl().run_watched(cmd)
    if code != 0:
        raise SystemExit(f"{trainer} seed {seed} failed with exit code {code}")
    rows = json.loads(result.read_text())
    result.unlink()
    return [{"trainer": trainer, "seed": seed} | r for r in rows], peak / 2**20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainers", default="rlvr,trl", help="comma-separated: rlvr, trl")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=0, help="0: the recipe's steps")
    parser.add_argument("--eval-every", type=int, default=5)
    parser.add_argument("--eval-limit", type=int, default=100, help="held-out rows (the task's eval split)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", help="model folder (default: rlvr's default model)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="recipe override for both trainers, as rlvr train --set")
    parser.add_argument("--target-step", type=int, default=10, help="the TRL step whose accuracy rlvr must reach")
    parser.add_argument("--out", type=Path, help="output folder (default: benchmarks/out/efficacy-<time>)")
    parser.add_argument("--child", choices=TRAINERS, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.trainers = [t.strip() for t in args.trainers.split(",") if t.strip()]
    if unknown := set(args.trainers) - set(TRAINERS):
        parser.error(f"--trainers: unknown {sorted(unknown)} (known: {', '.join(TRAINERS)})")
    return args


def main(argv: list[str] | None = None) -> Path:
    args = parse_args(argv)
    if args.child:
        child_main(args)
        return Path(args.result)
    train_config(args, 0, Path(tempfile.gettempdir()) / "unused")  # a bad --set fails before any run
    out_dir = args.out or OUT_DIR / f"efficacy-{time.strftime('%Y%m%dT%H%M%S')}"
    out_dir.mkdir(parents=True, exist_ok=True)
    import torch

    machine = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
               "load_avg_at_start": os.getloadavg(), "python": platform.python_version(), "torch": torch.__version__}
    rows: list[dict[str, Any]] = []
    peaks: dict[str, float] = {}
    for trainer in args.trainers:
        for seed in args.seeds:
            run_rows, peaks[f"{trainer}/{seed}"] = run_one(trainer, seed, args)
            rows += run_rows
            print(f"{trainer} seed {seed}: " + " ".join(f"{r['step']}:{r['accuracy']:.2f}" for r in run_rows),
                  file=sys.stderr, flush=True)
            # written after each run, so an interrupted benchmark keeps what finished
            (out_dir / "efficacy.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    machine["load_avg_at_end"] = os.getloadavg()
    plot(rows, out_dir / "efficacy.png")
    summary = {"machine": machine, "args": {k: v for k, v in vars(args).items() if k not in ("child", "result")},
               "peak_rss_tree_mib": peaks,
               "time_to_reach_s": {f"{t}/{s}": time_to_reach(curve(rows, t, s))
                                   for t in args.trainers for s in args.seeds},
               "against_trl": [against_trl(rows, s, args.target_step) for s in args.seeds]}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    print(markdown_table(rows))
    print(f"results: {out_dir}")
    return out_dir


if __name__ == "__main__":
    main()
