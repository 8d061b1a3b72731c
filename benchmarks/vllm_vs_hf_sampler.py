"""Rollout generation: the trainer's group sampler (``trainer/sampling.py``) against vLLM, one run.

    flock /work/locks/bench.lock python benchmarks/vllm_vs_hf_sampler.py           # G = 8, 16, 64
    python benchmarks/vllm_vs_hf_sampler.py --group-sizes 8 --repeats 1 --vllm-dtype bfloat16

Same model (the default), same arithmetic train prompts, B prompts x G completions per batch
(the trainer's step: ``rollout.prompts_per_step`` x ``rollout.group_size``), at most 64 new
tokens, temperature 1, top_p 1, a seed per prompt. The two sides alternate batch by batch
(hf, vLLM, hf, vLLM, ...) so that load from other processes hits both alike:

- ``hf``: ``sample_groups`` in this process, fp32, 1 torch thread (the trainer's default);
- ``vLLM``: ``vllm serve`` from the vLLM venv (``scripts/setup.sh --vllm``) in ``--vllm-dtype``,
  reached through ``EndpointGenerator`` (one chat request per completion, all B x G in flight):
  what ``rlvr eval --endpoint`` does, HTTP and detokenisation included. On CPU vLLM binds its
  model worker to one core and keeps the other for its server processes.

Reported per G: seconds per batch (mean over ``--repeats`` batches), generated tokens per second
(completion tokens, EOS included, over the summed seconds), mean completion length, and mean
reward under the task's verifier (both sample the same distribution, so rewards should agree
within noise), then the hf/vLLM ratio of seconds per batch. vLLM's start-up is printed apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--group-sizes", type=int, nargs="+", default=[8, 16, 64])
    parser.add_argument("--prompts", type=int, default=4, help="prompts per batch (B)")
    parser.add_argument("--repeats", type=int, default=2, help="batches per G and side")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--vllm-dtype", default="float32")
    parser.add_argument("--vllm-python", default=os.environ.get(
        "RLVR_VLLM_PYTHON", str(Path(os.environ.get("RLVR_VLLM_VENV", ROOT / ".venv-vllm")) / "bin" / "python")))
    args = parser.parse_args(argv)

    import torch

    from rlvr.evals.endpoint_generator import EndpointGenerator
    from rlvr.evals.generation import SamplingParams
    from rlvr.evals.vllm_serve import VllmServe
    from rlvr.tasks import get_task
    from rlvr.trainer.models import load_model_and_tokenizer, resolve_model
    from rlvr.trainer.sampling import sample_groups

    torch.set_num_threads(1)
    model, tok = load_model_and_tokenizer()
    task = get_task("arithmetic")
    verifier = task.verifier()
    rows = task.load(split="train", limit=args.prompts * args.repeats * len(args.group_sizes))

    def hf(batch: list[dict], G: int, seed: int) -> list[list[tuple[str, int]]]:
        texts = [tok.apply_chat_template(task.build_messages(r), tokenize=False, add_generation_prompt=True)
                 for r in batch]
        prompts = [tok(t, add_special_tokens=False, return_tensors="pt").input_ids[0] for t in texts]
        groups = sample_groups(model, prompts, group_size=G, max_new_tokens=args.max_new_tokens, temperature=1.0,
                               top_p=1.0, seeds=[seed + i for i in range(len(batch))], eos_id=tok.eos_token_id,
                               pad_id=tok.pad_token_id)
        return [[(tok.decode(ids[m], skip_special_tokens=True), int(m.sum()))
                 for ids, m in zip(g.completion_ids, g.completion_mask, strict=True)] for g in groups]

    server = VllmServe(args.vllm_python, resolve_model(None), served_name="bench", dtype=args.vllm_dtype)
    print(f"starting vLLM ({args.vllm_dtype}) from {args.vllm_python} ...", file=sys.stderr)
    with server:
        print(f"vLLM start-up: {server.start_s:.1f} s (log {server.log})")
        client = EndpointGenerator(server.url, server.model, concurrency=args.prompts * max(args.group_sizes),
                                   extra_body={"return_token_ids": True})

        def vllm(batch: list[dict], G: int, seed: int) -> list[list[tuple[str, int]]]:
            params = SamplingParams(n=G, max_new_tokens=args.max_new_tokens, temperature=1.0, top_p=1.0, seed=seed)
            out = client.generate([task.build_messages(r) for r in batch], params)
            return [[(c.text, len(c.token_ids)) for c in cs] for cs in out]

        vllm(rows[: args.prompts], 8, 0)  # one warm-up batch: the first requests pay for lazy set-up
        print(f"{args.prompts} prompts x G, {args.max_new_tokens} new tokens max, temperature 1, top_p 1; "
              f"torch {torch.__version__}; load average at start {os.getloadavg()[0]:.1f}")
        print("\n| G | sampler | seconds / batch | tokens/s | mean tokens | mean reward | hf / vLLM seconds |\n"
              "|---|---|---|---|---|---|---|")
        sides = {"hf sample_groups (fp32, 1 thread)": hf, f"vLLM serve ({args.vllm_dtype})": vllm}
        next_row = 0
        for G in args.group_sizes:
            stats: dict[str, tuple[list[float], list[int], list[float]]] = {s: ([], [], []) for s in sides}
            for r in range(args.repeats):
                batch = rows[next_row : next_row + args.prompts]
                next_row += args.prompts
                for name, fn in sides.items():  # interleaved: hf then vLLM on the same prompts and seeds
                    start = time.perf_counter()
                    groups = fn(batch, G, 1000 * r)
                    stats[name][0].append(time.perf_counter() - start)
                    for row, group in zip(batch, groups, strict=True):
                        stats[name][1].extend(n for _, n in group)
                        stats[name][2].extend(verifier(text, task.reference(row)).value for text, _ in group)
            seconds = {name: statistics.fmean(s[0]) for name, s in stats.items()}
            hf_s, vllm_s = seconds.values()
            for name, (times, tokens, rewards) in stats.items():
                ratio = f"{hf_s / vllm_s:.2f}x" if name.startswith("vLLM") else ""
                print(f"| {G} | {name} | {seconds[name]:.2f} | {sum(tokens) / sum(times):.1f} | "
                      f"{statistics.fmean(tokens):.1f} | {statistics.fmean(rewards):.3f} | {ratio} |", flush=True)
        client.close()
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
