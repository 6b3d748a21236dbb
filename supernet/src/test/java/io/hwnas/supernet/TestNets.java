package io.hwnas.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Random;

/** Small helpers shared by the supernet tests. */
public final class TestNets {
    private TestNets() {}

    public static NDArray forward(NDManager m, Block b, NDArray x, boolean training) {
        return b.forward(new ParameterStore(m, false), new NDList(x), training).singletonOrThrow();
    }

    /** Uniform random values in [-1, 1) from a seeded Java random (independent of DJL's seed). */
    public static NDArray random(NDManager m, Shape shape, DataType type, long seed) {
        Random r = new Random(seed);
        int n = (int) shape.size();
        if (type == DataType.FLOAT64) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = r.nextDouble() * 2 - 1;
            }
            return m.create(d, shape);
        }
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = r.nextFloat() * 2 - 1;
        }
        return m.create(f, shape);
    }

    /** Overwrites an array's content without going through autograd. */
    public static void setData(NDArray a, double[] values) {
        if (a.getDataType() == DataType.FLOAT64) {
            a.set(DoubleBuffer.wrap(values));
        } else {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            a.set(FloatBuffer.wrap(f));
        }
    }

    /** Zeroes the gradient PyTorch accumulated on {@code a} (in place). */
    public static void zeroGrad(NDArray a) {
        ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) a);
    }

    public static double[] data(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** Gives every BN non-trivial parameters and running statistics (so eval-mode checks mean something). */
    public static void randomizeBn(Block net, long seed) {
        Random r = new Random(seed);
        for (ConvBn cb : BlockTree.convBns(net)) {
            fill(cb.gamma(), r, 0.5, 1.5);
            fill(cb.beta(), r, -0.3, 0.3);
            fill(cb.runningMean(), r, -0.5, 0.5);
            fill(cb.runningVar(), r, 0.5, 2.0);
        }
    }

    private static void fill(Parameter p, Random r, double lo, double hi) {
        double[] d = new double[(int) p.getArray().size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * r.nextDouble();
        }
        setData(p.getArray(), d);
    }

    public static long trainableCount(Block b) {
        long n = 0;
        for (Parameter p : BlockTree.parameters(b).values()) {
            if (BlockTree.trainable(p)) {
                n += p.getShape().size();
            }
        }
        return n;
    }
}
