"""The GRPO training loop, readable top to bottom.

Python API (what ``rlvr train`` and the benchmarks call)::

    from rlvr.trainer.config import TrainConfig, load_config
    from rlvr.trainer.train_loop import train
    cfg = load_config(None, ["steps=10", "run_dir=runs/x"])   # or load_config("my.yaml"), TrainConfig(...)
    run_dir = train(cfg)                    # -> pathlib.Path of the run directory
    run_dir = train(cfg, resume="latest")   # continue from the newest complete checkpoint

``train(cfg, tasks=[...])`` takes Task objects directly (anything with the
``rlvr.tasks.Task`` interface) for the tasks ``cfg.tasks`` names, in order.

The run directory holds ``config.yaml`` (resolved), ``metrics.jsonl`` (one row
per step with TRL's metric names; ``eval/*`` at step 0 and at eval steps),
``samples/step_N.jsonl`` (prompt, completion, score, advantage per row),
``eval/step_N/`` (the held-out evaluation's files, as ``rlvr eval`` writes them) and
``checkpoints/step_N/``.

One step: take B prompts (the data cursor), sample G completions each in one
decode loop (``sampling``; each prompt prefilled once), score them in the
verifier process pool (each group as soon as its rows have ended, while the
others generate), compute group advantages, then mu optimizer steps on that batch
(``optimise``), one group per forward/backward (its prompt computed once, see ``policy_logprobs``), gradients
accumulated over groups and summed over data-parallel ranks. Held-out accuracy is
``rlvr.evals.evaluate_task``, the evaluation ``rlvr eval`` runs. Each step's
progress line warns when the policy's entropy collapses or most groups have zero
reward variance (``run_metrics.policy_warnings``, also logged), and the run ends
with ``run_summary`` on stderr: held-out accuracy before, after and best, wall
time, the run directory and the ``rlvr plot`` command for its curves.

Departures from the paper and from TRL, on purpose:
- Rows whose verification timed out or hit an infra error are masked out of
  the loss (and counted), never scored 0. A step where at least
  ``verify.stop_failed_share`` of the rows is ``error`` or ``infra_error`` stops
  the run (`RewardSignalLost`, see ``reward_health``) instead of training on it,
  and a verifier pool whose workers cannot score stops it before step 1
  (``VerifierPoolBroken``).
- With beta = 0, rows whose advantage is exactly 0 (every row of a
  zero-variance group) skip the forward pass: they add exactly 0 to the loss
  and its gradient, but still count in the loss normalisers, as in TRL. The
  ``entropy`` metric is therefore over the rows trained on.
- Sampling is seeded per (seed, step, prompt slot): results do not depend on
  how the batch is split over ranks, and a resumed run samples what the
  uninterrupted run sampled.
- ``rollout.engine: vllm`` samples on a vLLM server (``vllm_engine``) that gets
  the policy's weights after every optimizer step. Its sampling log-probs
  differ from the trainer's (another kernel, maybe another dtype): the loss
  applies truncated importance sampling, TRL 1.16's semantics, but token-level
  truncation (``token_truncate``, cap 3) by default where TRL's default is
  ``sequence_mask``: verl's TIS and TRL's own earlier default, and no row is
  dropped from a small batch for one outlying token. vLLM's sampling is seeded
  once per server, not per (step, slot) (see ``vllm_engine``). Held-out evaluation stays
  on the trainer's copy of the policy, so both engines are measured alike.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import torch

from rlvr.evals.evaluate import default_sampling, evaluate_task
from rlvr.evals.results import write_results
from rlvr.evals.transformers_generator import TransformersGenerator
from rlvr.verifiers import ScoringPool
from rlvr.verifiers.remote import open_pool

from .checkpoint import load_training_state, resolve_resume, save_checkpoint
from .config import ConfigError, TrainConfig, check_tasks_match, dump_config, load_config
from .distributed import Dist
from .extras import require
from .grpo import group_advantages, zero_std_groups
from .models import load_model_and_tokenizer
from .optimise import optimise
from .plot import read_metrics
from .reward_health import RewardSignalLost, reward_health
from .rollouts import Group, HfSampler, PromptCursor, RolloutEngine, generate_and_score
from .run_metrics import (
    GroupSummary,
    StepProgress,
    open_loggers,
    policy_warnings,
    rollout_metrics,
    sample_rows,
)
from .run_summary import run_summary

log = logging.getLogger(__name__)


def train(cfg: TrainConfig, *, resume: str | None = None, tasks: list[Any] | None = None) -> Path:
    started = time.perf_counter()
    dist = Dist.from_env(cfg.device)
    device = _device(cfg.device, dist)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    run_dir = Path(cfg.run_dir)
    if tasks is not None:
        check_tasks_match(cfg, tasks)
    checkpoint = resolve_resume(run_dir, resume) if resume else None
    if checkpoint is not None:
        _check_resumed_config(run_dir, cfg)
    if dist.main:
        _prepare_run_dir(run_dir, cfg, checkpoint)
    _seed_everything(cfg.seed)

    # --- model, optimizer, schedule ---
    model, tokenizer = _load_policy(cfg, checkpoint, device)
    ref_model = _load_reference(cfg, device) if cfg.loss.beta > 0 else None
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.optim.lr, betas=cfg.optim.betas,
                                  weight_decay=cfg.optim.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _lr_lambda(cfg))

    # --- data ---
    tasks = tasks if tasks is not None else _load_tasks(cfg)
    cursor = PromptCursor([t.load(split="train", limit=e.train_rows) for t, e in zip(tasks, cfg.tasks, strict=True)],
                          [e.weight for e in cfg.tasks], cfg.seed)
    eval_rows = [t.load(split=t.eval_split, limit=cfg.eval.limit) for t in tasks] if cfg.eval.limit else []

    start = 0
    if checkpoint is not None:
        state = load_training_state(checkpoint, optimizer=optimizer, scheduler=scheduler)
        cursor.load_state_dict(state["prompt_cursor"])
        start = state["step"]

    pool = open_pool(cfg.verify.url, token_file=cfg.verify.token_file, workers=cfg.verify.workers)
    try:  # before anything is logged: a pool that cannot score stops the run here (VerifierPoolBroken)
        _warm_up(pool, tasks, cursor.rows, cfg)
    except BaseException:
        pool.close()
        raise
    engine: RolloutEngine | None = None
    try:
        engine = _rollout_engine(cfg, model, tokenizer, dist, run_dir)
        loggers = open_loggers(run_dir, cfg.loggers, resumed_at=start if checkpoint else None) if dist.main else []
    except BaseException:
        if engine is not None:  # a server rlvr started must not outlive the run
            engine.close()
        pool.close()
        raise
    # every row logged, for the closing summary (a resumed run's earlier rows from its metrics.jsonl)
    history = read_metrics(run_dir / "metrics.jsonl") if checkpoint and (run_dir / "metrics.jsonl").is_file() else []
    progress = StepProgress(cfg.steps, start, enabled=dist.main and cfg.progress)
    try:
        if start == 0 and eval_rows:
            history.append(_log(loggers, _evaluate(0, model, tokenizer, tasks, eval_rows, cfg, pool, dist), 0))

        for step in range(start + 1, cfg.steps + 1):
            t0 = time.perf_counter()
            # 1. rollouts: prompts, G completions each, scores
            groups, generated = _collect_groups(step, cursor, engine, tokenizer, tasks, cfg, pool, dist)
            t_rollout = time.perf_counter() - t0
            # 2. is the reward signal alive? a step of failed rows stops the run before it trains on them
            summaries = dist.gather([GroupSummary.of(g, tasks) for g in generated])
            health = reward_health([s for rank in summaries for g in rank for s in g.scores], cfg.verify)
            if health.verdict == "stop":
                raise RewardSignalLost(f"step {step}: {health.message}")
            if health.verdict == "warn" and dist.main:
                log.warning("step %d: %s", step, health.message)
            # 3. advantages
            advantages = _advantages(groups, cfg, dist)
            # 4. mu optimizer steps on this batch
            t_train = time.perf_counter()
            train_stats = optimise(model, ref_model, groups, advantages, cfg, optimizer, scheduler, params, dist)
            t_train = time.perf_counter() - t_train
            train_stats |= engine.sync_weights(model)  # the next rollout samples from the updated policy
            # 5. metrics, samples, eval, checkpoint
            metrics = rollout_metrics(summaries) | health.metrics
            metrics |= train_stats
            metrics |= {"step_time": time.perf_counter() - t0, "rollout_time": t_rollout, "train_time": t_train,
                        "learning_rate": float(scheduler.get_last_lr()[0])}
            samples = dist.gather(sample_rows(step, groups, advantages, tasks))
            if eval_rows and (step == cfg.steps or (cfg.eval.every and step % cfg.eval.every == 0)):
                metrics |= _evaluate(step, model, tokenizer, tasks, eval_rows, cfg, pool, dist)
            if dist.main:
                history.append(_log(loggers, metrics, step))
                for warning in policy_warnings(metrics):  # also on the progress line; this one stays in logs
                    log.warning("step %d: %s", step, warning)
                if cfg.samples_every and step % cfg.samples_every == 0:
                    _write_samples(run_dir, step, [row for rank_rows in samples for row in rank_rows])
                progress.update(step, metrics)
            if step == cfg.steps or (cfg.save_every and step % cfg.save_every == 0):
                if dist.main:
                    save_checkpoint(run_dir, step, model=model, tokenizer=tokenizer, optimizer=optimizer,
                                    scheduler=scheduler, trainer_state={"prompt_cursor": cursor.state_dict()},
                                    keep=cfg.keep_checkpoints)
                dist.barrier()
    finally:
        progress.close()
        engine.close()
        pool.close()
        for logger in loggers:
            logger.close()
        dist.close()
    if dist.main:
        print(run_summary(history, run_dir=run_dir, wall_s=time.perf_counter() - started,
                          held_out_rows=sum(len(rows) for rows in eval_rows)), file=sys.stderr, flush=True)
    return run_dir


# --- one step, in order ---


def _collect_groups(step: int, cursor: PromptCursor, engine: RolloutEngine, tokenizer: Any, tasks: list[Any],
                    cfg: TrainConfig, pool: ScoringPool, dist: Dist
                    ) -> tuple[list[Group], list[Group]]:
    """-> (groups to train on, every group generated this step). Dynamic sampling drops
    zero-variance groups and draws new prompts, at most ``max_resample_rounds`` times;
    all ranks draw the same number of rounds so that the data cursor stays in step."""
    per_rank = cfg.rollout.prompts_per_step // dist.world
    kept: list[Group] = []
    generated: list[Group] = []
    rounds = 1 + (cfg.rollout.max_resample_rounds if cfg.rollout.dynamic_sampling else 0)
    for _ in range(rounds):
        prompts = dist.shard(cursor.take(cfg.rollout.prompts_per_step))
        groups = generate_and_score(prompts, step=step, engine=engine, tokenizer=tokenizer, tasks=tasks,
                                    cfg=cfg, pool=pool)
        generated += groups
        if not cfg.rollout.dynamic_sampling:
            return groups, generated
        kept += [g for g in groups if not zero_std_groups(g.rewards[None], g.scored[None])[0]]
        if not dist.any(len(kept) < per_rank):
            break
    return kept[:per_rank], generated


def _advantages(groups: list[Group], cfg: TrainConfig, dist: Dist) -> list[torch.Tensor]:
    """One [G] advantage tensor per group (0 on masked rows)."""
    scale, eps = cfg.loss.scale_rewards, cfg.loss.adv_eps
    if scale != "batch":
        return [group_advantages(g.rewards[None], g.scored[None], scale, eps)[0] for g in groups]
    # batch scale: the std of every scored reward of the batch, over all ranks
    scored = [r for rank in dist.gather([g.rewards[g.scored].tolist() for g in groups]) for grp in rank for r in grp]
    std = torch.tensor(scored).std().item() if len(scored) > 1 else 0.0
    return [group_advantages(g.rewards[None], g.scored[None], "none")[0] / (std + eps) for g in groups]


def _evaluate(step: int, model: Any, tokenizer: Any, tasks: list[Any], eval_rows: list[list[dict]],
              cfg: TrainConfig, pool: ScoringPool, dist: Dist) -> dict[str, float]:
    """Held-out accuracy per task on rank 0, by the evaluation ``rlvr eval`` runs (greedy, one
    sample per row); ``eval/accuracy`` is the tasks' mean. Writes ``RUN_DIR/eval/step_N/``."""
    out: dict[str, float] = {}
    if dist.main:
        started, t0 = time.time(), time.perf_counter()
        generator = TransformersGenerator(model, tokenizer, batch_size=cfg.eval.batch_size)
        results = []
        for task, rows in zip(tasks, eval_rows, strict=True):
            params = default_sampling(1, cfg.eval.max_new_tokens or task.generation.max_new_tokens)
            result = evaluate_task(task, generator, rows=rows, params=params, pool=pool,
                                   timeout_s=cfg.verify.timeout_s)
            results.append(result)
            m = result.metrics
            out |= {f"eval/{task.name}/accuracy": m["pass@1"], f"eval/{task.name}/reward": m["mean_reward"],
                    f"eval/{task.name}/unscored": float(m["unscored"])}
        out["eval/accuracy"] = sum(out[f"eval/{t.name}/accuracy"] for t in tasks) / len(tasks)
        out["eval_time"] = time.perf_counter() - t0
        write_results(Path(cfg.run_dir) / "eval" / f"step_{step}", results, tasks,
                      {"model": f"policy at step {step}", "batch_size": cfg.eval.batch_size}, started)
    dist.barrier()
    return out


# --- set-up helpers ---


def _rollout_engine(cfg: TrainConfig, model: Any, tokenizer: Any, dist: Dist, run_dir: Path) -> RolloutEngine:
    """``rollout.engine``: the policy samples itself (hf), or a vLLM server given its weights now."""
    if cfg.rollout.engine == "hf":
        return HfSampler(model, tokenizer, cfg.rollout)
    if dist.world > 1:
        raise ConfigError("rollout.engine=vllm runs in one process; data-parallel ranks need rollout.engine=hf")
    from .vllm_engine import VllmEngine

    engine = VllmEngine(cfg, tokenizer, run_dir / "vllm_server.log")
    try:
        engine.sync_weights(model)  # the policy may not be the model folder (a resumed run's checkpoint)
    except BaseException:
        engine.close()
        raise
    return engine


def _warm_up(pool: ScoringPool, tasks: list[Any], rows: list[list[dict]], cfg: TrainConfig) -> None:
    """Start every verifier worker and load each task's verifier into it, under a generous
    deadline: a worker's first job pays for its interpreter start and imports, which on a
    loaded machine can exceed ``verify.timeout_s`` and would mask honest rows as timeouts."""
    n = cfg.verify.workers
    for task, task_rows in zip(tasks, rows, strict=True):
        pool.map(task.verifier(), [""] * n, [task.reference(task_rows[0])] * n,
                 timeout_s=max(300.0, cfg.verify.timeout_s))


def _device(name: str, dist: Dist) -> torch.device:
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        return torch.device("cuda", dist.local_rank)
    return torch.device("cpu")


def _seed_everything(seed: int) -> None:
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _prepare_run_dir(run_dir: Path, cfg: TrainConfig, checkpoint: Path | None) -> None:
    if checkpoint is None and ((run_dir / "metrics.jsonl").exists() or (run_dir / "checkpoints").exists()):
        raise FileExistsError(f"{run_dir} already holds a run: pass --resume latest to continue it, "
                              f"or choose another run_dir (--set run_dir=...)")
    run_dir.mkdir(parents=True, exist_ok=True)
    dump_config(cfg, run_dir / "config.yaml")


# Keys a resumed run may change: how long it runs and what it reports, not what it computes
# (steps only with a constant schedule: it is the cosine schedule's horizon).
_RESUMABLE_CHANGES = {"steps", "progress", "loggers", "save_every", "keep_checkpoints", "samples_every",
                      "threads", "eval.every", "verify.workers", "verify.timeout_s", "verify.stop_failed_share",
                      "verify.warn_failed_share", "verify.url", "verify.token_file", "rollout.vllm.python",
                      "rollout.vllm.url", "rollout.vllm.port", "rollout.vllm.start_timeout_s",
                      "rollout.vllm.request_timeout_s", "rollout.vllm.max_restarts", "rollout.vllm.cpu_kvcache_gb",
                      "rollout.vllm.gpu_memory_utilization"}


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out |= _flatten(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def _check_resumed_config(run_dir: Path, cfg: TrainConfig) -> None:
    """A resumed run must compute what the run it continues computed: only the keys in
    ``_RESUMABLE_CHANGES`` may differ from the run's saved ``config.yaml``."""
    saved_path = run_dir / "config.yaml"
    if not saved_path.is_file():
        return
    saved = _flatten(load_config(saved_path).model_dump(mode="json"))
    now = _flatten(cfg.model_dump(mode="json"))
    changed = sorted(k for k in saved.keys() | now.keys()
                     if saved.get(k) != now.get(k) and k not in _RESUMABLE_CHANGES)
    cosine_horizon = cfg.optim.schedule == "cosine" and saved["steps"] != now["steps"]
    if cosine_horizon:  # steps is the cosine schedule's horizon: changing it reshapes the learning rate mid-run
        changed.append("steps")
    if changed:
        details = "\n".join(f"  {k}: {saved.get(k)!r} in the run, {now.get(k)!r} now" for k in changed)
        if cosine_horizon:
            details += "\n  (steps is the cosine schedule's horizon; only a constant-schedule run can be extended)"
        raise ConfigError(f"--resume: the config differs from the run's {saved_path} in what it computes:\n"
                          f"{details}\nResume with the run's own config: rlvr train {saved_path} --resume latest")


def _load_policy(cfg: TrainConfig, checkpoint: Path | None, device: torch.device) -> tuple[Any, Any]:
    full_weights = checkpoint / "model" if checkpoint is not None and cfg.model.lora is None else None
    model, tokenizer = load_model_and_tokenizer(str(full_weights) if full_weights else cfg.model.name,
                                                dtype=cfg.model.dtype, device=str(device))
    if cfg.model.lora is not None:
        peft = require("peft")

        if checkpoint is not None:
            model = peft.PeftModel.from_pretrained(model, checkpoint / "model", is_trainable=True)
        else:
            lc = cfg.model.lora
            model = peft.get_peft_model(model, peft.LoraConfig(
                r=lc.r, lora_alpha=lc.alpha, lora_dropout=lc.dropout, target_modules=lc.target_modules,
                task_type="CAUSAL_LM"))
    if cfg.model.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.eval()  # no dropout while sampling; the loss pass switches only for gradient checkpointing
    return model, tokenizer


def _load_reference(cfg: TrainConfig, device: torch.device) -> Any:
    ref, _ = load_model_and_tokenizer(cfg.model.name, dtype=cfg.model.dtype, device=str(device))
    ref.requires_grad_(False)
    return ref


def _load_tasks(cfg: TrainConfig) -> list[Any]:
    from rlvr.tasks import get_task

    return [get_task(e.name, **e.params) for e in cfg.tasks]


def _lr_lambda(cfg: TrainConfig) -> Any:
    total = cfg.steps * cfg.loss.num_iterations
    warmup, floor = cfg.optim.warmup_steps, cfg.optim.min_lr_ratio

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if cfg.optim.schedule == "constant":
            return 1.0
        progress = (step - warmup) / max(total - warmup, 1)
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def _log(loggers: list[Any], metrics: dict[str, float], step: int) -> dict[str, Any]:
    for logger in loggers:
        logger.log(metrics, step)
    return {"step": step} | metrics


def _write_samples(run_dir: Path, step: int, rows: list[dict[str, Any]]) -> None:
    folder = run_dir / "samples"
    folder.mkdir(exist_ok=True)
    with open(folder / f"step_{step}.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


__all__ = ["train"]
