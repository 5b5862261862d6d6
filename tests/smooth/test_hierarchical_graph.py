"""End to end on cora_ml: train a small GCN under hierarchical sparse noise, sample votes, certify."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from smoothcert.certify.hierarchical import bounds_from_votes, hierarchical_sparse
from smoothcert.gnn import GCN, node_votes, normalized_adjacency
from smoothcert.noises import HierarchicalSparse
from smoothcert.noises.base import ROLE_SELECT


NODES = 900  # induced subgraph on the first nodes: keeps the test to a few seconds


@pytest.fixture(scope="module")
def cora(reference_dir):
    z = np.load(reference_dir / "hierarchical" / "cora_ml.npz")
    x = torch.zeros(2810, 2879)
    x[torch.from_numpy(z["X"][0]).long(), torch.from_numpy(z["X"][1]).long()] = 1.0
    x = x[:NODES]
    x = x[:, x.sum(0) > 0].contiguous()  # drop words absent from the subgraph
    a = torch.from_numpy(z["A"]).long()
    a = a[:, (a[0] < NODES) & (a[1] < NODES)]
    return x, normalized_adjacency(a, NODES), torch.from_numpy(z["y"][:NODES])


def test_gcn_certified_on_cora_ml(cora):
    x, adj, y = cora
    torch.manual_seed(0)
    noise = HierarchicalSparse(selection_prob=0.81, p_plus=0.05, p_minus=0.8, indicator=True)
    model = GCN(adj, x.shape[1] + 1, 7, hidden=16, dropout=0.2)
    perm = torch.randperm(NODES, generator=torch.Generator().manual_seed(1))
    train, test = perm[:500], perm[500:]
    opt = torch.optim.Adam(model.parameters(), lr=0.02, weight_decay=5e-4)
    model.train()
    for step in range(40):
        noisy = noise.sample(x, 1, seed=99, sample_offset=step)[0]
        loss = torch.nn.functional.cross_entropy(model(noisy)[train], y[train])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    pre = node_votes(model, noise, x, 10, 7, batch_size=10, seed=1, role=ROLE_SELECT)
    votes = node_votes(model, noise, x, 40, 7, batch_size=10, seed=1)
    # Split sampling adds up to one-shot sampling: votes are a pure function of the sample indices.
    part = node_votes(model, noise, x, 20, 7, batch_size=7, seed=1) + \
        node_votes(model, noise, x, 20, 7, batch_size=10, seed=1, sample_offset=20)
    assert np.array_equal(part, votes)
    pred, pa, _ = bounds_from_votes(votes[test], pre[test], 0.01)
    acc = (pred == y[test].numpy()).mean()
    assert acc > 0.5, acc  # 7 classes: the largest class holds ~28% of the nodes
    ok = pa > 0
    cert0 = hierarchical_sparse(pa[ok], selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=0,
                                additions=0, deletions=0)
    cert1 = hierarchical_sparse(pa[ok], selection_prob=0.81, p_plus=0.05, p_minus=0.8, entities=1,
                                additions=0, deletions=1)
    assert cert0.sum() >= cert1.sum() and cert0.sum() > 0
