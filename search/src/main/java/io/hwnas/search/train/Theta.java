package io.hwnas.search.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.HwnasException;
import io.hwnas.supernet.net.InPlace;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;

/**
 * The architecture logits θ [layers, ops] (ops in the space's order) that the search optimizes:
 * the search's state, not the supernet's. Zeros at the start (uniform choice); gradient attached.
 */
public final class Theta {
    /** The name θ carries inside a checkpoint's NDList. */
    public static final String NAME = "theta";

    private final SearchSpace space;
    private final NDArray array;

    /** θ = 0 in {@code manager} (float32). */
    public Theta(SearchSpace space, NDManager manager) {
        this.space = space;
        this.array = manager.zeros(new Shape(space.layerCount(), space.ops().size()), DataType.FLOAT32);
        array.setName(NAME);
        array.setRequiresGradient(true);
    }

    public SearchSpace space() {
        return space;
    }

    /** The live array (with gradient). */
    public NDArray array() {
        return array;
    }

    /** θ as [layer * ops + op] floats. */
    public float[] flat() {
        return array.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** θ row by row. */
    public float[][] rows() {
        float[] f = flat();
        int k = space.ops().size();
        float[][] r = new float[space.layerCount()][k];
        for (int l = 0; l < r.length; l++) {
            System.arraycopy(f, l * k, r[l], 0, k);
        }
        return r;
    }

    /** argmax of θ per layer (the first maximum on ties). */
    public int[] argmax() {
        return argmax(rows());
    }

    public static int[] argmax(float[][] t) {
        int[] out = new int[t.length];
        for (int l = 0; l < t.length; l++) {
            int best = 0;
            for (int k = 1; k < t[l].length; k++) {
                if (t[l][k] > t[l][best]) {
                    best = k;
                }
            }
            out[l] = best;
        }
        return out;
    }

    public Architecture argmaxArchitecture() {
        return Architecture.ofIndices(space, argmax());
    }

    /** softmax(θ) per layer. */
    public float[][] probabilities() {
        return probabilities(rows());
    }

    public static float[][] probabilities(float[][] t) {
        float[][] out = new float[t.length][];
        for (int l = 0; l < t.length; l++) {
            double max = Double.NEGATIVE_INFINITY;
            for (float v : t[l]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            double[] e = new double[t[l].length];
            for (int k = 0; k < e.length; k++) {
                e[k] = Math.exp(t[l][k] - max);
                sum += e[k];
            }
            out[l] = new float[e.length];
            for (int k = 0; k < e.length; k++) {
                out[l][k] = (float) (e[k] / sum);
            }
        }
        return out;
    }

    /** Zeroes the gradient PyTorch accumulated on θ. */
    public void zeroGrad() {
        if (array instanceof ai.djl.pytorch.engine.PtNDArray pt) {
            ai.djl.pytorch.jni.JniUtils.zeroGrad(pt);
        } else {
            try (NDArray g = array.getGradient()) {
                g.subi(g);
            }
        }
    }

    /** θ for a checkpoint (named {@link #NAME}). */
    public NDList state() {
        array.setName(NAME);
        return new NDList(array);
    }

    /** Sets θ from a checkpoint's NDList (the array named {@link #NAME}); refuses another shape. */
    public void load(NDList saved, String source) {
        for (NDArray a : saved) {
            if (NAME.equals(a.getName())) {
                if (!a.getShape().equals(array.getShape())) {
                    throw new HwnasException(source + ": θ has shape " + a.getShape() + ", the space needs "
                            + array.getShape());
                }
                InPlace.copy(a, array);
                return;
            }
        }
        throw new HwnasException(source + ": holds no θ (an array named '" + NAME + "')");
    }

    /** Sets θ from rows (e.g. a run's theta.json). */
    public void set(float[][] rows) {
        int k = space.ops().size();
        float[] flat = new float[rows.length * k];
        for (int l = 0; l < rows.length; l++) {
            System.arraycopy(rows[l], 0, flat, l * k, k);
        }
        try (NDArray a = array.getManager().create(flat, array.getShape())) {
            InPlace.copy(a, array);
        }
    }
}
