#!/usr/bin/env python3
"""PyTorch-eager reference for how a supernet's weights learn under different weight-step schemes,
on the same FBNet supernet as hwnas (ops from pytorch_step.py, one module per candidate op) and real
Fashion-MNIST. Prints the training loss and accuracy of every 50-step window.

  --mode fixed:OP      one op in every layer (a plain network)
  --mode single-path   one op per layer drawn uniformly at random each step (hwnas "single-path")
  --mode layers:1,2    single-path in those layers only, k3_e3 elsewhere
  --mode soft          the Gumbel-softmax mixture of all ops at tau 5 (hwnas "soft", FBNet)

Usage (Debian's python3-torch):
  /usr/bin/python3 tools/bench/supernet_probe.py --mode single-path [--steps 187] [--lr 0.1]
      [--space supernet/src/main/resources/io/hwnas/spaces/fbnet-fmnist-tiny.json]
      [--data ../shared/data/fashion-mnist] [--subset 12000] [--threads 2]
"""
import argparse
import gzip
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_step import ConvBn, Op  # noqa: E402


def idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


class Supernet(nn.Module):
    def __init__(self, space):
        super().__init__()
        inp, stem, head = space["input"], space["stem"], space["head"]
        self.ops = space["ops"]
        self.stem = ConvBn(inp["channels"], stem["channels"], stem["kernel"], stem["stride"], 1, True)
        c = stem["channels"]
        self.layers = nn.ModuleList()
        for st in space["stages"]:
            for j in range(st["layers"]):
                s = st["stride"] if j == 0 else 1
                self.layers.append(nn.ModuleList([Op(o, c, st["channels"], s) for o in self.ops]))
                c = st["channels"]
        self.head = nn.Sequential(ConvBn(c, head["channels"], 1, 1, 1, True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(head["channels"], head["classes"]))

    def forward(self, x, path, tau=5.0):
        x = self.stem(x)
        for layer, k in zip(self.layers, path):
            if k is None:  # soft: Gumbel-softmax mixture
                g = F.softmax(-torch.log(-torch.log(torch.rand(len(layer)))) / tau, 0)
                x = sum(g[i] * op(x) for i, op in enumerate(layer))
            else:
                x = layer[k](x)
        return self.head(x)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser()
    p.add_argument("--mode", default="single-path")
    p.add_argument("--steps", type=int, default=187)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--subset", type=int, default=12000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--space", default=os.path.join(root, "supernet/src/main/resources/io/hwnas/spaces/"
                                                         "fbnet-fmnist-tiny.json"))
    p.add_argument("--data", default=os.path.join(os.path.dirname(root), "shared/data/fashion-mnist"))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_all = idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"), 16).reshape(-1, 1, 28, 28)
    y_all = idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"), 8)
    pick = np.random.default_rng(a.seed).permutation(len(y_all))[:a.subset]
    x = torch.tensor(x_all[pick], dtype=torch.float32) / 255.0
    x = (x - x.mean()) / x.std()
    y = torch.tensor(y_all[pick], dtype=torch.long)
    space = json.load(open(a.space))
    net = Supernet(space)
    n_layers = len(net.layers)
    k3e3 = net.ops.index("k3_e3")
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, weight_decay=1e-4)
    rnd = random.Random(a.seed)
    per_epoch = len(y) // a.batch
    order = torch.randperm(len(y))
    t0, loss_sum, correct, seen = time.time(), 0.0, 0, 0
    for i in range(a.steps):
        b = order[(i % per_epoch) * a.batch:(i % per_epoch + 1) * a.batch]
        if a.mode == "soft":
            path = [None] * n_layers
        elif a.mode == "single-path":
            path = [rnd.randrange(len(net.ops)) for _ in range(n_layers)]
        elif a.mode.startswith("layers:"):
            chosen = {int(v) for v in a.mode[7:].split(",")}
            path = [rnd.randrange(len(net.ops)) if l in chosen else k3e3 for l in range(n_layers)]
        elif a.mode.startswith("fixed:"):
            path = [net.ops.index(a.mode[6:])] * n_layers
        else:
            sys.exit(f"unknown --mode {a.mode}")
        for g in opt.param_groups:
            g["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * i / a.steps))
        opt.zero_grad(set_to_none=True)  # ops that did not run keep their weights and momentum
        out = net(x[b], path)
        loss = F.cross_entropy(out, y[b])
        loss.backward()
        opt.step()
        loss_sum += loss.item()
        correct += (out.argmax(1) == y[b]).sum().item()
        seen += len(b)
        if (i + 1) % 50 == 0:
            print(f"steps {i - 48:4d}-{i + 1:4d}  {time.time() - t0:5.0f} s  loss {loss_sum / 50:.4f}  "
                  f"accuracy {correct / seen:.3f}", flush=True)
            loss_sum, correct, seen = 0.0, 0, 0


if __name__ == "__main__":
    main()
