"""Data-parallel plumbing for ``torchrun``: one process per device, gradients summed.

Launched by torchrun (``RANK``/``WORLD_SIZE`` set), ``Dist.from_env()`` joins the
process group: gloo on CPU, NCCL on CUDA (each rank on ``cuda:LOCAL_RANK``).
Launched plainly, it is a world of one and every collective is a no-op.

Gradients are all-reduced by hand (a SUM) instead of through the
DistributedDataParallel wrapper: the loss of each micro-batch is already divided
by batch-wide totals (see ``grpo.aggregate``), so summing the ranks' gradients
gives exactly the single-process gradient of the whole batch, and the model keeps
its plain ``save_pretrained`` / ``generate`` interface.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    nccl: bool = False  # NCCL reduces CUDA tensors only

    @classmethod
    def from_env(cls, device: str) -> Dist:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world == 1:
            return cls()
        rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
        if use_cuda:
            torch.cuda.set_device(local_rank)
        if not dist.is_initialized():
            dist.init_process_group("nccl" if use_cuda else "gloo")
        return cls(rank, world, local_rank, nccl=use_cuda)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def shard(self, items: list[Any]) -> list[Any]:
        """This rank's contiguous share of ``items`` (the batch must divide by the world size)."""
        if len(items) % self.world:
            raise ValueError(f"rollout.prompts_per_step={len(items)} must divide by the {self.world} ranks")
        per = len(items) // self.world
        return items[self.rank * per : (self.rank + 1) * per]

    def sum_(self, tensor: torch.Tensor) -> torch.Tensor:
        """All-reduce (SUM) in place; returns ``tensor``."""
        if self.world > 1:
            moved = tensor.cuda() if self.nccl else tensor
            dist.all_reduce(moved, op=dist.ReduceOp.SUM)
            tensor.copy_(moved)
        return tensor

    def sum_gradients(self, params: list[torch.nn.Parameter]) -> None:
        if self.world == 1:
            return
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flat = torch.cat([g.reshape(-1) for g in grads])  # one collective, not one per tensor
        dist.all_reduce(flat, op=dist.ReduceOp.SUM)
        offset = 0
        for p, g in zip(params, grads, strict=True):
            p.grad = flat[offset : offset + g.numel()].view_as(p).clone()
            offset += g.numel()

    def gather(self, obj: Any) -> list[Any]:
        """Every rank's ``obj``, in rank order (small Python objects: metrics, samples)."""
        if self.world == 1:
            return [obj]
        out: list[Any] = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def any(self, flag: bool) -> bool:
        return bool(self.sum_(torch.tensor([float(flag)])).item() > 0) if self.world > 1 else flag

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()

    def close(self) -> None:
        if self.world > 1 and dist.is_initialized():
            dist.destroy_process_group()
