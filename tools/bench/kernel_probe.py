#!/usr/bin/env python3
"""Twin of io.hwnas.tools.bench.KernelProbe: single-kernel fwd+bwd median ms in PyTorch eager.
Usage: /usr/bin/python3 tools/bench/kernel_probe.py [threads] [N C H W] [reps]"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

a = sys.argv[1:]
threads = int(a[0]) if a else 2
n, c, h, w = (int(v) for v in a[1:5]) if len(a) > 4 else (64, 48, 28, 28)
reps = int(a[5]) if len(a) > 5 else 30
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)
x = torch.randn(n, c, h, w)
dw = torch.randn(c, 1, 3, 3, requires_grad=True)
pw = torch.randn(c, c, 1, 1, requires_grad=True)
g, b = torch.ones(c, requires_grad=True), torch.zeros(c, requires_grad=True)
rm, rv = torch.zeros(c), torch.ones(c)
fns = {"dwconv3x3": lambda t: F.conv2d(t, dw, None, 1, 1, 1, c),
       "pwconv1x1": lambda t: F.conv2d(t, pw),
       "batchnorm": lambda t: F.batch_norm(t, rm, rv, g, b, True, 0.1, 1e-5),
       "relu": F.relu}
for name, fn in fns.items():
    ms = []
    for i in range(reps + 5):
        t0 = time.perf_counter()
        xs = x.clone().requires_grad_(True)
        fn(xs).sum().backward()
        if i >= 5:
            ms.append((time.perf_counter() - t0) * 1000)
    print(f"pytorch {torch.__version__} {name:<10} fwd+bwd median {statistics.median(ms):7.2f} ms on {list(x.shape)}")
