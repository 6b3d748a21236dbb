package io.hwnas.supernet.space;

import java.util.List;

/**
 * FLOPs (counted as multiply-accumulates, MACs) and trainable parameter counts, computed from the
 * space alone. Convolutions carry no bias (a BN follows each); BN contributes 2 parameters per
 * channel (gamma, beta; running statistics are not parameters) and no MACs; ReLU, shuffle,
 * residual adds and pooling contribute no MACs. The FC layer has a bias.
 */
public final class Costs {
    private Costs() {}

    /**
     * The largest MAC or parameter count hwnas accepts for a space's biggest architecture: 2^53, the
     * largest integer a double (JSON number, plots, ratios) holds exactly. Spaces beyond it are refused
     * when read, naming the channel field, so sums here never overflow.
     */
    public static final long MAX_COUNT = 1L << 53;

    /** MACs and parameters of one part of a network. */
    public record Cost(long macs, long params) {
        public Cost plus(Cost o) {
            return new Cost(Math.addExact(macs, o.macs), Math.addExact(params, o.params));
        }

        public static final Cost ZERO = new Cost(0, 0);
    }

    /** A KxK conv from cin to cout with groups, evaluated at output size ho x wo, followed by BN. */
    public static Cost convBn(int cin, int cout, int k, int groups, int ho, int wo) {
        long weights = Math.multiplyExact(Math.multiplyExact((long) cout, cin / groups), (long) k * k);
        return new Cost(Math.multiplyExact(weights, (long) ho * wo), Math.addExact(weights, 2L * cout));
    }

    public static Cost op(LayerSpec layer, OpSpec op) {
        int cin = layer.inChannels();
        int cout = layer.outChannels();
        int ho = layer.outHeight();
        int wo = layer.outWidth();
        if (op.isSkip()) {
            return layer.needsProjection() ? convBn(cin, cout, 1, 1, ho, wo) : Cost.ZERO;
        }
        int mid = op.midChannels(cin);
        Cost c = convBn(cin, mid, 1, op.groups(), layer.inHeight(), layer.inWidth())
                .plus(convBn(mid, mid, op.kernel(), mid, ho, wo))
                .plus(convBn(mid, cout, 1, op.groups(), ho, wo));
        return layer.hasShortcut() ? c.plus(convBn(cin, cout, 1, 1, ho, wo)) : c;
    }

    public static Cost stem(SearchSpace s) {
        int ho = SearchSpace.convOut(s.input().height(), s.stem().stride());
        int wo = SearchSpace.convOut(s.input().width(), s.stem().stride());
        return convBn(s.input().channels(), s.stem().channels(), s.stem().kernel(), 1, ho, wo);
    }

    public static Cost head(SearchSpace s) {
        int[] hw = s.headInputSize();
        Cost conv = convBn(s.lastChannels(), s.head().channels(), 1, 1, hw[0], hw[1]);
        long fcWeights = Math.multiplyExact((long) s.head().channels(), s.head().classes());
        return conv.plus(new Cost(fcWeights, fcWeights + s.head().classes()));
    }

    /** Stem + head: the parts every architecture of the space shares. */
    public static Cost fixed(SearchSpace s) {
        return stem(s).plus(head(s));
    }

    public static Cost architecture(SearchSpace s, Architecture a) {
        a.check(s);
        List<LayerSpec> layers = s.layers();
        Cost c = fixed(s);
        for (int i = 0; i < layers.size(); i++) {
            c = c.plus(op(layers.get(i), OpSpec.parse(a.ops().get(i))));
        }
        return c;
    }

    /** The smallest and largest total over all architectures (per-layer choices are independent). */
    public static Cost[] range(SearchSpace s) {
        long minM = 0;
        long maxM = 0;
        long minP = 0;
        long maxP = 0;
        for (LayerSpec l : s.layers()) {
            long lm = Long.MAX_VALUE;
            long hm = 0;
            long lp = Long.MAX_VALUE;
            long hp = 0;
            for (String name : s.ops()) {
                Cost c = op(l, OpSpec.parse(name));
                lm = Math.min(lm, c.macs());
                hm = Math.max(hm, c.macs());
                lp = Math.min(lp, c.params());
                hp = Math.max(hp, c.params());
            }
            minM += lm;
            maxM += hm;
            minP += lp;
            maxP += hp;
        }
        Cost f = fixed(s);
        return new Cost[] {new Cost(minM + f.macs(), minP + f.params()), new Cost(maxM + f.macs(), maxP + f.params())};
    }
}
