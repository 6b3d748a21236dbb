#!/usr/bin/env python3
"""Can the exact mixture's two depthwise branches (k5, and k3 as the centre of k5) run as one conv?
Times fwd+bwd of dw5 and dw3 each with BN + ReLU (the exact mixture's depthwise part) against one
depthwise conv with two outputs per channel (k3 zero-padded to 5x5, groups = M), one BN over 2M
channels (per-channel BN on the concatenation is the two BNs exactly) and one ReLU, on the
fbnet-fmnist-tiny layers' shapes at batch 64, interleaved, medians.
Usage: /usr/bin/python3 tools/bench/dw_pair_probe.py [threads] [reps]"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

a = sys.argv[1:]
threads = int(a[0]) if a else 2
reps = int(a[1]) if len(a) > 1 else 15
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)


def run(b, m, h, stride):
    x = torch.randn(b, m, h, h, requires_grad=True)
    w5 = torch.randn(m, 1, 5, 5, requires_grad=True)
    w3 = torch.randn(m, 1, 3, 3, requires_grad=True)
    g5, b5 = torch.ones(m, requires_grad=True), torch.zeros(m, requires_grad=True)
    g3, b3 = torch.ones(m, requires_grad=True), torch.zeros(m, requires_grad=True)
    params = (x, w5, w3, g5, b5, g3, b3)

    def separate():
        y5 = F.relu(F.batch_norm(F.conv2d(x, w5, stride=stride, padding=2, groups=m), None, None, g5, b5, True))
        y3 = F.relu(F.batch_norm(F.conv2d(x, w3, stride=stride, padding=1, groups=m), None, None, g3, b3, True))
        return (0.3 * y5 + 0.7 * y3).sum()

    def paired():
        w = torch.stack([w5, F.pad(w3, (1, 1, 1, 1))], 1).reshape(2 * m, 1, 5, 5)
        g = torch.stack([g5, g3], 1).reshape(2 * m)
        bb = torch.stack([b5, b3], 1).reshape(2 * m)
        y = F.relu(F.batch_norm(F.conv2d(x, w, stride=stride, padding=2, groups=m), None, None, g, bb, True))
        y = y.reshape(y.shape[0], m, 2, y.shape[2], y.shape[3])
        return (0.3 * y[:, :, 0] + 0.7 * y[:, :, 1]).sum()

    ts = {"separate": [], "paired": []}
    for i in range(reps + 3):
        for name, f in (("separate", separate), ("paired", paired)):
            for p in params:
                p.grad = None
            t = time.perf_counter()
            f().backward()
            if i >= 3:
                ts[name].append(1000 * (time.perf_counter() - t))
    s, p = statistics.median(ts["separate"]), statistics.median(ts["paired"])
    print(f"batch {b} M {m} {h}x{h} stride {stride}: separate {s:.1f} ms, paired {p:.1f} ms, ratio {p / s:.2f}")


print(f"torch {torch.__version__}, {threads} threads, {reps} rounds")
for m, h, s in [(48, 28, 1), (72, 28, 2), (96, 14, 2), (192, 7, 1), (336, 7, 2), (552, 4, 1)]:
    run(64, m, h, s)
