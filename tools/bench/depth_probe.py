"""Elastic-depth probe: a PyTorch twin of hwnas's shared-weight supernet on the fbnet-fmnist-tiny layout
(stem 8, seven layers 8 12 16 32 56 92 176 with strides 1 1 2 2 1 2 1, head 256), real Fashion-MNIST.

Question: does a projection shortcut that every path keeps (a dense op computes S(x) + f(x), skip is
S(x): ResNet's downsampling block; the space field "shortcut": "projection") make elastic depth train
like stochastic depth, where FBNet's projecting skip (hwnas's shared one: ReLU(BN(conv1x1(x, P.E))), a
different function from the dense ops') halves the weight-pass accuracy of a k3_e1/skip supernet?

Shared weights as in hwnas's ElasticLayer (expand to 6 Cin, 5x5 depthwise whose centre is k3 (no kernel
transform here), project), one BN set per dense op (a simplification), single-path weight steps with a
uniformly drawn op per layer (--depth op) or a uniformly drawn number of skipped layers (--depth uniform),
SGD momentum 0.9, cosine learning rate, weight decay 1e-4 on the weights, batch 64. Prints one JSON line:
the last epoch's weight-pass accuracy and the test accuracy of a few paths (BN recalibrated on 2,000
training images).

usage: /usr/bin/python3 tools/bench/depth_probe.py VARIANT OPS [--images N] [--epochs E] [--seed S]
           [--depth op|uniform] [--data DIR]
  VARIANT: plain (FBNet's ops: no shortcut where the shape changes, skip = composed P.E)
           shortcut (a 1x1 projection shortcut of its own in every shape-changing layer, on every path)
  OPS: comma list from k3_e1,k3_e3,k5_e1,k5_e3,k3_e6,k5_e6,skip
"""
import argparse, gzip, json, math, os, random, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "fashion-mnist")
STEM = 8
STAGES = [(8, 1), (12, 1), (16, 2), (32, 2), (56, 1), (92, 2), (176, 1)]
HEAD = 256


def load(split):
    with gzip.open(f"{DATA}/{split}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{DATA}/{split}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.tensor(x, dtype=torch.float32) / 255.0, torch.tensor(y, dtype=torch.int64)


def parse(op):
    if op == "skip":
        return None
    k, e = op.split("_")
    return int(k[1:]), int(e[1:])


class Layer(nn.Module):
    """Shared weights: expand to 6*cin, 5x5 depthwise (k3 = centre), project; per-op BNs kept simple:
    one BN per (kernel, expansion) for the middle, shared project BN (as the Java layer's per-width parts
    are approximated here by one BN per op)."""

    def __init__(self, cin, cout, stride, ops, variant):
        super().__init__()
        self.cin, self.cout, self.stride, self.ops, self.variant = cin, cout, stride, ops, variant
        self.keeps = cin == cout and stride == 1
        mid = 6 * cin
        self.we = nn.Parameter(torch.empty(mid, cin, 1, 1)); nn.init.kaiming_normal_(self.we, mode="fan_out")
        self.wd = nn.Parameter(torch.empty(mid, 1, 5, 5)); nn.init.kaiming_normal_(self.wd, mode="fan_out")
        self.wp = nn.Parameter(torch.empty(cout, mid, 1, 1)); nn.init.kaiming_normal_(self.wp, mode="fan_out")
        self.bn = nn.ModuleDict()
        for op in ops:
            if op != "skip":
                k, e = parse(op)
                self.bn[op] = nn.ModuleList([nn.BatchNorm2d(e * cin), nn.BatchNorm2d(e * cin), nn.BatchNorm2d(cout)])
        if not self.keeps:
            if variant == "shortcut":
                self.ws = nn.Parameter(torch.empty(cout, cin, 1, 1)); nn.init.kaiming_normal_(self.ws, mode="fan_out")
                self.sbn = nn.BatchNorm2d(cout)
            elif "skip" in ops:
                self.sbn = nn.BatchNorm2d(cout)

    def dense(self, x, op):
        k, e = parse(op)
        n = e * self.cin
        bns = self.bn[op]
        h = F.relu(bns[0](F.conv2d(x, self.we[:n])))
        o = (5 - k) // 2
        h = F.relu(bns[1](F.conv2d(h, self.wd[:n, :, o:5 - o, o:5 - o], stride=self.stride, padding=k // 2, groups=n)))
        return bns[2](F.conv2d(h, self.wp[:, :n]))

    def forward(self, x, op):
        if self.keeps:
            return x if op == "skip" else x + self.dense(x, op)
        if self.variant == "shortcut":
            s = self.sbn(F.conv2d(x, self.ws, stride=self.stride))
            return s if op == "skip" else s + self.dense(x, op)
        if op == "skip":
            w = (self.wp[:, :self.cin].reshape(self.cout, self.cin) @ self.we[:self.cin].reshape(self.cin, self.cin))
            return F.relu(self.sbn(F.conv2d(x, w.reshape(self.cout, self.cin, 1, 1), stride=self.stride)))
        return self.dense(x, op)


class Net(nn.Module):
    def __init__(self, ops, variant):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, STEM, 3, padding=1, bias=False), nn.BatchNorm2d(STEM), nn.ReLU())
        layers, cin = [], STEM
        for c, s in STAGES:
            layers.append(Layer(cin, c, s, ops, variant)); cin = c
        self.layers = nn.ModuleList(layers)
        self.head = nn.Sequential(nn.Conv2d(cin, HEAD, 1, bias=False), nn.BatchNorm2d(HEAD), nn.ReLU())
        self.fc = nn.Linear(HEAD, 10)
        nn.init.normal_(self.fc.weight, std=0.01); nn.init.zeros_(self.fc.bias)

    def forward(self, x, arch):
        x = self.stem(x)
        for l, op in zip(self.layers, arch):
            x = l(x, op)
        return self.fc(self.head(x).mean((2, 3)))


def recal_eval(net, arch, xtr, xte, yte, mean, std):
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats(); m.momentum = None
    net.train()
    with torch.no_grad():
        for i in range(0, 2000, 100):
            net((xtr[i:i + 100] - mean) / std, arch)
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(xte), 1000):
            correct += (net((xte[i:i + 1000] - mean) / std, arch).argmax(1) == yte[i:i + 1000]).sum().item()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
    return 100.0 * correct / len(xte)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=["plain", "shortcut"])
    ap.add_argument("ops")
    ap.add_argument("--images", type=int, default=8000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--depth", choices=["op", "uniform"], default="op")
    ap.add_argument("--data", default=None, help="Fashion-MNIST folder (the four IDX .gz files)")
    a = ap.parse_args()
    global DATA
    DATA = a.data or DATA
    torch.set_num_threads(2)
    torch.manual_seed(a.seed); random.seed(a.seed)
    ops = a.ops.split(",")
    xtr, ytr = load("train"); xte, yte = load("t10k")
    perm = torch.randperm(len(xtr))[:a.images]
    xtr, ytr = xtr[perm], ytr[perm]
    mean, std = xtr.mean(), xtr.std()
    net = Net(ops, a.variant)
    decay = [p for n, p in net.named_parameters() if p.dim() > 1]
    other = [p for n, p in net.named_parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 1e-4}, {"params": other, "weight_decay": 0}],
                          lr=a.lr, momentum=0.9)
    steps = a.epochs * math.ceil(a.images / 64)
    dense = [o for o in ops if o != "skip"]
    t0, step = time.time(), 0
    for ep in range(a.epochs):
        order = torch.randperm(a.images)
        correct = seen = 0
        for i in range(0, a.images, 64):
            idx = order[i:i + 64]
            if a.depth == "uniform" and "skip" in ops:
                nskip = random.randint(0, len(STAGES))
                skipped = set(random.sample(range(len(STAGES)), nskip))
                arch = ["skip" if j in skipped else random.choice(dense) for j in range(len(STAGES))]
            else:
                arch = [random.choice(ops) for _ in STAGES]
            for g in opt.param_groups:
                g["lr"] = 0.5 * a.lr * (1 + math.cos(math.pi * step / steps))
            out = net((xtr[idx] - mean) / std, arch)
            loss = F.cross_entropy(out, ytr[idx])
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); step += 1
            correct += (out.argmax(1) == ytr[idx]).sum().item(); seen += len(idx)
        print(f"epoch {ep + 1}: weight pass {100.0 * correct / seen:.1f} %", file=sys.stderr)
    res = {"variant": a.variant, "ops": ops, "images": a.images, "epochs": a.epochs, "seed": a.seed, "depth": a.depth,
           "weight_pass": round(100.0 * correct / seen, 2), "train_s": round(time.time() - t0, 1), "test": {}}
    probes = {"all-" + dense[0]: [dense[0]] * 7}
    if "skip" in ops:
        probes["all-skip"] = ["skip"] * 7
        probes["alternate"] = [dense[0] if j % 2 == 0 else "skip" for j in range(7)]
        probes["skip3-then-dense"] = ["skip"] * 3 + [dense[-1]] * 4
    if len(dense) > 1:
        probes["all-" + dense[-1]] = [dense[-1]] * 7
    for name, arch in probes.items():
        res["test"][name] = round(recal_eval(net, arch, xtr, xte, yte, mean, std), 2)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
