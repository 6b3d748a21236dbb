package io.hwnas.supernet.ops;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a block tree by stable names. DJL prefixes child names with their position ("01stem");
 * the prefix is dropped here, so a parameter's path is e.g. {@code stage2.block0.k3_e6.dw.weight},
 * the same in a supernet and in a network extracted from it.
 */
public final class BlockTree {
    private BlockTree() {}

    /** The child's stable name: DJL's key without its leading position digits. */
    public static String childName(String djlKey) {
        int i = 0;
        while (i < djlKey.length() && Character.isDigit(djlKey.charAt(i))) {
            i++;
        }
        return djlKey.substring(i);
    }

    /** Every parameter (running statistics included) by path, in DJL's order. */
    public static Map<String, Parameter> parameters(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(Block b, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : b.getDirectParameters()) {
            out.put(prefix + p.getKey(), p.getValue());
        }
        for (Pair<String, Block> c : b.getChildren()) {
            collect(c.getValue(), prefix + childName(c.getKey()) + ".", out);
        }
    }

    /** Every ConvBn (conv + BN unit) in the tree, in forward order of declaration. */
    public static List<ConvBn> convBns(Block root) {
        List<ConvBn> out = new ArrayList<>();
        collectConvBns(root, out);
        return out;
    }

    private static void collectConvBns(Block b, List<ConvBn> out) {
        if (b instanceof ConvBn cb) {
            out.add(cb);
        }
        for (Pair<String, Block> c : b.getChildren()) {
            collectConvBns(c.getValue(), out);
        }
    }

    /** Whether a parameter is trained (not a BN running statistic). */
    public static boolean trainable(Parameter p) {
        return p.requiresGradient();
    }
}
