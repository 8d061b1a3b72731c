"""The GRPO training loop, readable top to bottom.

Python API (what ``rlvr train`` and the benchmarks call)::

    from rlvr.trainer.config import TrainConfig, load_config
    from rlvr.trainer.train_loop import train
    cfg = load_config(None, ["steps=10", "run_dir=runs/x"])   # or load_config("my.yaml"), TrainConfig(...)
    run_dir = train(cfg)                    # -> pathlib.Path of the run directory
    run_dir = train(cfg, resume="latest")   # continue from the newest complete checkpoint

``train(cfg, tasks=[...])`` takes Task objects directly instead of ``cfg.tasks``
names (anything with the ``rlvr.tasks.Task`` interface).

The run directory holds ``config.yaml`` (resolved), ``metrics.jsonl`` (one row
per step with TRL's metric names; ``eval/*`` at step 0 and at eval steps),
``samples/step_N.jsonl`` (prompt, completion, score, advantage per row) and
``checkpoints/step_N/``.

One step: take B prompts (the data cursor), sample G completions each in one
decode loop (``sampling``; each prompt prefilled once), score them in the
verifier process pool (with ``rollout.generation_groups`` set, chunk k is scored
while chunk k+1 generates), compute group advantages, then mu optimizer steps on that batch, one group per
forward/backward (its prompt computed once, see ``policy_logprobs``), gradients
accumulated over groups and summed over data-parallel ranks.

Departures from the paper and from TRL, on purpose:
- Rows whose verification timed out or hit an infra error are masked out of
  the loss (and counted), never scored 0.
- With beta = 0, rows whose advantage is exactly 0 (every row of a
  zero-variance group) skip the forward pass: they add exactly 0 to the loss
  and its gradient, but still count in the loss normalisers, as in TRL. The
  ``entropy`` metric is therefore over the rows trained on.
- Sampling is seeded per (seed, step, prompt slot): results do not depend on
  how the batch is split over ranks, and a resumed run samples what the
  uninterrupted run sampled.
"""

from __future__ import annotations

import json
import math
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import torch

from rlvr.verifiers import ScoringPool
from rlvr.verifiers.remote import open_pool

from .checkpoint import load_training_state, resolve_resume, save_checkpoint
from .config import ConfigError, TrainConfig, dump_config, load_config
from .distributed import Dist
from .extras import require
from .grpo import aggregate, clipped_surrogate, group_advantages, k3_kl, zero_std_groups
from .models import load_model_and_tokenizer
from .policy_logprobs import completion_logprobs
from .rollouts import Group, PromptSampler, generate_and_score, held_out_accuracy
from .run_metrics import StepProgress, open_loggers, rollout_metrics, sample_rows


def train(cfg: TrainConfig, *, resume: str | None = None, tasks: list[Any] | None = None) -> Path:
    ddp = Dist.from_env(cfg.device)
    device = _device(cfg.device, ddp)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    run_dir = Path(cfg.run_dir)
    checkpoint = resolve_resume(run_dir, resume) if resume else None
    if checkpoint is not None:
        _check_resumed_config(run_dir, cfg)
    if ddp.main:
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
    sampler = PromptSampler([t.load(split="train", limit=e.train_rows) for t, e in zip(tasks, _entries(cfg, tasks), strict=True)],
                            [e.weight for e in _entries(cfg, tasks)], cfg.seed)
    eval_rows = [t.load(split=t.eval_split, limit=cfg.eval.limit) for t in tasks] if cfg.eval.limit else []

    start = 0
    if checkpoint is not None:
        state = load_training_state(checkpoint, optimizer=optimizer, scheduler=scheduler)
        sampler.load_state_dict(state["sampler"])
        start = state["step"]

    loggers = open_loggers(run_dir, cfg.loggers, resumed_at=start if checkpoint else None) if ddp.main else []
    pool = open_pool(cfg.verify.url, token_file=cfg.verify.token_file, workers=cfg.verify.workers)
    _warm_up(pool, tasks, sampler.rows, cfg)
    progress = StepProgress(cfg.steps, start, enabled=ddp.main and cfg.progress)
    try:
        if start == 0 and eval_rows:
            _log(loggers, _evaluate(model, tokenizer, tasks, eval_rows, cfg, pool, device, ddp), 0)

        for step in range(start + 1, cfg.steps + 1):
            t0 = time.perf_counter()
            # 1. rollouts: prompts, G completions each, scores
            groups, generated = _collect_groups(step, sampler, model, tokenizer, tasks, cfg, pool, ddp)
            t_rollout = time.perf_counter() - t0
            # 2. advantages
            _set_advantages(groups, cfg, ddp)
            # 3. mu optimizer steps on this batch
            train_stats = _optimise(model, ref_model, groups, cfg, optimizer, scheduler, params, ddp)
            # 4. metrics, samples, eval, checkpoint
            metrics = rollout_metrics(ddp.gather([_group_summary(g) for g in generated]), tasks)
            metrics |= train_stats
            metrics |= {"step_time": time.perf_counter() - t0, "rollout_time": t_rollout,
                        "learning_rate": scheduler.get_last_lr()[0]}
            samples = ddp.gather(sample_rows(step, groups, tasks))
            if cfg.eval.every and step % cfg.eval.every == 0 and step != cfg.steps and eval_rows:
                metrics |= _evaluate(model, tokenizer, tasks, eval_rows, cfg, pool, device, ddp)
            if step == cfg.steps and eval_rows:
                metrics |= _evaluate(model, tokenizer, tasks, eval_rows, cfg, pool, device, ddp)
            if ddp.main:
                _log(loggers, metrics, step)
                if cfg.samples_every and step % cfg.samples_every == 0:
                    _write_samples(run_dir, step, [row for rank_rows in samples for row in rank_rows])
                progress.update(step, metrics)
            if step == cfg.steps or (cfg.save_every and step % cfg.save_every == 0):
                if ddp.main:
                    save_checkpoint(run_dir, step, model=model, tokenizer=tokenizer, optimizer=optimizer,
                                    scheduler=scheduler, trainer_state={"sampler": sampler.state_dict()},
                                    keep=cfg.keep_checkpoints)
                ddp.barrier()
    finally:
        progress.close()
        pool.close()
        for logger in loggers:
            logger.close()
        ddp.close()
    return run_dir


# --- one step, in order ---


def _collect_groups(step: int, sampler: PromptSampler, model: Any, tokenizer: Any, tasks: list[Any],
                    cfg: TrainConfig, pool: ScoringPool, ddp: Dist
                    ) -> tuple[list[Group], list[Group]]:
    """-> (groups to train on, every group generated this step). Dynamic sampling drops
    zero-variance groups and draws new prompts, at most ``max_resample_rounds`` times;
    all ranks draw the same number of rounds so that the data cursor stays in step."""
    per_rank = cfg.rollout.prompts_per_step // ddp.world
    kept: list[Group] = []
    generated: list[Group] = []
    rounds = 1 + (cfg.rollout.max_resample_rounds if cfg.rollout.dynamic_sampling else 0)
    for _ in range(rounds):
        prompts = ddp.shard(sampler.take(cfg.rollout.prompts_per_step))
        groups = generate_and_score(prompts, step=step, model=model, tokenizer=tokenizer, tasks=tasks,
                                    cfg=cfg, pool=pool)
        generated += groups
        if not cfg.rollout.dynamic_sampling:
            return groups, generated
        kept += [g for g in groups if not zero_std_groups(g.rewards[None], g.scored[None])[0]]
        if not ddp.any(len(kept) < per_rank):
            break
    return kept[:per_rank], generated


def _set_advantages(groups: list[Group], cfg: TrainConfig, ddp: Dist) -> None:
    scale, eps = cfg.loss.scale_rewards, cfg.loss.adv_eps
    if scale != "batch":
        for g in groups:
            g.advantages = group_advantages(g.rewards[None], g.scored[None], scale, eps)[0]
        return
    # batch scale: the std of every scored reward of the batch, over all ranks
    scored = [r for rank in ddp.gather([g.rewards[g.scored].tolist() for g in groups]) for grp in rank for r in grp]
    std = torch.tensor(scored).std().item() if len(scored) > 1 else 0.0
    for g in groups:
        g.advantages = group_advantages(g.rewards[None], g.scored[None], "none")[0] / (std + eps)


def _optimise(model: Any, ref_model: Any, groups: list[Group], cfg: TrainConfig, optimizer: Any,
              scheduler: Any, params: list[torch.nn.Parameter], ddp: Dist) -> dict[str, float]:
    L = cfg.loss
    device = next(model.parameters()).device
    # the loss is normalised by batch-wide totals (all groups, all ranks): see grpo.aggregate
    rows = sum(int((g.scored & g.completion_mask.any(1)).sum()) for g in groups)
    tokens = sum(int(g.completion_mask[g.scored].sum()) for g in groups)
    totals = ddp.sum_(torch.tensor([float(rows), float(tokens)]))
    norm = {"total_rows": int(totals[0]), "total_tokens": int(totals[1]),
            "max_completion_length": cfg.rollout.max_new_tokens}

    batches = []  # (group, rows to train on) with the group's tensors cut to those rows
    for g in groups:
        keep = g.scored & ((g.advantages != 0) | (L.beta > 0))
        if keep.any():
            mask = g.completion_mask[keep]
            width = int(mask.sum(1).max())
            batches.append((g.prompt_ids.to(device), g.completion_ids[keep][:, :width].to(device),
                            mask[:, :width].to(device), g.advantages[keep].to(device)))

    def logprobs(net: Any, b: tuple) -> tuple[torch.Tensor, torch.Tensor]:
        with _autocast(cfg, device):
            return completion_logprobs(net, b[0], b[1], b[2], shared_prefix=not cfg.model.gradient_checkpointing)

    with torch.no_grad():  # old policy only when it differs from the current one (mu > 1)
        old = [logprobs(model, b)[0] for b in batches] if L.num_iterations > 1 else None
        ref = [logprobs(ref_model, b)[0] for b in batches] if ref_model is not None else None

    sums = torch.zeros(7)  # loss, entropy, kl, clip low, clip high, clip region, tokens
    grad_norm = 0.0
    if cfg.model.gradient_checkpointing:
        model.train()  # transformers checkpoints layers in train mode only
    for _ in range(L.num_iterations):
        optimizer.zero_grad(set_to_none=False)
        for i, b in enumerate(batches):
            logp, entropy = logprobs(model, b)
            old_logp = old[i] if old is not None else logp.detach()
            per_token, clips = clipped_surrogate(logp, old_logp, b[3], b[2], L.epsilon_low, L.epsilon_high)
            kl = k3_kl(logp, ref[i]) if ref is not None else torch.zeros_like(logp)
            loss = aggregate(per_token + L.beta * kl, b[2], L.type, **norm)
            loss.backward()
            m = b[2].float()
            sums += torch.stack([loss.detach().cpu(), (entropy * m).sum().cpu(), (kl.detach() * m).sum().cpu(),
                                 clips["low"].cpu(), clips["high"].cpu(), clips["region"].cpu(), m.sum().cpu()])
        for p in params:  # every rank and every step updates the same tensors, even with no gradient
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        ddp.sum_gradients(params)
        grad_norm = float(torch.nn.utils.clip_grad_norm_(params, cfg.optim.max_grad_norm or math.inf))
        optimizer.step()
        scheduler.step()
    model.eval()
    sums = ddp.sum_(sums)
    n_tok = max(float(sums[6]), 1.0)
    out = {"loss": float(sums[0]) / L.num_iterations, "entropy": float(sums[1]) / n_tok,
           "clip_ratio/low_mean": float(sums[3]) / n_tok, "clip_ratio/high_mean": float(sums[4]) / n_tok,
           "clip_ratio/region_mean": float(sums[5]) / n_tok, "grad_norm": grad_norm,
           "train/tokens": float(sums[6]) / L.num_iterations}
    if ref is not None:
        out["kl"] = float(sums[2]) / n_tok
    return out


def _evaluate(model: Any, tokenizer: Any, tasks: list[Any], eval_rows: list[list[dict]], cfg: TrainConfig,
              pool: ScoringPool, device: torch.device, ddp: Dist) -> dict[str, float]:
    """Held-out accuracy per task (greedy), on rank 0; ``eval/accuracy`` is their mean."""
    out: dict[str, float] = {}
    if ddp.main:
        for task, rows in zip(tasks, eval_rows, strict=True):
            result = held_out_accuracy(model, tokenizer, task, rows, batch_size=cfg.eval.batch_size,
                                       max_new_tokens=cfg.eval.max_new_tokens or cfg.rollout.max_new_tokens,
                                       pool=pool, timeout_s=cfg.verify.timeout_s, device=device)
            out |= {f"eval/{task.name}/{k}": v for k, v in result.items()}
        out["eval/accuracy"] = sum(out[f"eval/{t.name}/accuracy"] for t in tasks) / len(tasks)
    ddp.barrier()
    return out


# --- set-up helpers ---


def _warm_up(pool: ScoringPool, tasks: list[Any], rows: list[list[dict]], cfg: TrainConfig) -> None:
    """Start every verifier worker and load each task's verifier into it, under a generous
    deadline: a worker's first job pays for its interpreter start and imports, which on a
    loaded machine can exceed ``verify.timeout_s`` and would mask honest rows as timeouts."""
    n = cfg.verify.workers
    for task, task_rows in zip(tasks, rows, strict=True):
        pool.map(task.verifier(), [""] * n, [task.reference(task_rows[0])] * n,
                 timeout_s=max(300.0, cfg.verify.timeout_s))


def _device(name: str, ddp: Dist) -> torch.device:
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        return torch.device("cuda", ddp.local_rank)
    return torch.device("cpu")


def _autocast(cfg: TrainConfig, device: torch.device) -> Any:
    if device.type == "cuda" and cfg.bf16_autocast:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()


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


# Keys a resumed run may change: how long it runs and what it reports, not what it computes.
_RESUMABLE_CHANGES = {"steps", "progress", "loggers", "save_every", "keep_checkpoints", "samples_every",
                      "threads", "eval.every", "verify.workers", "verify.timeout_s",
                      "verify.url", "verify.token_file"}


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
    if changed:
        details = "\n".join(f"  {k}: {saved.get(k)!r} in the run, {now.get(k)!r} now" for k in changed)
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


def _entries(cfg: TrainConfig, tasks: list[Any]) -> list[Any]:
    """The config entries (weights, row counts) matching ``tasks``; defaults for tasks passed in."""
    if len(cfg.tasks) == len(tasks):
        return list(cfg.tasks)
    return [type(cfg.tasks[0])(name=t.name) for t in tasks]


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


def _group_summary(g: Group) -> dict[str, Any]:
    return {"task": g.prompt.task_index, "scores": [s.model_dump(mode="json") for s in g.scores],
            "lengths": g.completion_mask.sum(1).tolist(), "clipped": g.clipped}


def _log(loggers: list[Any], metrics: dict[str, float], step: int) -> None:
    for logger in loggers:
        logger.log(metrics, step)


def _write_samples(run_dir: Path, step: int, rows: list[dict[str, Any]]) -> None:
    folder = run_dir / "samples"
    folder.mkdir(exist_ok=True)
    with open(folder / f"step_{step}.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


__all__ = ["train"]
