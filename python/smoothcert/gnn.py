"""A small graph convolutional network in plain torch and node-level smoothing helpers.

GCN: Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017:
H' = relu(A_hat H W) with A_hat = D^-1/2 (A + I) D^-1/2. Node classification smooths the whole graph at
once: every noisy copy of the feature matrix yields one vote per node.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from smoothcert.noises.base import ROLE_ESTIMATE, Noise

__all__ = ["normalized_adjacency", "GCN", "node_votes"]


def normalized_adjacency(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Sparse A_hat = D^-1/2 (A + I) D^-1/2 from an edge list [2, E] (both directions listed)."""
    if edge_index.dim() != 2 or edge_index.shape[0] != 2:
        raise ValueError("edge_index must have shape [2, edges]")
    loops = torch.arange(num_nodes, dtype=edge_index.dtype)
    idx = torch.cat([edge_index, torch.stack([loops, loops])], dim=1)
    vals = torch.ones(idx.shape[1])
    a = torch.sparse_coo_tensor(idx, vals, (num_nodes, num_nodes), check_invariants=True).coalesce()
    deg = torch.sparse.sum(a, dim=1).to_dense()
    dinv = deg.pow(-0.5)
    i = a.indices()
    return torch.sparse_coo_tensor(i, a.values() * dinv[i[0]] * dinv[i[1]], a.shape,
                                   check_invariants=True).coalesce()


class GCN(nn.Module):
    """Two-layer GCN on a fixed graph; input [N, F] or a batch of noisy copies [S, N, F] -> logits."""

    def __init__(self, adjacency: torch.Tensor, in_features: int, num_classes: int, hidden: int = 32,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.register_buffer("adjacency", adjacency)
        self.lin1 = nn.Linear(in_features, hidden)
        self.lin2 = nn.Linear(hidden, num_classes)
        self.dropout = nn.Dropout(dropout)

    def _propagate(self, h: torch.Tensor) -> torch.Tensor:
        if h.dim() == 2:
            return torch.sparse.mm(self.adjacency, h)
        s, n, f = h.shape
        # A_hat (H_1 | ... | H_S): one sparse product for the whole batch.
        flat = h.permute(1, 0, 2).reshape(n, s * f)
        return torch.sparse.mm(self.adjacency, flat).reshape(n, s, f).permute(1, 0, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self._propagate(self.lin1(self.dropout(x))))
        return self._propagate(self.lin2(self.dropout(h)))


@torch.no_grad()
def node_votes(model: nn.Module, noise: Noise, x: torch.Tensor, num: int, num_classes: int, *,
               batch_size: int = 16, seed: int = 0, index: int = 0, role: int = ROLE_ESTIMATE,
               sample_offset: int = 0) -> np.ndarray:
    """Votes [N, C]: class counts per node over ``num`` noisy copies of the feature matrix ``x`` [N, F].

    The graph is input number ``index``; copies ``sample_offset .. sample_offset + num - 1`` are drawn,
    so votes split over calls add up to the votes of one call.
    """
    if num < 0 or batch_size < 1:
        raise ValueError("num must be >= 0 and batch_size >= 1")
    votes = torch.zeros(x.shape[0], num_classes, dtype=torch.int64)
    done = 0
    while done < num:
        m = min(batch_size, num - done)
        noisy = noise.sample(x, m, seed=seed, index=index, sample_offset=sample_offset + done, role=role)
        pred = model(noisy).argmax(-1)  # [m, N]
        votes += nn.functional.one_hot(pred, num_classes).sum(0)
        done += m
    return votes.numpy()
