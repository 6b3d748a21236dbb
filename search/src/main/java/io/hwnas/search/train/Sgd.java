package io.hwnas.search.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SGD with momentum and weight decay, PyTorch semantics ({@code buf = mu*buf + (g + wd*w)},
 * {@code w -= lr*buf}, first step {@code buf = g + wd*w}), applied only to the parameters given
 * to {@link #update}: parameters that did not run keep their weights and their momentum untouched.
 * Plain in-place NDArray updates outside any gradient recording.
 */
public final class Sgd implements AutoCloseable {
    private final NDManager manager;
    private final float momentum;
    private final float weightDecay;
    private final Map<String, NDArray> buffers = new TreeMap<>();

    public Sgd(NDManager parent, double momentum, double weightDecay) {
        this.manager = parent.newSubManager();
        this.momentum = (float) momentum;
        this.weightDecay = (float) weightDecay;
    }

    /** One step on {@code params} (each named by {@code keys.get(param.getId())}) with learning rate {@code lr}. */
    public void update(List<Parameter> params, Map<String, String> keys, double lr) {
        float rate = (float) lr;
        for (Parameter p : params) {
            NDArray w = p.getArray();
            try (NDArray g = w.getGradient()) {
                if (weightDecay != 0f) {
                    try (NDArray decay = w.mul(weightDecay)) {
                        g.addi(decay);
                    }
                }
                String key = keys.get(p.getId());
                NDArray buf = buffers.get(key);
                if (buf == null) {
                    buf = g.duplicate();
                    buf.attach(manager);
                    buffers.put(key, buf);
                } else if (momentum != 0f) {
                    buf.muli(momentum).addi(g);
                } else {
                    buf.subi(buf).addi(g);
                }
                try (NDArray delta = buf.mul(rate)) {
                    w.subi(delta);
                }
            }
        }
    }

    /** The momentum buffers, named by parameter key (for checkpoints). */
    public NDList state() {
        NDList l = new NDList();
        for (Map.Entry<String, NDArray> e : buffers.entrySet()) {
            e.getValue().setName("sgd:" + e.getKey());
            l.add(e.getValue());
        }
        return l;
    }

    /** Restores buffers saved by {@link #state()} (entries of other optimizers are ignored). */
    public void load(NDList saved) {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        for (NDArray a : saved) {
            if (a.getName() != null && a.getName().startsWith("sgd:")) {
                NDArray c = a.duplicate();
                c.attach(manager);
                buffers.put(a.getName().substring(4), c);
            }
        }
    }

    public int size() {
        return buffers.size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
