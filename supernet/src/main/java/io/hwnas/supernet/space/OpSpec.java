package io.hwnas.supernet.space;

import io.hwnas.core.HwnasException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A candidate operator, parsed from its name. {@code kK_eE[_gG]} is FBNet's inverted-residual
 * block: 1x1 conv (groups G) to E*Cin channels, BN, ReLU, channel shuffle when G&gt;1, KxK
 * depthwise conv with the layer's stride, BN, ReLU, 1x1 conv (groups G) to Cout, BN, plus a
 * residual add when Cin == Cout and the stride is 1. {@code skip} is the identity, or a 1x1 conv +
 * BN + ReLU when the stride is not 1 or the channel count changes.
 *
 * @param name canonical name, e.g. {@code k5_e1_g2}
 * @param kernel depthwise kernel size (0 for skip)
 * @param expansion expansion ratio E (0 for skip)
 * @param groups groups of the two 1x1 convolutions (1 for skip)
 */
public record OpSpec(String name, int kernel, int expansion, int groups) {
    public static final String SKIP = "skip";
    private static final Pattern IRB = Pattern.compile("k(\\d+)_e(\\d+)(?:_g(\\d+))?");

    public OpSpec {
        if (!SKIP.equals(name)) {
            HwnasException.require(kernel % 2 == 1 && kernel >= 1 && kernel <= 11, "op", name,
                    "kernel must be odd, 1..11");
            HwnasException.require(expansion >= 1 && expansion <= 12, "op", name, "expansion must be 1..12");
            HwnasException.require(groups >= 1 && groups <= 16, "op", name, "groups must be 1..16");
        }
    }

    /** Parses an op name; refuses anything that is not {@code skip} or {@code kK_eE[_gG]}. */
    public static OpSpec parse(String name) {
        if (name == null) {
            throw new HwnasException("op name is missing (null)");
        }
        if (SKIP.equals(name)) {
            return new OpSpec(SKIP, 0, 0, 1);
        }
        Matcher m = IRB.matcher(name);
        if (!m.matches()) {
            throw new HwnasException("unknown op \"" + name + "\": expected 'skip' or kK_eE[_gG], e.g. k3_e6, k5_e1_g2");
        }
        int k = Integer.parseInt(m.group(1));
        int e = Integer.parseInt(m.group(2));
        int g = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        String canonical = "k" + k + "_e" + e + (g > 1 ? "_g" + g : "");
        if (!canonical.equals(name)) {
            throw new HwnasException("unknown op \"" + name + "\": write it as \"" + canonical + "\"");
        }
        return new OpSpec(name, k, e, g);
    }

    public boolean isSkip() {
        return SKIP.equals(name);
    }

    /** Whether this op, in a layer of these dimensions, has no parameters and does nothing. */
    public boolean isIdentity(LayerSpec layer) {
        return isSkip() && !layer.needsProjection();
    }

    /** Whether the op adds its input to its output in this layer. */
    public boolean hasResidual(LayerSpec layer) {
        return !isSkip() && layer.inChannels() == layer.outChannels() && layer.stride() == 1;
    }

    /** The hidden (expanded) channel count in a layer with {@code inChannels}. */
    public int midChannels(int inChannels) {
        return isSkip() ? 0 : Math.multiplyExact(inChannels, expansion);
    }

    /** Checks that the op can be built in this layer (group counts divide the channels). */
    public void checkFits(LayerSpec layer) {
        if (isSkip() || groups == 1) {
            return;
        }
        int mid = midChannels(layer.inChannels());
        if (layer.inChannels() % groups != 0 || mid % groups != 0 || layer.outChannels() % groups != 0) {
            throw new HwnasException("op \"" + name + "\" cannot be used in layer " + layer.name() + ": groups "
                    + groups + " must divide in/mid/out channels " + layer.inChannels() + "/" + mid + "/"
                    + layer.outChannels());
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
