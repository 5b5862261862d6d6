"""Sharding a run over processes: torchrun (torch.distributed) or SLURM job arrays.

Each shard takes a strided subset of the input indices (``indices[rank::world]``) and writes its
own part file. Because the noise is a pure function of (seed, input index, sample index), a
sharded run produces exactly the rows of an unsharded one; merging sorts them by index. Under
torchrun, rank 0 merges after a barrier; SLURM array parts are merged with ``smoothcert merge``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TypeVar

import torch.distributed as dist

from smoothcert.results import COLUMNS

__all__ = ["Shard", "current_shard", "part_path", "merge_results", "barrier", "finish"]

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    rank: int
    world: int
    launcher: str  # "single", "torchrun" or "slurm"

    def take(self, items: Sequence[T]) -> list[T]:
        return list(items[self.rank::self.world])


def current_shard() -> Shard:
    """The shard of this process, from torchrun's or SLURM's environment variables."""
    env = os.environ
    if "WORLD_SIZE" in env and "RANK" in env and int(env["WORLD_SIZE"]) > 1:
        shard = Shard(int(env["RANK"]), int(env["WORLD_SIZE"]), "torchrun")
        if not dist.is_initialized():
            dist.init_process_group(backend="gloo")
        return shard
    if "SLURM_ARRAY_TASK_ID" in env and "SLURM_ARRAY_TASK_COUNT" in env:
        first = int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
        return Shard(int(env["SLURM_ARRAY_TASK_ID"]) - first, int(env["SLURM_ARRAY_TASK_COUNT"]), "slurm")
    return Shard(0, 1, "single")


def part_path(out: Path, shard: Shard) -> Path:
    if shard.world == 1:
        return out
    return out.with_name(f"{out.name}.part{shard.rank}of{shard.world}")


def barrier(shard: Shard) -> None:
    if shard.launcher == "torchrun":
        dist.barrier()


def merge_results(parts: Sequence[Path], out: Path) -> int:
    """Merge results TSV parts (same header) into ``out``, rows sorted by idx; returns the row count."""
    if not parts:
        raise ValueError("no parts to merge")
    header: str | None = None
    rows: dict[int, str] = {}
    for part in parts:
        lines = Path(part).read_text(encoding="utf-8").split("\n")
        if header is None:
            header = lines[0]
            if tuple(header.split("\t")[:len(COLUMNS)]) != COLUMNS:
                raise ValueError(f"{part} is not a results TSV")
        elif lines[0] != header:
            raise ValueError(f"{part} has a different header than {parts[0]}")
        for ln in lines[1:-1]:
            if not ln:
                continue
            idx = int(ln.split("\t", 1)[0])
            if idx in rows and rows[idx] != ln:
                raise ValueError(f"input {idx} appears in two parts with different results")
            rows[idx] = ln
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(header + "\n" + "".join(rows[i] + "\n" for i in sorted(rows)), encoding="utf-8")
    tmp.replace(out)
    return len(rows)


def finish(out: Path, shard: Shard) -> bool:
    """End of a sharded run: under torchrun rank 0 merges all parts. True if ``out`` is complete."""
    if shard.world == 1:
        return True
    if shard.launcher != "torchrun":
        return False
    barrier(shard)
    done = False
    if shard.rank == 0:
        merge_results([part_path(out, Shard(r, shard.world, shard.launcher)) for r in range(shard.world)], out)
        done = True
    barrier(shard)
    return done
