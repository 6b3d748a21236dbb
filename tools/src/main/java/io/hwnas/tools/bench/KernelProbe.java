package io.hwnas.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import java.util.Arrays;

/**
 * Single-kernel timings (forward + backward, median ms) on one activation shape, to tell kernel
 * speed (libtorch version) apart from framework overhead; {@code tools/bench/kernel_probe.py} is the
 * PyTorch-eager twin. Args: [threads] [N C H W] [reps].
 */
public final class KernelProbe {
    private KernelProbe() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        long n = args.length > 4 ? Long.parseLong(args[1]) : 64;
        long c = args.length > 4 ? Long.parseLong(args[2]) : 48;
        long h = args.length > 4 ? Long.parseLong(args[3]) : 28;
        long w = args.length > 4 ? Long.parseLong(args[4]) : 28;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 30;
        Shape s = new Shape(n, c, h, w);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            NDArray x = m.randomNormal(s);
            NDArray dwW = m.randomNormal(new Shape(c, 1, 3, 3));
            NDArray pwW = m.randomNormal(new Shape(c, c, 1, 1));
            NDArray gamma = m.ones(new Shape(c));
            NDArray beta = m.zeros(new Shape(c));
            NDArray rm = m.zeros(new Shape(c));
            NDArray rv = m.ones(new Shape(c));
            for (NDArray p : new NDArray[] {x, dwW, pwW, gamma, beta}) {
                p.setRequiresGradient(true);
            }
            String[] names = {"dwconv3x3", "pwconv1x1", "batchnorm", "relu"};
            for (int k = 0; k < names.length; k++) {
                double[] ms = new double[reps];
                for (int i = 0; i < reps + 5; i++) {
                    long t0 = System.nanoTime();
                    try (NDManager step = m.newSubManager()) {
                        NDArray xs = x.duplicate();
                        xs.attach(step);
                        xs.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray y = switch (k) {
                                case 0 -> Conv2d.conv2d(xs, dwW, null, new Shape(1, 1), new Shape(1, 1),
                                        new Shape(1, 1), (int) c).singletonOrThrow();
                                case 1 -> Conv2d.conv2d(xs, pwW, null, new Shape(1, 1), new Shape(0, 0),
                                        new Shape(1, 1), 1).singletonOrThrow();
                                case 2 -> BatchNorm.batchNorm(xs, rm, rv, gamma, beta, -1, 0.9f, 1e-5f, true)
                                        .singletonOrThrow();
                                default -> xs.getNDArrayInternal().relu();
                            };
                            gc.backward(y.sum());
                        }
                    }
                    if (i >= 5) {
                        ms[i - 5] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.printf("djl/libtorch %-10s fwd+bwd median %7.2f ms on %s%n", names[k], ms[reps / 2], s);
            }
        }
    }
}
