"""Deterministic batch order that survives a resume: iteration i always gets the same examples and draws.

Epoch e visits the dataset in a permutation seeded by (seed, e); each process of a distributed run takes
every world-th entry of it; batch b of the epoch is a run of ``batch`` entries. Every entry comes with its
own seed, which the dataset uses for its random choices (augmentation, clip start), so iteration i's batch
is a pure function of (seed, i, rank) whatever happened before.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from torch.utils.data import Sampler


class BatchPlan(Sampler[list[tuple[int, int]]]):
    """Infinite batch sampler starting at global iteration ``start``; yields lists of (index, seed)."""

    def __init__(self, n: int, batch: int, seed: int = 0, start: int = 0, rank: int = 0, world: int = 1) -> None:
        if n < 1:
            raise ValueError("the dataset is empty")
        self.n, self.batch, self.seed, self.start, self.rank, self.world = n, batch, seed, start, rank, world
        per_rank = max(1, n // world)
        self.batches_per_epoch = max(1, per_rank // batch)

    def keys(self, iteration: int) -> list[tuple[int, int]]:
        epoch, b = divmod(iteration, self.batches_per_epoch)
        perm = np.random.default_rng([self.seed, epoch]).permutation(self.n)
        mine = perm[self.rank :: self.world]
        picks = [int(mine[(b * self.batch + j) % len(mine)]) for j in range(self.batch)]
        seeds = np.random.SeedSequence([self.seed, epoch, self.rank, b]).generate_state(self.batch)
        return [(i, int(s)) for i, s in zip(picks, seeds, strict=True)]

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        i = self.start
        while True:
            yield self.keys(i)
            i += 1

    def __len__(self) -> int:  # DataLoader asks; the plan is endless
        return 2**62
