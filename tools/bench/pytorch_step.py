#!/usr/bin/env python3
"""PyTorch-eager reference for `hwnas bench train`: the same fixed FBNet network, built from the
same space JSON and architecture, timed for one training step (forward, cross-entropy, backward,
SGD-momentum update) at the same batch and thread count. Prints median ms/step and images/s.
BN: PyTorch defaults (momentum 0.1 = weight of the new batch, eps 1e-5), as ConvBn. Initialisation
differs from the Java side (timing does not depend on it).

Usage (Debian's python3-torch; run with /usr/bin/python3):
  /usr/bin/python3 tools/bench/pytorch_step.py --space supernet/src/main/resources/io/hwnas/spaces/fbnet-fmnist-tiny.json \
      --arch "k3_e6 k3_e1 ..." --batch 64 --threads 2 --steps 50 [--json]
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_out(n, s):
    return (n - 1) // s + 1


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k, stride, groups, relu):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class Shuffle(nn.Module):
    def __init__(self, groups):
        super().__init__()
        self.g = groups

    def forward(self, x):
        b, c, h, w = x.shape
        return x.view(b, self.g, c // self.g, h, w).transpose(1, 2).reshape(b, c, h, w)


class Op(nn.Module):
    """kK_eE[_gG] inverted residual, or skip (identity / 1x1 conv + BN + ReLU). With shortcut (a space's
    "shortcut": "projection") a layer that changes shape gives kK_eE ops S(x) = BN(1x1 conv) added to their
    output, and skip is S(x) alone (no ReLU)."""

    def __init__(self, name, cin, cout, stride, shortcut=False):
        super().__init__()
        self.residual = False
        self.short = None
        projects = stride != 1 or cin != cout
        if name == "skip":
            self.body = ConvBn(cin, cout, 1, stride, 1, not shortcut) if projects else nn.Identity()
            return
        if shortcut and projects:
            self.short = ConvBn(cin, cout, 1, stride, 1, False)
        parts = name.split("_")
        k, e = int(parts[0][1:]), int(parts[1][1:])
        g = int(parts[2][1:]) if len(parts) > 2 else 1
        mid = cin * e
        layers = [ConvBn(cin, mid, 1, 1, g, True)]
        if g > 1:
            layers.append(Shuffle(g))
        layers += [ConvBn(mid, mid, k, stride, mid, True), ConvBn(mid, cout, 1, 1, g, False)]
        self.body = nn.Sequential(*layers)
        self.residual = cin == cout and stride == 1

    def forward(self, x):
        y = self.body(x)
        if self.short is not None:
            return y + self.short(x)
        return x + y if self.residual else y


def build(space, ops):
    inp, stem, head = space["input"], space["stem"], space["head"]
    mods = [ConvBn(inp["channels"], stem["channels"], stem["kernel"], stem["stride"], 1, True)]
    c = stem["channels"]
    i = 0
    for st in space["stages"]:
        for b in range(st["layers"]):
            s = st["stride"] if b == 0 else 1
            mods.append(Op(ops[i], c, st["channels"], s, space.get("shortcut") == "projection"))
            c = st["channels"]
            i += 1
    assert i == len(ops), f"architecture has {len(ops)} ops, space has {i} layers"
    mods += [ConvBn(c, head["channels"], 1, 1, 1, True), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
             nn.Linear(head["channels"], head["classes"])]
    return nn.Sequential(*mods)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--space", required=True)
    p.add_argument("--arch", required=True, help="space-separated op names")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--mode", default="step", choices=["forward", "fwdbwd", "step", "all"],
                   help="forward: forward + cross-entropy (graph recorded); fwdbwd: + backward; "
                        "step: + SGD-momentum update; all: the three in turn")
    p.add_argument("--json", action="store_true")
    p.add_argument("--serve", action="store_true",
                   help="read lines 'MODE WARMUP STEPS' on stdin, answer each with one JSON line of per-step "
                        "wall and process-CPU ms (used by io.hwnas.tools.bench.EagerComparison)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    space = json.load(open(a.space))
    ops = a.arch.split()
    net = build(space, ops).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=4e-5)
    inp = space["input"]
    x = torch.randn(a.batch, inp["channels"], inp["height"], inp["width"])
    y = torch.randint(0, space["head"]["classes"], (a.batch,))
    def one(mode):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        if mode != "forward":
            loss.backward()
        if mode == "step":
            opt.step()

    if a.serve:
        print(json.dumps({"ready": f"pytorch-eager {torch.__version__}"}), flush=True)
        for line in iter(sys.stdin.readline, ""):
            mode, warmup, steps = line.split()
            wall, cpu = [], []
            for i in range(int(warmup) + int(steps)):
                t0, c0 = time.perf_counter(), time.process_time()
                one(mode)
                t1, c1 = time.perf_counter(), time.process_time()
                if i >= int(warmup):
                    wall.append((t1 - t0) * 1000)
                    cpu.append((c1 - c0) * 1000)
            print(json.dumps({"mode": mode, "wall_ms": wall, "cpu_ms": cpu}), flush=True)
        return

    modes = ["forward", "fwdbwd", "step"] if a.mode == "all" else [a.mode]
    results = []
    for mode in modes:
        times = []
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(x), y)
            if mode != "forward":
                loss.backward()
            if mode == "step":
                opt.step()
            del loss
            t = time.perf_counter() - t0
            if i >= a.warmup:
                times.append(t * 1000)
        med = statistics.median(times)
        results.append({"runtime": f"pytorch-eager {torch.__version__}", "mode": mode, "space": space["id"],
                        "arch": a.arch, "batch": a.batch, "threads": a.threads, "steps": a.steps,
                        "ms_per_step": med, "images_per_s": a.batch / med * 1000})
    for res in results:
        if a.json:
            print(json.dumps(res))
        else:
            print(f"pytorch eager {torch.__version__} {res['mode']}: {res['ms_per_step']:.2f} ms/step "
                  f"(median of {a.steps}), {res['images_per_s']:.0f} images/s, batch {a.batch}, {a.threads} threads")


if __name__ == "__main__":
    main()
