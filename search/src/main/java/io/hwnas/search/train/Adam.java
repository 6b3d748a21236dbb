package io.hwnas.search.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

/**
 * Adam (Kingma and Ba) for one parameter (θ), with L2 weight decay added to the gradient as in
 * PyTorch's {@code Adam(weight_decay=...)}. Plain in-place NDArray updates, no gradient recording.
 */
public final class Adam implements AutoCloseable {
    private final NDManager manager;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private NDArray m;
    private NDArray v;
    private long t;

    public Adam(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
    }

    public void update(Parameter p, double lr) {
        update(p.getArray(), lr);
    }

    /**
     * Allocates the moments for {@code w} now (zeros, as the first step would), so the optimizer's
     * memory is constant from the start of a run.
     */
    public void init(NDArray w) {
        if (m == null) {
            m = manager.zeros(w.getShape(), w.getDataType());
            v = manager.zeros(w.getShape(), w.getDataType());
        }
    }

    /** One step on {@code w} (in place) from its gradient. */
    public void update(NDArray w, double lr) {
        try (NDArray g = w.getGradient()) {
            if (weightDecay != 0f) {
                try (NDArray decay = w.mul(weightDecay)) {
                    g.addi(decay);
                }
            }
            if (m == null) {
                m = manager.zeros(w.getShape(), w.getDataType());
                v = manager.zeros(w.getShape(), w.getDataType());
            }
            t++;
            float oneMinusB1 = 1f - beta1;
            float oneMinusB2 = 1f - beta2;
            try (NDArray g1 = g.mul(oneMinusB1); NDArray g2 = g.square()) {
                m.muli(beta1).addi(g1);
                g2.muli(oneMinusB2);
                v.muli(beta2).addi(g2);
            }
            double bc1 = 1 - Math.pow(beta1, t);
            double bc2 = 1 - Math.pow(beta2, t);
            float stepSize = (float) (lr / bc1);
            float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
            try (NDArray denom = v.sqrt(); NDArray upd = m.mul(stepSize)) {
                denom.muli(invSqrtBc2).addi(eps);
                upd.divi(denom);
                w.subi(upd);
            }
        }
    }

    public long steps() {
        return t;
    }

    public NDList state() {
        NDList l = new NDList();
        if (m != null) {
            m.setName("adam:m");
            v.setName("adam:v");
            l.add(m);
            l.add(v);
        }
        return l;
    }

    public void load(NDList saved, long steps) {
        t = steps;
        for (NDArray a : saved) {
            if (("adam:m".equals(a.getName()) || "adam:v".equals(a.getName())) && m != null) {
                m.close();
                v.close();
                m = null;
                v = null;
                break;
            }
        }
        for (NDArray a : saved) {
            if ("adam:m".equals(a.getName())) {
                m = a.duplicate();
                m.attach(manager);
            } else if ("adam:v".equals(a.getName())) {
                v = a.duplicate();
                v.attach(manager);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
