"""``rlvr eval``: evaluate a model (or completions generated elsewhere) on tasks or a suite."""

from __future__ import annotations

import contextlib
import functools
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _selection(tasks: list[str], suite: str | None, limit: int | None) -> list[tuple[Any, int | None]]:
    """[(Task, row limit)]: the suite's entries, or each --task; --limit overrides the suite's counts."""
    from rlvr.tasks import TaskError, UnknownTaskError, get_task
    from rlvr.tasks.suites import get_suite

    if bool(tasks) == bool(suite):
        raise typer.BadParameter("give --task NAME (repeatable) or --suite NAME, not both", param_hint="--task")
    try:
        if suite:
            return [(e.build(), limit or e.limit) for e in get_suite(suite).tasks]
        return [(get_task(name), limit) for name in tasks]
    except (UnknownTaskError, TaskError, LookupError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--suite" if suite else "--task") from None


def results_table(results: list[Any]) -> Table:
    table = Table(title="evaluation")
    ks = sorted({int(key.split("@")[1]) for r in results for key in r.metrics if key.startswith("pass@")})
    columns = ["task", "prompts", "samples", "mean reward"] + [f"pass@{k}" for k in ks]
    columns += [f"maj@{k}" for k in ks if k > 1] + ["clipped", "statuses"]
    for column in columns:
        table.add_column(column, justify="left" if column in ("task", "statuses") else "right",
                         no_wrap=column == "task")
    for r in results:
        m = r.metrics
        cells = [r.task, str(m["prompts"]), str(m["samples"]), f"{m['mean_reward']:.3f}"]
        cells += [f"{m[f'pass@{k}']:.3f}" if f"pass@{k}" in m else "" for k in ks]
        cells += [f"{m[f'maj@{k}']:.3f}" if f"maj@{k}" in m else "" for k in ks if k > 1]
        cells += [str(m.get("clipped", 0)), " ".join(f"{s}:{n}" for s, n in m["status"].items())]
        table.add_row(*cells)
    return table


def eval_command(
    model: Annotated[str | None, typer.Option(
        help="Model folder or hub id (default: SmolLM2-135M-Instruct); with --endpoint, the served model's name.")] = None,
    task: Annotated[list[str] | None, typer.Option("--task", help="Task name (repeatable).")] = None,
    suite: Annotated[str | None, typer.Option(help="Suite name (see `rlvr tasks ls`).")] = None,
    samples_per_prompt: Annotated[int, typer.Option("--samples-per-prompt", "-k", min=1,
                                                    help="k completions per prompt (pass@k, maj@k).")] = 1,
    limit: Annotated[int | None, typer.Option(min=1, help="Rows per task (overrides the suite's).")] = None,
    completions: Annotated[Path | None, typer.Option(
        help="Score this JSONL of {id, completion} (e.g. from `rlvr tasks export` + your generator) "
             "instead of generating; needs no model and no torch.")] = None,
    endpoint: Annotated[str | None, typer.Option(
        help="Generate on this OpenAI-compatible server (vllm serve, SGLang, llama.cpp, an API) instead of "
             "loading the model: its base URL, e.g. http://127.0.0.1:8000/v1.")] = None,
    api_key_env: Annotated[str, typer.Option(
        help="Environment variable holding the --endpoint's API key (sent when set).")] = "OPENAI_API_KEY",
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight to --endpoint.")] = 16,
    max_new_tokens: Annotated[int | None, typer.Option(min=1, help="Default: each task's hint.")] = None,
    temperature: Annotated[float | None, typer.Option(help="Default: 0 (greedy) for k=1, else 0.6.")] = None,
    top_p: Annotated[float | None, typer.Option(help="Default: 1.0 for k=1, else 0.95.")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    batch_size: Annotated[int, typer.Option(min=1, help="Sequences per generate call.")] = 16,
    device: Annotated[str, typer.Option(help="cpu, cuda, or auto.")] = "auto",
    dtype: Annotated[str, typer.Option(help="float32 or bfloat16.")] = "float32",
    out: Annotated[Path, typer.Option(help="Folder for results_*.json and samples_*.jsonl.")] = Path("eval_results"),
    timeout_s: Annotated[float, typer.Option(help="Verifier deadline per completion.")] = 10.0,
    workers: Annotated[int, typer.Option(min=1, help="Verifier worker processes.")] = 2,
    verifier_url: Annotated[str | None, typer.Option(
        help="Score on `rlvr serve` replica(s) (comma-separated URLs) instead of local workers.")] = None,
    verifier_token_file: Annotated[Path | None, typer.Option(help="Bearer token file for --verifier-url.")] = None,
) -> None:
    """Evaluate a model on tasks: mean reward, pass@1, pass@k, maj@k, counts by status.

    Writes results_<timestamp>.json (lm-eval shaped: metrics, task configs, run config,
    package versions, git sha) and samples_<task>_<timestamp>.jsonl, and prints a table.
    """
    from rlvr.evals.completions import read_completions
    from rlvr.evals.endpoint_generator import EndpointError
    from rlvr.evals.evaluate import default_sampling, report_ks, score_rows
    from rlvr.evals.results import write_results
    from rlvr.tasks.sources import SourceUnavailableError
    from rlvr.trainer.models import ModelNotAvailableError
    from rlvr.verifiers import VerifierPoolBroken
    from rlvr.verifiers.remote import open_pool

    started = time.time()
    selection = _selection(task or [], suite, limit)
    if endpoint and completions is not None:
        raise typer.BadParameter("give --endpoint or --completions, not both", param_hint="--endpoint")
    if endpoint and not model:
        raise typer.BadParameter("--endpoint needs --model: the name the server serves", param_hint="--model")
    run_config: dict[str, Any] = {"model": model, "suite": suite, "tasks": [t.name for t, _ in selection],
                                  "samples_per_prompt": samples_per_prompt, "limit": limit, "seed": seed,
                                  "completions": str(completions) if completions else None}
    results = []
    try:
        with contextlib.closing(open_pool(verifier_url, token_file=verifier_token_file, workers=workers)) as pool:
            if completions is not None:
                if not completions.is_file():
                    raise typer.BadParameter(f"{completions} does not exist", param_hint="--completions")
                for t, n in selection:
                    try:
                        rows, comps = read_completions(completions, t, limit=n)
                    except ValueError as exc:
                        raise typer.BadParameter(str(exc), param_hint="--completions") from None
                    result = score_rows(t, rows, comps, pool=pool, timeout_s=timeout_s,
                                        ks=report_ks(len(comps[0])))
                    result.config = {"completions": str(completions), "limit": n}
                    results.append(result)
            else:
                def sampling(t: Any) -> Any:
                    return default_sampling(samples_per_prompt, max_new_tokens or t.generation.max_new_tokens,
                                            temperature=temperature, top_p=top_p, seed=seed)

                if endpoint:
                    generator = _endpoint_generator(endpoint, model, api_key_env, concurrency, run_config)
                else:
                    generator = _load_generator(model, device, dtype, batch_size, run_config)
                with contextlib.closing(generator) if endpoint else contextlib.nullcontext():
                    results = _generate_and_score(selection, generator, sampling, pool, timeout_s)
    except (SourceUnavailableError, ModelNotAvailableError, VerifierPoolBroken, EndpointError) as exc:  # the cause, no traceback
        err.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    results_path, sample_paths = write_results(out, results, [t for t, _ in selection], run_config, started)
    console.print(results_table(results))
    err.print(f"results: {results_path}")
    for path in sample_paths:
        err.print(f"samples: {path}")
    err.print(f"wall time: {time.time() - started:.1f} s")


def _load_generator(model: str | None, device: str, dtype: str, batch_size: int, run_config: dict) -> Any:
    from rlvr.trainer.extras import require
    from rlvr.trainer.models import DEFAULT_MODEL, load_model_and_tokenizer

    torch = require("torch")
    from rlvr.evals.transformers_generator import TransformersGenerator

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    run_config |= {"model": model or DEFAULT_MODEL, "device": device, "dtype": dtype, "batch_size": batch_size}
    err.print(f"loading {model or DEFAULT_MODEL} on {device}")
    lm, tokenizer = load_model_and_tokenizer(model, dtype=dtype, device=device)
    return TransformersGenerator(lm, tokenizer, batch_size=batch_size)


def _endpoint_generator(url: str, model: str | None, api_key_env: str, concurrency: int,
                        run_config: dict) -> Any:
    import os

    from rlvr.evals.endpoint_generator import EndpointGenerator

    run_config |= {"endpoint": url, "concurrency": concurrency}  # never the key
    err.print(f"generating on {url} ({model})")
    return EndpointGenerator(url, str(model), api_key=os.environ.get(api_key_env) or None, concurrency=concurrency)


def _generate_and_score(selection: list[tuple[Any, int | None]], generator: Any, sampling: Any, pool: Any,
                        timeout_s: float) -> list[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rlvr.evals.evaluate import evaluate_task

    results = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as bar:
        for task, n in selection:
            rows = task.load(split=task.eval_split, limit=n)
            bar_id = bar.add_task(task.name, total=len(rows))
            params = sampling(task)
            results.append(evaluate_task(
                task, generator, rows=rows, params=params, pool=pool, timeout_s=timeout_s,
                progress=functools.partial(bar.advance, bar_id)))
    return results


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
