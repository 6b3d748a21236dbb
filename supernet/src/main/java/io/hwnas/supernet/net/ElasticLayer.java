package io.hwnas.supernet.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.hwnas.supernet.ops.BlockTree;
import io.hwnas.supernet.ops.ConvBn;
import io.hwnas.supernet.ops.Layout;
import io.hwnas.supernet.ops.OpBlock;
import io.hwnas.supernet.ops.Ops;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One searchable layer whose dense {@code kK_eE} ops share one max-size weight set (Once-for-All
 * style elastic kernel and expansion). For FBNet's nine ops: {@code k3_e1 k3_e3 k3_e6 k5_e1 k5_e3
 * k5_e6} are slices of the shared set, {@code k3_e1_g2 k5_e1_g2} its block-diagonal parts, and
 * {@code skip} keeps its own small block.
 *
 * <h2>Tensors and their stable names</h2>
 * With Cin, Cout the layer's channels, E the largest expansion of a dense op and M = E·Cin, K the
 * largest dense kernel (in a supernet every path is prefixed with {@code stage{i}.block{j}.}):
 * <ul>
 *   <li>{@code expand.weight} [M, Cin, 1, 1] and {@code expand.gamma|beta|runningMean|runningVar} [M]: the
 *       1x1 expand conv and its BN, shared by every dense op;</li>
 *   <li>{@code dw5.weight} [M, 1, 5, 5] and {@code dw5.gamma|beta|runningMean|runningVar} [M]: the depthwise
 *       conv (layer stride, padding K/2) and the BN of the k5 ops ({@code dw{K}} for the largest K);</li>
 *   <li>{@code dw3.transform} [9, 9] and {@code dw3.gamma|beta|runningMean|runningVar} [M]: OFA's kernel
 *       transformation matrix (initialised to the identity) and the BN of the k3 ops. The k3 kernel of
 *       middle channel c is {@code centre3x3(dw5.weight[c]) · transformᵀ} on the row-major flattened
 *       3x3 (PyTorch {@code F.linear(centre, transform)}, as OFA). With more kernel sizes each smaller
 *       one is the transformed centre of the next larger one (OFA's 7→5→3 chain);</li>
 *   <li>{@code project.weight} [Cout, M, 1, 1]: the 1x1 project conv; its BN is
 *       {@code project.{op}.gamma|beta|runningMean|runningVar} [Cout], one per dense op (e.g.
 *       {@code project.k5_e3.gamma}) with {@link ProjectBn#PER_CHOICE} (the default), or
 *       {@code project.gamma|beta|runningMean|runningVar} with {@link ProjectBn#SHARED};</li>
 *   <li>a grouped op's own BNs: {@code expand.k3_e1_g2.gamma|...} [E·Cin], {@code dw3.k3_e1_g2.gamma|...}
 *       [E·Cin], {@code project.k3_e1_g2.gamma|...} [Cout];</li>
 *   <li>a projecting skip's BN: {@code project.skip.gamma|...} [Cout] (an identity skip has no tensors);</li>
 *   <li>in a layer with a projection shortcut ({@link LayerSpec#hasShortcut()}): {@code shortcut.weight}
 *       [Cout, Cin, 1, 1] and {@code shortcut.gamma|beta|runningMean|runningVar} [Cout], shared by every op
 *       (there is then no {@code project.skip}).</li>
 * </ul>
 * Op {@code kK_eE} uses the first n = E·Cin middle channels: {@code expand.weight[:n]}, the BN
 * slices {@code [:n]}, the depthwise kernel of those channels and {@code project.weight[:, :n]}. The
 * slices are views taken inside the forward, so gradients reach only the slice, and a training-mode
 * BN updates only the running statistics of its slice. ReLU after the expand and the depthwise BN,
 * none after the project BN, and a residual add when Cin = Cout and the stride is 1, as in
 * {@link io.hwnas.supernet.ops.InvertedResidual}.
 *
 * <h2>BatchNorm</h2>
 * Each BN is shared exactly as far as the statistics it sees are the same:
 * <ul>
 *   <li>expand BN: one, sliced. Expand channel c is {@code expand.weight[c]·x} whatever the op, so its
 *       batch statistics are the same for every op: sharing is exact, not an approximation;</li>
 *   <li>depthwise BN: one per kernel size, sliced. Channel c after the depthwise conv depends on the
 *       kernel but not on the expansion: one BN per kernel is exact across expansions, while a BN shared
 *       by k3 and k5 would average two different distributions (OFA's choice, repaired by BN
 *       recalibration at extraction);</li>
 *   <li>project BN (on Cout channels, each a sum over all n middle channels): its statistics depend
 *       on the expansion and the kernel. {@link ProjectBn#PER_CHOICE} gives each dense op its own
 *       (Switchable-BN style, 4·Cout numbers per op), so every op's running statistics are its own, eval
 *       mode and extraction need no recalibration, and {@link #forwardMixed} can be exact in training
 *       mode too; the price is one project conv per kernel size in the mixture (see below).
 *       {@link ProjectBn#SHARED} keeps one (OFA), which allows a mixture with a single project conv but
 *       leaves running statistics that belong to no single op (recalibrate before evaluating a path).</li>
 * </ul>
 * In one training-mode {@link #forwardMixed} the shared expand BN and each depthwise BN update their
 * running statistics once (one batch, seen once), where running the ops one by one would repeat the
 * same update once per op. The BN momentum of every part is PyTorch's convention, as in {@link ConvBn},
 * settable per part ({@link Part#setMomentum}) for recalibration.
 *
 * <h2>Grouped ops and skip</h2>
 * A grouped op {@code kK_eE_gG} whose kernel K is a dense op's and whose E·Cin middle channels fit
 * the shared set is a part of the shared weights too: its expand conv is the block-diagonal part
 * (G groups) of the first E·Cin rows of {@code expand.weight}, its depthwise kernel is the shared one
 * of those channels, and its grouped project conv reads, per output group, the columns of
 * {@code project.weight} of the middle channels that the channel shuffle puts in that group. It runs
 * in the unshuffled channel order, as dense convs with fixed 0/1 masks, which is the grouped op
 * exactly (the shuffle only moves the channels between the depthwise and the project conv, and a
 * depthwise conv and its BN act per channel); {@link #extract} writes the plain grouped block, with
 * the depthwise weights and BN in shuffled order. Its three BNs are its own
 * ({@code expand.{op}}, {@code dw{K}.{op}}, {@code project.{op}}: its activations are not the dense
 * ops'), so the dense ops' BN sharing above stays exact. Why share: with weights of its own, a grouped
 * op hands the next layer channels that mean something else than the dense ops' channels, and
 * single-path training on the supernet learned half as fast (see the README, "Subnets without
 * retraining"). {@link #reorderChannels()} changes the grouped ops as it changes the smaller
 * expansions. A grouped op that does not fit the shared set keeps a block of its own.
 * {@code skip} ({@link io.hwnas.supernet.ops.SkipOp}) is the identity where the layer keeps its shape;
 * where it does not, its 1x1 conv is P·E, the e1 ops' project and expand weights composed
 * ({@code project.weight[:, :Cin] · expand.weight[:Cin]}), with a BN of its own
 * ({@code project.skip}): its output channels are the dense ops' output channels.
 * In a layer with a projection shortcut S(x) = BN(conv1x1(x)) (layer stride, no ReLU; the space's
 * {@code "shortcut": "projection"}), every op adds S(x) where it would add its input, and {@code skip}
 * is S(x) alone: one tensor set every path trains, so elastic depth drops a residual branch (stochastic
 * depth) instead of swapping in a different function (see the README, "Projection shortcuts").
 *
 * <h2>The mixture</h2>
 * {@link #forwardMixed} computes the expand conv once (at the widest expansion whose gate runs),
 * then per kernel size one depthwise conv + BN + ReLU on those channels, then:
 * <ul>
 *   <li>{@link ProjectBn#PER_CHOICE}: per kernel size, the project conv split into the channel
 *       blocks between consecutive expansions ({@code [0, Cin), [Cin, 3Cin), [3Cin, 6Cin)}); cumulative
 *       sums of the block outputs are exactly the project pre-activations of e1, e3, e6; each goes
 *       through its op's BN with γ and β scaled by the op's gate (gate·BN(z) = BN(z; gate·γ,
 *       gate·β)). Equal to Σ_k gate_k·forward(x, k) up to float rounding, in training mode as well
 *       (each op's BN sees its own batch statistics), and each op's project BN running statistics
 *       update as if the op ran alone. Cost: one expand conv, one depthwise conv per kernel size, one
 *       full project conv's MACs per kernel size (in as many convs as expansions);</li>
 *   <li>{@link ProjectBn#SHARED}: the depthwise outputs are mixed with channel masks
 *       {@code mask_K[c] = Σ_E gate(kK_eE)·1[c < E·Cin]}, then one project conv gives
 *       {@code z = Σ gate_k·z_k} (z_k: op k's project pre-activation). Eval mode: BN is affine, so
 *       {@code s·z + G·(β - s·μ)} (s = γ/√(σ²+ε), G the dense ops' gate sum) is Σ gate_k·BN(z_k) exactly.
 *       Training mode computes {@code G·BN_batch(z/G)}: BN with the batch statistics of the
 *       gate-weighted average pre-activation z/G (which also feeds the running statistics), not the
 *       gated sum of each op's own batch-normalised output; equal to it when one dense gate is nonzero,
 *       and not in general (z/G is undefined at G = 0: there z/G is taken as 0). The mixture then costs
 *       one expand, one depthwise per kernel size and one project conv.</li>
 * </ul>
 * A Single-Path-NAS superkernel (one depthwise conv with the gate-mixed kernel) is not exact with any
 * BN choice: the depthwise BN and ReLU sit between the kernel and the mixture. {@link ProjectBn#SUPERKERNEL}
 * trades that exactness for one depthwise conv: one depthwise BN for every kernel size (OFA's choice)
 * and one project BN; channel c's kernel is Σ_K (mask_K[c]/mask[c])·W_K[c] (W_K zero-padded to the
 * largest kernel, mask = Σ_K mask_K), followed by the shared BN and ReLU and times mask[c], then one
 * project conv and the project BN as with SHARED. Where one kernel size alone has nonzero dense gates it
 * is SHARED's mixture (exact in eval mode); with several it is an approximation in both modes, and the
 * single path of any op is that op exactly. In a θ step (training mode, weights detached) the superkernel
 * convolves per kernel size and mixes after the convolution, the same values up to rounding, so that θ's
 * gradient needs no depthwise weight gradient. The grouped ops and a
 * projecting skip run beside the shared path; the residual and an identity skip are one gated add of
 * the input, and a projection shortcut one gated add of S(x) (computed once).
 */
public final class ElasticLayer extends AbstractBlock implements SearchableLayer {

    /** Which BN the project conv of the dense ops has; see the class documentation. */
    public enum ProjectBn {
        /** One project BN per dense op: exact mixture in both modes, one project conv per kernel size. */
        PER_CHOICE,
        /** One shared project BN: one project conv in the mixture, exact in eval mode only. */
        SHARED,
        /**
         * One shared project BN and one depthwise BN for every kernel size (OFA's sharing); the mixture
         * mixes the kernel sizes inside one depthwise weight (Single-Path NAS's superkernel): one expand,
         * one depthwise and one project conv (in a θ step on detached weights one depthwise conv per kernel
         * size, the same values up to rounding). Exact where one kernel size alone has nonzero dense gates.
         */
        SUPERKERNEL
    }

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape ZERO_PAD = new Shape(0, 0);

    private final LayerSpec layer;
    private final List<String> choices;
    private final ProjectBn projectBn;
    private final int cin;
    private final int cout;
    private final int mid;
    private final boolean residual;
    /** Distinct kernel sizes of the dense ops, largest first. */
    private final int[] kernels;
    /** Per choice: middle channels of a dense op (0 otherwise). */
    private final int[] width;
    /** Per choice: index into {@link #kernels} of a dense op (-1 otherwise). */
    private final int[] kernelIndex;
    /** Per choice: the op's own block (skip, or a grouped op the shared set cannot hold), or null. */
    private final OpBlock[] own;
    /** Per choice: groups G of a grouped op taken from the shared weights (0 otherwise). */
    private final int[] groups;
    /** Per choice: middle channels of a grouped shared op (0 otherwise). */
    private final int[] gWidth;
    /** Per choice: index into {@link #kernels} of a grouped shared op (-1 otherwise). */
    private final int[] gKernel;
    /** Per choice: a grouped shared op's own BNs after the expand, the depthwise and the project conv. */
    private final Part[][] gBns;
    /** Per choice: a grouped shared op's expand and project masks (fixed, built once), else null. */
    private final float[][][] gMasks;
    private final int skipChoice;
    private final boolean skipIsIdentity;
    /** A projecting skip's own BN when its conv comes from the shared weights (else null). */
    private final Part skipBn;
    /** The projection shortcut every op of this layer adds ({@link LayerSpec#hasShortcut()}), else null. */
    private final Part shortcut;

    private final Part expand;
    private final Part[] dw;
    private final Part project;
    /** Per choice: the project BN of a dense op (PER_CHOICE), else null. */
    private final Part[] projectBns;

    private final Shape dwStride;

    public ElasticLayer(LayerSpec layer, List<String> opNames) {
        this(layer, opNames, ProjectBn.PER_CHOICE);
    }

    public ElasticLayer(LayerSpec layer, List<String> opNames, ProjectBn projectBn) {
        this.layer = layer;
        this.choices = List.copyOf(opNames);
        this.projectBn = projectBn;
        cin = layer.inChannels();
        cout = layer.outChannels();
        dwStride = new Shape(layer.stride(), layer.stride());
        int n = choices.size();
        width = new int[n];
        kernelIndex = new int[n];
        own = new OpBlock[n];
        groups = new int[n];
        gWidth = new int[n];
        gKernel = new int[n];
        gBns = new Part[n][];
        gMasks = new float[n][][];
        int maxE = 0;
        TreeSet<Integer> ks = new TreeSet<>(Comparator.reverseOrder());
        List<OpSpec> specs = new ArrayList<>();
        int skip = -1;
        for (int k = 0; k < n; k++) {
            OpSpec op = OpSpec.parse(choices.get(k));
            op.checkFits(layer);
            specs.add(op);
            if (isDense(op)) {
                maxE = Math.max(maxE, op.expansion());
                ks.add(op.kernel());
            } else if (op.isSkip()) {
                skip = k;
            }
        }
        if (Set.copyOf(choices).size() != choices.size()) {
            throw new IllegalArgumentException("layer " + layer.name() + ": duplicate ops in " + choices);
        }
        skipChoice = skip;
        skipIsIdentity = skip >= 0 && !layer.needsProjection();
        kernels = ks.stream().mapToInt(Integer::intValue).toArray();
        mid = maxE * cin;
        residual = cin == cout && layer.stride() == 1; // OpSpec.hasResidual of every kK_eE op
        for (int k = 0; k < n; k++) {
            OpSpec op = specs.get(k);
            kernelIndex[k] = -1;
            gKernel[k] = -1;
            if (!isDense(op) && !op.isSkip() && op.midChannels(cin) <= maxE * cin) {
                for (int i = 0; i < kernels.length; i++) {
                    if (kernels[i] == op.kernel()) { // a grouped op the shared set holds
                        gKernel[k] = i;
                        gWidth[k] = op.midChannels(cin);
                        groups[k] = op.groups();
                    }
                }
            }
            if (isDense(op)) {
                width[k] = op.midChannels(cin);
                for (int i = 0; i < kernels.length; i++) {
                    if (kernels[i] == op.kernel()) {
                        kernelIndex[k] = i;
                    }
                }
            }
        }
        projectBns = new Part[n];
        if (mid > 0) {
            expand = addChildBlock("expand", new Part(new Shape(mid, cin, 1, 1), 0, mid));
            dw = new Part[kernels.length];
            dw[0] = addChildBlock("dw" + kernels[0],
                    new Part(new Shape(mid, 1, kernels[0], kernels[0]), 0, mid));
            for (int i = 1; i < kernels.length; i++) {
                dw[i] = addChildBlock("dw" + kernels[i], new Part(null, kernels[i] * kernels[i],
                        projectBn == ProjectBn.SUPERKERNEL ? 0 : mid));
            }
            project = addChildBlock("project",
                    new Part(new Shape(cout, mid, 1, 1), 0, projectBn == ProjectBn.PER_CHOICE ? 0 : cout));
            if (projectBn == ProjectBn.PER_CHOICE) {
                for (int k = 0; k < n; k++) {
                    if (width[k] > 0) {
                        projectBns[k] = project.addPart(choices.get(k), new Part(null, 0, cout));
                    }
                }
            }
            skipBn = skip >= 0 && !skipIsIdentity && !layer.hasShortcut()
                    ? project.addPart(choices.get(skip), new Part(null, 0, cout)) : null;
            for (int k = 0; k < n; k++) {
                if (gWidth[k] > 0) {
                    gMasks[k] = new float[][] {expandMask(gWidth[k], k), projectMask(gWidth[k], k)};
                    gBns[k] = new Part[] {expand.addPart(choices.get(k), new Part(null, 0, gWidth[k])),
                            dw[gKernel[k]].addPart(choices.get(k), new Part(null, 0, gWidth[k])),
                            project.addPart(choices.get(k), new Part(null, 0, cout))};
                }
            }
        } else {
            expand = null;
            dw = new Part[0];
            project = null;
            skipBn = null;
        }
        shortcut = layer.hasShortcut() ? addChildBlock("shortcut", new Part(new Shape(cout, cin, 1, 1), 0, cout)) : null;
        for (int k = 0; k < n; k++) {
            if (width[k] == 0 && gWidth[k] == 0 && !(k == skip && (skipBn != null || shortcut != null))) {
                own[k] = addChildBlock(choices.get(k), Ops.op(layer, specs.get(k)));
            }
        }
    }

    private static boolean isDense(OpSpec op) {
        return !op.isSkip() && op.groups() == 1;
    }

    @Override
    public LayerSpec layer() {
        return layer;
    }

    @Override
    public List<String> choices() {
        return choices;
    }

    public ProjectBn projectBn() {
        return projectBn;
    }

    /** Whether choice {@code k} is a slice of the shared weights (a dense {@code kK_eE} op). */
    public boolean isShared(int k) {
        return width[k] > 0;
    }

    /** Middle channels of the shared set (largest expansion of a dense op × Cin; 0 without dense ops). */
    public int midChannels() {
        return mid;
    }

    /** The expand conv and its BN (null without dense ops). */
    public Part expand() {
        return expand;
    }

    /**
     * The depthwise part of kernel size {@code kernel}: weight (largest kernel) or transform, and BN
     * (with SUPERKERNEL only the largest kernel's part has one: use {@link #dwBn}).
     */
    public Part dw(int kernel) {
        for (int i = 0; i < kernels.length; i++) {
            if (kernels[i] == kernel) {
                return dw[i];
            }
        }
        throw new IllegalArgumentException("layer " + layer.name() + " has no dense op with kernel " + kernel);
    }

    /** The depthwise BN the dense ops of kernel size {@code kernel} use (one for all with SUPERKERNEL). */
    public Part dwBn(int kernel) {
        Part p = dw(kernel); // refuses a kernel size the layer does not have
        return projectBn == ProjectBn.SUPERKERNEL ? dw[0] : p;
    }

    private Part dwBnAt(int ki) {
        return projectBn == ProjectBn.SUPERKERNEL ? dw[0] : dw[ki];
    }

    /** The project conv (and its BN with {@link ProjectBn#SHARED} and {@link ProjectBn#SUPERKERNEL}). */
    public Part project() {
        return project;
    }

    /** The project BN dense choice {@code k} uses. */
    public Part projectBn(int k) {
        requireShared(k);
        return projectBn == ProjectBn.PER_CHOICE ? projectBns[k] : project;
    }

    /** Whether choice {@code k} is a grouped op taken from the shared weights (block-diagonal, see the class doc). */
    public boolean isGroupedShared(int k) {
        return gWidth[k] > 0;
    }

    /** Whether choice {@code k} runs on the shared weights at all (a dense op or a grouped shared op). */
    public boolean usesSharedWeights(int k) {
        return width[k] > 0 || gWidth[k] > 0 || (k == skipChoice && (skipBn != null || shortcut != null));
    }

    /** The projection shortcut every op of this layer adds (null where the layer has none). */
    public Part shortcut() {
        return shortcut;
    }

    /** The standalone block of skip (or of a grouped op the shared set cannot hold). */
    public OpBlock ownBlock(int k) {
        if (own[k] == null) {
            throw new IllegalArgumentException(choices.get(k) + " is a part of the shared weights");
        }
        return own[k];
    }

    private void requireShared(int k) {
        if (width[k] == 0) {
            throw new IllegalArgumentException(choices.get(k) + " has its own block");
        }
    }

    // ---------------------------------------------------------------- forward

    /** Choice {@code k} alone, at its own cost (sliced weights). */
    @Override
    public NDArray forward(ParameterStore ps, NDArray x, int k, boolean training) {
        if (own[k] != null) {
            return own[k].forward(ps, x, training);
        }
        Run r = new Run(ps, x, training);
        if (gWidth[k] > 0) {
            return plusInput(r, x, grouped(r, x, k));
        }
        if (k == skipChoice) {
            return skipIsIdentity ? x : shortcut != null ? shortcutOf(r, x) : projectingSkip(r, x);
        }
        int n = width[k];
        NDArray h = middle(r, expanded(r, x, n), kernelIndex[k], n, dwBnAt(kernelIndex[k]));
        NDArray z = conv(h, r.channels(r.value(project.weight), 0, n), ONE, ZERO_PAD, 1);
        return plusInput(r, x, bn(r, z, projectBn(k), cout, null));
    }

    /** A shared op's output plus what the layer adds to it: the input (residual), S(x) (shortcut), or nothing. */
    private NDArray plusInput(Run r, NDArray x, NDArray y) {
        return residual ? y.add(x) : shortcut != null ? y.add(shortcutOf(r, x)) : y;
    }

    /** The projection shortcut S(x) = BN(conv1x1(x)) with the layer's stride, no ReLU. */
    private NDArray shortcutOf(Run r, NDArray x) {
        return bn(r, conv(x, r.value(shortcut.weight), dwStride, ZERO_PAD, 1), shortcut, cout, null);
    }

    /** ReLU(BN(expand conv)) on the first n middle channels. */
    private NDArray expanded(Run r, NDArray x, int n) {
        NDArray w = r.rows(r.value(expand.weight), n);
        return relu(bn(r, conv(x, w, ONE, ZERO_PAD, 1), expand, n, null));
    }

    /**
     * Grouped shared op k without its residual, in the unshuffled channel order: the expand and project
     * convs with the block-diagonal masks of G groups (see the class doc), the shared depthwise kernel
     * of its first n channels, and the op's own three BNs.
     */
    private NDArray grouped(Run r, NDArray x, int k) {
        int n = gWidth[k];
        Part[] bns = gBns[k];
        NDArray we = owned(r.m, r.rows(r.value(expand.weight), n).mul(r.m.create(gMasks[k][0],
                new Shape(n, cin, 1, 1)).toType(x.getDataType(), false)));
        NDArray a = relu(bn(r, conv(x, we, ONE, ZERO_PAD, 1), bns[0], n, null));
        NDArray h = middle(r, a, gKernel[k], n, bns[1]);
        NDArray wp = owned(r.m, r.channels(r.value(project.weight), 0, n).mul(r.m.create(gMasks[k][1],
                new Shape(cout, n, 1, 1)).toType(x.getDataType(), false)));
        return bn(r, conv(h, wp, ONE, ZERO_PAD, 1), bns[2], cout, null);
    }

    /**
     * A projecting skip from the shared weights: ReLU(BN(conv1x1(x, P·E))) with the layer's stride,
     * where E = {@code expand.weight[:Cin]} and P = {@code project.weight[:, :Cin]} (the e1 ops' expand
     * and project, composed without the depthwise conv), and the skip's own BN. Its output channels are
     * thereby the dense ops' output channels.
     */
    private NDArray projectingSkip(Run r, NDArray x) {
        return relu(bn(r, conv(x, skipWeight(r.m, r.value(expand.weight), r.value(project.weight)), dwStride,
                ZERO_PAD, 1), skipBn, cout, null));
    }

    /** P·E as a [Cout, Cin, 1, 1] conv weight, in {@code m}. */
    private NDArray skipWeight(NDManager m, NDArray we, NDArray wp) {
        // each slice of a parameter goes to m at once: left in the parameter's manager it would pile up
        NDArray e = owned(m, owned(m, we.get(new NDIndex().addSliceDim(0, cin))).reshape(cin, cin));
        NDArray p = owned(m, owned(m, wp.get(new NDIndex().addAllDim().addSliceDim(0, cin))).reshape(cout, cin));
        return owned(m, p.matMul(e).reshape(cout, cin, 1, 1));
    }

    /** 1 where expand output channel c (of n) and input channel i are in the same of G groups. */
    private float[] expandMask(int n, int k) {
        int g = groups[k];
        float[] m = new float[n * cin];
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < cin; i++) {
                m[c * cin + i] = c / (n / g) == i / (cin / g) ? 1f : 0f;
            }
        }
        return m;
    }

    /**
     * 1 where output channel o and middle channel c meet in the grouped project conv: c sits at
     * position {@link #shuffled} after the channel shuffle, and group o/(Cout/G) reads positions of
     * group position/(n/G).
     */
    private float[] projectMask(int n, int k) {
        int g = groups[k];
        float[] m = new float[cout * n];
        for (int o = 0; o < cout; o++) {
            for (int c = 0; c < n; c++) {
                m[o * n + c] = o / (cout / g) == shuffled(c, n, g) / (n / g) ? 1f : 0f;
            }
        }
        return m;
    }

    /** Position of channel c of n after ShuffleNet's shuffle with g groups ({@code InvertedResidual.channelShuffle}). */
    static int shuffled(int c, int n, int g) {
        return (c % (n / g)) * g + c / (n / g);
    }

    /** The channel that lands at position j of n after the shuffle with g groups (inverse of {@link #shuffled}). */
    static int unshuffled(int j, int n, int g) {
        return (j % g) * (n / g) + j / g;
    }

    /** ReLU(BN(depthwise conv)) of kernel index {@code ki} on {@code a}'s n channels, with BN part {@code bnPart}. */
    private NDArray middle(Run r, NDArray a, int ki, int n, Part bnPart) {
        int kk = kernels[ki];
        NDArray w = r.rows(r.value(dw[0].weight), n);
        for (int i = 1; i <= ki; i++) {
            w = transformed(r.m, w, r.value(dw[i].transform), kernels[i - 1], kernels[i]);
        }
        NDArray d = depthwise(r, a, w, dwStride, new Shape(kk / 2, kk / 2), n);
        return relu(bn(r, d, bnPart, n, null));
    }

    /**
     * The depthwise kernel [n, 1, to, to] from a larger one [n, 1, from, from]: its centre, flattened
     * row-major, times transformᵀ (PyTorch {@code F.linear(centre, transform)}).
     */
    private static NDArray transformed(NDManager m, NDArray larger, NDArray transform, int from, int to) {
        int off = (from - to) / 2;
        long n = larger.getShape().get(0);
        NDArray centre = owned(m, larger.get(new NDIndex().addAllDim().addAllDim().addSliceDim(off, off + to)
                .addSliceDim(off, off + to)));
        return centre.reshape(n, (long) to * to).matMul(owned(m, transform.transpose())).reshape(n, 1, to, to);
    }

    /**
     * Σ_k gateRow[k]·forward(x, k): see the class documentation for what each {@link ProjectBn} computes.
     * With {@code skipZeros}, choices whose gate value is exactly 0 do not run (nor do the middle
     * channels only they use).
     */
    @Override
    public NDArray forwardMixed(ParameterStore ps, NDArray x, NDArray gateRow, float[] gateValues, boolean skipZeros,
            boolean training) {
        int n = choices.size();
        if (gateRow.getShape().dimension() != 1 || gateRow.getShape().get(0) != n) {
            throw new IllegalArgumentException("layer " + layer.name() + ": gate row must be [" + n + "], got "
                    + gateRow.getShape());
        }
        if (skipZeros && (gateValues == null || gateValues.length != n)) {
            throw new IllegalArgumentException("layer " + layer.name() + ": skipZeros needs the " + n + " gate values");
        }
        boolean[] on = new boolean[n];
        boolean any = false;
        for (int k = 0; k < n; k++) {
            on[k] = !skipZeros || gateValues[k] != 0f;
            any |= on[k];
        }
        if (!any) {
            throw new IllegalArgumentException("layer " + layer.name() + ": every gate is 0");
        }
        Run r = new Run(ps, x, training);
        NDArray sum = null;
        List<Integer> xGates = new ArrayList<>(); // choices whose gate multiplies x itself
        List<Integer> sGates = new ArrayList<>(); // choices whose gate multiplies the projection shortcut S(x)
        for (int k = 0; k < n; k++) {
            if (on[k] && shortcut != null && own[k] == null) { // a dense or grouped shared op, or skip
                sGates.add(k);
            }
        }
        int nMax = 0;
        for (int k = 0; k < n; k++) {
            if (on[k] && width[k] > 0) {
                nMax = Math.max(nMax, width[k]);
                if (residual) {
                    xGates.add(k);
                }
            }
        }
        if (nMax > 0) {
            sum = projectBn == ProjectBn.PER_CHOICE ? denseExact(r, x, gateRow, on, nMax)
                    : denseMasked(r, x, gateRow, on, nMax);
        }
        for (int k = 0; k < n; k++) {
            if (on[k] && gWidth[k] > 0) { // a grouped shared op beside the dense ones (its residual with theirs)
                NDArray y = grouped(r, x, k).mul(gate(r, gateRow, k));
                sum = sum == null ? y : sum.add(y);
                if (residual) {
                    xGates.add(k);
                }
            }
        }
        for (int k = 0; k < n; k++) {
            if (!on[k] || (own[k] == null && !(k == skipChoice && skipBn != null))) {
                continue;
            }
            if (k == skipChoice && skipIsIdentity) {
                xGates.add(k);
                continue;
            }
            if (k == skipChoice && skipBn != null) {
                NDArray y = projectingSkip(r, x).mul(gate(r, gateRow, k));
                sum = sum == null ? y : sum.add(y);
                continue;
            }
            NDArray y = own[k].forward(ps, x, training).mul(gate(r, gateRow, k));
            sum = sum == null ? y : sum.add(y);
        }
        if (!xGates.isEmpty()) {
            NDArray y = x.mul(gateSum(r, gateRow, xGates));
            sum = sum == null ? y : sum.add(y);
        }
        if (!sGates.isEmpty()) {
            NDArray y = shortcutOf(r, x).mul(gateSum(r, gateRow, sGates));
            sum = sum == null ? y : sum.add(y);
        }
        return sum;
    }

    /** PER_CHOICE: every running dense op's gated output, summed (exact). */
    private NDArray denseExact(Run r, NDArray x, NDArray gateRow, boolean[] on, int nMax) {
        NDArray a = expanded(r, x, nMax);
        NDArray wp = r.value(project.weight);
        NDArray sum = null;
        for (int ki = 0; ki < kernels.length; ki++) {
            // this kernel's running ops by width, ascending
            TreeMap<Integer, List<Integer>> byWidth = new TreeMap<>();
            for (int k = 0; k < on.length; k++) {
                if (on[k] && kernelIndex[k] == ki) {
                    byWidth.computeIfAbsent(width[k], w -> new ArrayList<>()).add(k);
                }
            }
            if (byWidth.isEmpty()) {
                continue;
            }
            int nk = byWidth.lastKey();
            NDArray h = middle(r, r.channels(a, 0, nk), ki, nk, dwBnAt(ki));
            // the channel blocks between consecutive widths, as views of one split (its backward is one
            // concatenation, where separate slices would each add a full-size zero-filled gradient)
            long[] cuts = byWidth.headMap(nk).keySet().stream().mapToLong(Integer::longValue).toArray();
            NDList hb = cuts.length == 0 ? new NDList(h) : h.split(cuts, 1);
            NDList wb = cuts.length == 0 ? new NDList(r.channels(wp, 0, nk)) : r.channels(wp, 0, nk).split(cuts, 1);
            // the project pre-activation of width w is the sum of the block convs up to w
            NDArray z = null;
            int b = 0;
            for (List<Integer> ks : byWidth.values()) {
                NDArray p = conv(hb.get(b), owned(r.m, wb.get(b)), ONE, ZERO_PAD, 1);
                z = z == null ? p : z.add(p);
                for (int k : ks) {
                    NDArray y = bn(r, z, projectBns[k], cout, gate(r, gateRow, k));
                    sum = sum == null ? y : sum.add(y);
                }
                b++;
            }
        }
        return sum;
    }

    /** SHARED: channel-masked mixture, one project conv; SUPERKERNEL: one depthwise conv as well. */
    private NDArray denseMasked(Run r, NDArray x, NDArray gateRow, boolean[] on, int nMax) {
        int n = on.length;
        NDArray a = expanded(r, x, nMax);
        NDArray row = owned(r.m, gateRow.reshape(1, n));
        NDArray hmix = projectBn == ProjectBn.SUPERKERNEL ? superkernelMiddle(r, a, row, on, nMax)
                : maskedMiddle(r, a, row, on, nMax);
        NDArray z = conv(hmix, r.channels(r.value(project.weight), 0, nMax), ONE, ZERO_PAD, 1);
        List<Integer> dense = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            if (on[k] && width[k] > 0) {
                dense.add(k);
            }
        }
        NDArray g = gateSum(r, gateRow, dense);
        NDArray gamma = r.value(project.gamma);
        NDArray beta = r.value(project.beta);
        NDArray rm = r.value(project.runningMean);
        NDArray rv = r.value(project.runningVar);
        float momentum = 1f - project.momentum; // DJL passes 1 - this to torch
        if (!r.training) {
            // Σ g_k (s·z_k + β - s·μ) = s·z + G·(β - s·μ) = BN(z; μ, σ², γ, β'),
            // β' = G·β + (1 - G)·s·μ (torch's batch_norm takes no gradient through the running mean)
            NDArray s = owned(r.m, gamma.div(owned(r.m, rv.add(ConvBn.EPS)).sqrt()));
            NDArray shift = owned(r.m, beta.mul(g)).add(s.mul(rm).mul(g.neg().add(1)));
            return BatchNorm.batchNorm(z, rm, rv, gamma, shift, -1, momentum, ConvBn.EPS, false).singletonOrThrow();
        }
        // G·BN(z/G) = BN(z/G; G·γ, G·β); at G = 0 (then z = 0) z/G is taken as 0
        NDArray safe = g.add(g.eq(0).toType(g.getDataType(), false));
        return BatchNorm.batchNorm(z.div(safe), rm, rv, owned(r.m, gamma.mul(g)), owned(r.m, beta.mul(g)), -1, momentum,
                ConvBn.EPS, true).singletonOrThrow();
    }

    /**
     * Kernel size {@code ki}'s channel mask over {@code cols} channels, [1, cols]: mask[c] = Σ gate_k·1[c <
     * width_k] over the running dense ops of that kernel size; null when none runs.
     */
    private NDArray kernelMask(Run r, NDArray row, boolean[] on, int ki, int cols) {
        int n = on.length;
        float[] ind = new float[n * cols];
        boolean any = false;
        for (int k = 0; k < n; k++) {
            if (on[k] && kernelIndex[k] == ki) {
                Arrays.fill(ind, k * cols, k * cols + width[k], 1f);
                any = true;
            }
        }
        return any ? row.matMul(r.m.create(ind, new Shape(n, cols)).toType(row.getDataType(), false)) : null;
    }

    /** SHARED's middle: per kernel size its depthwise conv, BN and ReLU times its mask, summed. */
    private NDArray maskedMiddle(Run r, NDArray a, NDArray row, boolean[] on, int nMax) {
        NDArray hmix = null;
        for (int ki = 0; ki < kernels.length; ki++) {
            int nk = 0;
            for (int k = 0; k < on.length; k++) {
                if (on[k] && kernelIndex[k] == ki) {
                    nk = Math.max(nk, width[k]);
                }
            }
            if (nk == 0) {
                continue;
            }
            NDArray mask = kernelMask(r, row, on, ki, nk).reshape(1, nk, 1, 1);
            NDArray h = middle(r, r.channels(a, 0, nk), ki, nk, dw[ki]).mul(mask);
            if (nk < nMax) {
                Shape s = h.getShape();
                h = NDArrays.concat(new NDList(h, r.m.zeros(new Shape(s.get(0), nMax - nk, s.get(2), s.get(3)),
                        h.getDataType())), 1);
            }
            hmix = hmix == null ? h : hmix.add(h);
        }
        return hmix;
    }

    /**
     * SUPERKERNEL's middle: with mask_K[c] = Σ gate_k·1[c < width_k] over the running dense ops of
     * kernel size K and mask = Σ_K mask_K, channel c's depthwise kernel is Σ_K (mask_K[c]/mask[c])·W_K[c]
     * (W_K zero-padded to the largest kernel; the largest kernel where mask[c] = 0, whose output the mask
     * zeroes, so that the BN's running statistics stay those of a real kernel), then the shared depthwise BN and
     * ReLU, times mask[c]. With one kernel size running this is SHARED's middle exactly.
     */
    private NDArray superkernelMiddle(Run r, NDArray a, NDArray row, boolean[] on, int nMax) {
        NDArray mask = null;
        NDArray[] masks = new NDArray[kernels.length];
        int last = 0; // the smallest kernel that runs: no transform beyond it
        for (int ki = 0; ki < kernels.length; ki++) {
            masks[ki] = kernelMask(r, row, on, ki, nMax);
            if (masks[ki] != null) {
                masks[ki] = masks[ki].reshape(nMax, 1, 1, 1);
                mask = mask == null ? masks[ki] : mask.add(masks[ki]);
                last = ki;
            }
        }
        NDArray none = mask.eq(0).toType(mask.getDataType(), false); // channels no running dense gate reaches
        NDArray safe = mask.add(none);
        int k0 = kernels[0];
        NDArray w0 = r.value(dw[0].weight);
        NDArray wk = r.rows(w0, nMax); // kernel size ki's weight, transformed in turn
        if (r.training && !w0.hasGradient()) {
            PER_KERNEL_THETA_STEPS.incrementAndGet();
            return superkernelMiddleDetached(r, a, wk, masks, none, safe, mask, last, nMax);
        }
        // there the largest kernel: their output is 0 (times mask) and weights and input take no gradient
        // from them either way, but a zero kernel would pull the shared depthwise BN's running statistics
        // toward 0 (reached only with gates exactly 0 and skipZeros off; a gate at exactly 0 then sees
        // the largest kernel's output there as its gradient, where it saw ReLU(β))
        NDArray mixed = owned(r.m, wk.mul(none));
        for (int ki = 0; ki <= last; ki++) {
            if (ki > 0) {
                wk = transformed(r.m, wk, r.value(dw[ki].transform), kernels[ki - 1], kernels[ki]);
            }
            if (masks[ki] == null) {
                continue;
            }
            int p = (k0 - kernels[ki]) / 2;
            NDArray padded = p == 0 ? wk : wk.pad(new Shape(p, p, p, p), 0);
            mixed = mixed.add(owned(r.m, padded.mul(masks[ki].div(safe)))); // padded may be the parameter itself
        }
        NDArray d = depthwise(r, a, mixed, dwStride, new Shape(k0 / 2, k0 / 2), nMax);
        return relu(bn(r, d, dw[0], nMax, null)).mul(mask.reshape(1, nMax, 1, 1));
    }

    /** How many superkernel middles ran per kernel size ({@link #superkernelMiddleDetached}; for tests). */
    static final java.util.concurrent.atomic.AtomicLong PER_KERNEL_THETA_STEPS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * {@link #superkernelMiddle} in a θ step (training mode, the weights detached): the same values, computed
     * per kernel size. Depthwise convolution is linear in its kernel channel by channel, so
     * conv(a, Σ_K c_K·W_K) = Σ_K c_K·conv(a, W_K), with each W_K convolved at its own size and padding (same
     * output size); in float32 the sums round differently. The gates then reach θ through the convolutions'
     * outputs, and no depthwise weight gradient is needed: in NCHW on a CPU that gradient cost the superkernel's
     * θ step 1.5-1.6x the exact mixture's.
     */
    private NDArray superkernelMiddleDetached(Run r, NDArray a, NDArray w0, NDArray[] masks, NDArray none,
            NDArray safe, NDArray mask, int last, int nMax) {
        NDArray wk = w0;
        NDArray d = null;
        for (int ki = 0; ki <= last; ki++) {
            if (ki > 0) {
                wk = transformed(r.m, wk, r.value(dw[ki].transform), kernels[ki - 1], kernels[ki]);
            }
            // channels no running gate reaches take the largest kernel, as in the mixed weight
            NDArray c = masks[ki] == null ? (ki == 0 ? none : null)
                    : ki == 0 ? masks[ki].div(safe).add(none) : masks[ki].div(safe);
            if (c == null) {
                continue;
            }
            int k = kernels[ki];
            // no weight gradient here, so no channels-last copy either (Layout): the plain convolution
            NDArray y = conv(a, wk, dwStride, new Shape(k / 2, k / 2), nMax).mul(c.reshape(1, nMax, 1, 1));
            d = d == null ? y : d.add(y);
        }
        return relu(bn(r, d, dw[0], nMax, null)).mul(mask.reshape(1, nMax, 1, 1));
    }

    private static NDArray gate(Run r, NDArray gateRow, int k) {
        return owned(r.m, gateRow.get(k));
    }

    /** Σ gateRow[k] over {@code ks}, as a 0-d array (differentiable in the gates). */
    private static NDArray gateSum(Run r, NDArray gateRow, List<Integer> ks) {
        if (ks.size() == 1) {
            return gate(r, gateRow, ks.get(0));
        }
        NDArray i = r.m.create(ks.stream().mapToLong(Integer::longValue).toArray());
        return owned(r.m, gateRow.get(new NDIndex("{}", i))).sum();
    }

    // ---------------------------------------------------------------- functional pieces

    /**
     * One forward call: where parameter values come from, and the manager every array derived from
     * them belongs to (an op puts its result in its first operand's manager: a slice of a parameter
     * would otherwise pile up in the parameter's manager, one per step).
     */
    private static final class Run {
        final ParameterStore ps;
        final Device d;
        final NDManager m;
        final boolean training;

        Run(ParameterStore ps, NDArray x, boolean training) {
            this.ps = ps;
            this.d = x.getDevice();
            this.m = x.getManager();
            this.training = training;
        }

        NDArray value(Parameter p) {
            return ps.getValue(p, d, training);
        }

        /** First n entries along axis 0 (a view; the array itself when that is all of it). */
        NDArray rows(NDArray a, int n) {
            return a.getShape().get(0) == n ? a : owned(m, a.get(new NDIndex().addSliceDim(0, n)));
        }

        /** Entries [from, to) along axis 1 (a view; the array itself when that is all of it). */
        NDArray channels(NDArray a, int from, int to) {
            return from == 0 && a.getShape().get(1) == to ? a
                    : owned(m, a.get(new NDIndex().addAllDim().addSliceDim(from, to)));
        }
    }

    /** {@code a} (a freshly derived array) now belongs to {@code m}. */
    private static NDArray owned(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }

    private static NDArray conv(NDArray x, NDArray w, Shape stride, Shape pad, int groups) {
        return Conv2d.conv2d(x, w, null, stride, pad, ONE, groups).singletonOrThrow();
    }

    /**
     * The depthwise convolution of {@code x} with {@code w} (derived from the shared depthwise weight):
     * channels-last in training when that weight trains ({@link Layout}; asked of the parameter's
     * value, since an array derived from it inside a GradientCollector reports no gradient in DJL).
     */
    private NDArray depthwise(Run r, NDArray x, NDArray w, Shape stride, Shape pad, int channels) {
        boolean trains = r.training && channels > 1 && r.value(dw[0].weight).hasGradient();
        return Layout.depthwise(x, trains, in -> conv(in, w, stride, pad, channels));
    }

    private static NDArray relu(NDArray y) {
        return y.getNDArrayInternal().relu();
    }

    /**
     * BatchNorm of {@code y} with the first n channels of part {@code p}'s BN; with {@code gate}, γ and
     * β are scaled by it (gate·BN(y) = BN(y; gate·γ, gate·β), in both modes).
     */
    private static NDArray bn(Run r, NDArray y, Part p, int n, NDArray gate) {
        NDArray gamma = r.rows(r.value(p.gamma), n);
        NDArray beta = r.rows(r.value(p.beta), n);
        if (gate != null) {
            gamma = owned(r.m, gamma.mul(gate));
            beta = owned(r.m, beta.mul(gate));
        }
        return BatchNorm.batchNorm(y, r.rows(r.value(p.runningMean), n), r.rows(r.value(p.runningVar), n), gamma,
                beta, -1, 1f - p.momentum, ConvBn.EPS, r.training).singletonOrThrow();
    }

    // ---------------------------------------------------------------- parameters, extraction, reordering

    /** The trainable tensors choice {@code k} uses (whole tensors; a dense op uses slices of them). */
    @Override
    public List<Parameter> parameters(int k) {
        List<Parameter> out = new ArrayList<>();
        if (own[k] != null) {
            for (Parameter p : BlockTree.parameters(own[k]).values()) {
                if (BlockTree.trainable(p)) {
                    out.add(p);
                }
            }
            return out;
        }
        if (k == skipChoice && skipBn != null) {
            return new ArrayList<>(List.of(expand.weight, project.weight, skipBn.gamma, skipBn.beta));
        }
        if (k == skipChoice && shortcut != null) {
            return new ArrayList<>(List.of(shortcut.weight, shortcut.gamma, shortcut.beta));
        }
        boolean g = gWidth[k] > 0;
        int ki = g ? gKernel[k] : kernelIndex[k];
        Part eb = g ? gBns[k][0] : expand;
        Part db = g ? gBns[k][1] : dwBnAt(ki);
        Part pb = g ? gBns[k][2] : projectBn(k);
        out.add(expand.weight);
        out.add(eb.gamma);
        out.add(eb.beta);
        out.add(dw[0].weight);
        for (int i = 1; i <= ki; i++) {
            out.add(dw[i].transform);
        }
        out.add(db.gamma);
        out.add(db.beta);
        out.add(project.weight);
        out.add(pb.gamma);
        out.add(pb.beta);
        if (shortcut != null) {
            out.add(shortcut.weight);
            out.add(shortcut.gamma);
            out.add(shortcut.beta);
        }
        return out;
    }

    /**
     * Writes choice {@code k} into {@code target} (a block of that op as {@link Ops#op} builds it): for a
     * dense op the sliced expand weight and BN ({@code pw1}), the depthwise kernel (transformed for a
     * smaller kernel) and that kernel's BN slice ({@code dw}), the project weight's columns and the op's
     * project BN ({@code pw2}), and a layer's projection shortcut ({@code short}; for skip {@code proj});
     * a grouped op or skip is copied by name.
     */
    @Override
    public void extract(int k, Block target) {
        if (own[k] != null) {
            Subnets.copyByName(BlockTree.parameters(own[k]), target);
            return;
        }
        Map<String, Parameter> to = BlockTree.parameters(target);
        if (gWidth[k] > 0) {
            extractGrouped(k, to);
            return;
        }
        if (k == skipChoice && shortcut != null) {
            try (NDManager tmp = shortcut.weight.getArray().getManager().newSubManager()) {
                Map<String, NDArray> from = new LinkedHashMap<>();
                putShortcut(from, "proj.", tmp);
                copyInto(k, from, to);
            }
            return;
        }
        if (k == skipChoice && skipBn != null) {
            try (NDManager tmp = expand.weight.getArray().getManager().newSubManager()) {
                Map<String, NDArray> from = new LinkedHashMap<>();
                from.put("proj.weight", skipWeight(tmp, copy(tmp, expand.weight), copy(tmp, project.weight)));
                putBn(from, "proj.", skipBn, cout, tmp);
                copyInto(k, from, to);
            }
            return;
        }
        int n = width[k];
        int ki = kernelIndex[k];
        NDManager base = expand.weight.getArray().getManager();
        try (NDManager tmp = base.newSubManager()) {
            Map<String, NDArray> from = new LinkedHashMap<>();
            from.put("pw1.weight", first(copy(tmp, expand.weight), 0, n));
            putBn(from, "pw1.", expand, n, tmp);
            NDArray w = first(copy(tmp, dw[0].weight), 0, n);
            for (int i = 1; i <= ki; i++) {
                w = transformed(tmp, w, copy(tmp, dw[i].transform), kernels[i - 1], kernels[i]);
            }
            from.put("dw.weight", w);
            putBn(from, "dw.", dwBnAt(ki), n, tmp);
            from.put("pw2.weight", first(copy(tmp, project.weight), 1, n));
            putBn(from, "pw2.", projectBn(k), cout, tmp);
            putShortcut(from, "short.", tmp);
            copyInto(k, from, to);
        }
    }

    /**
     * A grouped shared op as the plain grouped block: the diagonal blocks of the expand weight, the
     * depthwise kernel and BN in shuffled channel order, and per output group the project columns of
     * the middle channels that group reads after the shuffle.
     */
    private void extractGrouped(int k, Map<String, Parameter> to) {
        int n = gWidth[k];
        int g = groups[k];
        int ki = gKernel[k];
        int ni = cin / g;
        int nm = n / g;
        int no = cout / g;
        NDManager base = expand.weight.getArray().getManager();
        try (NDManager tmp = base.newSubManager()) {
            Map<String, NDArray> from = new LinkedHashMap<>();
            NDArray we = first(copy(tmp, expand.weight), 0, n);
            NDList blocks = new NDList();
            for (int q = 0; q < g; q++) {
                blocks.add(we.get(new NDIndex().addSliceDim(q * nm, (q + 1) * nm).addSliceDim(q * ni, (q + 1) * ni)));
            }
            from.put("pw1.weight", NDArrays.concat(blocks, 0));
            putBn(from, "pw1.", gBns[k][0], n, tmp);
            long[] order = new long[n];
            for (int j = 0; j < n; j++) {
                order[j] = unshuffled(j, n, g);
            }
            NDArray idx = tmp.create(order);
            NDArray w = first(copy(tmp, dw[0].weight), 0, n);
            for (int i = 1; i <= ki; i++) {
                w = transformed(tmp, w, copy(tmp, dw[i].transform), kernels[i - 1], kernels[i]);
            }
            from.put("dw.weight", w.get(new NDIndex("{}", idx)));
            Part db = gBns[k][1];
            from.put("dw.gamma", first(copy(tmp, db.gamma), 0, n).get(new NDIndex("{}", idx)));
            from.put("dw.beta", first(copy(tmp, db.beta), 0, n).get(new NDIndex("{}", idx)));
            from.put("dw.runningMean", first(copy(tmp, db.runningMean), 0, n).get(new NDIndex("{}", idx)));
            from.put("dw.runningVar", first(copy(tmp, db.runningVar), 0, n).get(new NDIndex("{}", idx)));
            NDArray wp = first(copy(tmp, project.weight), 1, n);
            NDList pblocks = new NDList();
            for (int q = 0; q < g; q++) {
                NDArray cols = tmp.create(java.util.Arrays.copyOfRange(order, q * nm, (q + 1) * nm));
                pblocks.add(wp.get(new NDIndex().addSliceDim(q * no, (q + 1) * no)).get(new NDIndex(":, {}", cols)));
            }
            from.put("pw2.weight", NDArrays.concat(pblocks, 0));
            putBn(from, "pw2.", gBns[k][2], cout, tmp);
            putShortcut(from, "short.", tmp);
            copyInto(k, from, to);
        }
    }

    private void copyInto(int k, Map<String, NDArray> from, Map<String, Parameter> to) {
        if (!from.keySet().equals(to.keySet())) {
            throw new IllegalStateException("target for " + choices.get(k) + " has parameters " + to.keySet()
                    + ", expected " + from.keySet());
        }
        for (Map.Entry<String, NDArray> e : from.entrySet()) {
            NDArray dst = to.get(e.getKey()).getArray();
            NDArray src = e.getValue();
            if (!src.getShape().equals(dst.getShape()) || src.getDataType() != dst.getDataType()) {
                throw new IllegalStateException("parameter " + e.getKey() + " of " + choices.get(k) + ": source "
                        + src.getShape() + " " + src.getDataType() + ", target " + dst.getShape() + " "
                        + dst.getDataType());
            }
            InPlace.copy(src, dst);
        }
    }

    /** The projection shortcut's weight and BN under {@code prefix}, where the layer has one. */
    private void putShortcut(Map<String, NDArray> out, String prefix, NDManager tmp) {
        if (shortcut != null) {
            out.put(prefix + "weight", copy(tmp, shortcut.weight));
            putBn(out, prefix, shortcut, cout, tmp);
        }
    }

    private static void putBn(Map<String, NDArray> out, String prefix, Part p, int n, NDManager tmp) {
        out.put(prefix + "gamma", first(copy(tmp, p.gamma), 0, n));
        out.put(prefix + "beta", first(copy(tmp, p.beta), 0, n));
        out.put(prefix + "runningMean", first(copy(tmp, p.runningMean), 0, n));
        out.put(prefix + "runningVar", first(copy(tmp, p.runningVar), 0, n));
    }

    /** A copy of a parameter's array in {@code tmp} (outside any gradient collector; freed with tmp). */
    private static NDArray copy(NDManager tmp, Parameter p) {
        return owned(tmp, p.getArray().duplicate());
    }

    /** The first n entries of {@code a} along {@code axis} (0 or 1). */
    private static NDArray first(NDArray a, int axis, int n) {
        if (a.getShape().get(axis) == n) {
            return a;
        }
        return axis == 0 ? a.get(new NDIndex().addSliceDim(0, n)) : a.get(new NDIndex().addAllDim().addSliceDim(0, n));
    }

    /**
     * L1 norm of each middle channel's project weights ({@code Σ_o |project.weight[o, c]|}), the
     * importance {@link #reorderChannels()} sorts by.
     */
    public float[] channelImportance() {
        NDManager base = project.weight.getArray().getManager();
        try (NDManager tmp = base.newSubManager()) {
            return copy(tmp, project.weight).abs().sum(new int[] {0, 2, 3}).toType(DataType.FLOAT32, false)
                    .toFloatArray();
        }
    }

    /**
     * OFA's {@code re_organize_middle_weights}: sorts the middle channels by {@link #channelImportance()},
     * largest first (stable), and permutes every tensor indexed by them consistently, in place: the
     * expand weight's rows and the expand BN, the depthwise weight and every depthwise BN, the project
     * weight's columns. The e-max ops compute the same function afterwards; smaller expansions now use
     * the most important channels. Returns the order applied (new channel i is old channel
     * {@code order[i]}), e.g. to permute optimizer state the same way: momentum buffers of these tensors
     * no longer line up otherwise (call it where the optimizer state is reset, as OFA does between
     * phases). Grouped ops, skip, transforms and project BNs are not touched.
     */
    public int[] reorderChannels() {
        if (mid == 0) {
            return new int[0];
        }
        float[] imp = channelImportance();
        Integer[] order = new Integer[mid];
        for (int i = 0; i < mid; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(imp[b], imp[a]));
        int[] out = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
        NDManager base = expand.weight.getArray().getManager();
        try (NDManager tmp = base.newSubManager()) {
            NDArray idx = tmp.create(Arrays.stream(out).mapToLong(i -> i).toArray());
            permute(expand.weight, idx, 0, tmp);
            permuteBn(expand, idx, tmp);
            permute(dw[0].weight, idx, 0, tmp);
            for (Part p : dw) {
                if (p.gamma != null) { // SUPERKERNEL: the smaller kernels have no BN of their own
                    permuteBn(p, idx, tmp);
                }
            }
            permute(project.weight, idx, 1, tmp);
        }
        return out;
    }

    private static void permuteBn(Part p, NDArray idx, NDManager tmp) {
        for (Parameter q : new Parameter[] {p.gamma, p.beta, p.runningMean, p.runningVar}) {
            permute(q, idx, 0, tmp);
        }
    }

    private static void permute(Parameter p, NDArray idx, int axis, NDManager tmp) {
        NDArray a = copy(tmp, p);
        NDArray permuted = axis == 0 ? a.get(new NDIndex("{}", idx)) : a.get(new NDIndex(":, {}", idx));
        InPlace.copy(permuted, p.getArray());
    }

    // ---------------------------------------------------------------- block plumbing

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException(
                "an elastic layer runs through forward(ps, x, k, training) or forwardMixed");
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Pair<String, Block> c : getChildren()) {
            c.getValue().initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != cin) {
            throw new IllegalArgumentException("layer " + layer.name() + " expects [B, " + cin + ", H, W], got " + in);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = (in.get(2) - 1) / layer.stride() + 1;
        long w = (in.get(3) - 1) / layer.stride() + 1;
        return new Shape[] {new Shape(in.get(0), cout, h, w)};
    }

    @Override
    public String toString() {
        return "ElasticLayer(" + layer.name() + " " + cin + "->" + cout + " s" + layer.stride() + ", mid " + mid
                + ", kernels " + Arrays.toString(kernels) + ", project BN " + projectBn
                + (shortcut != null ? ", projection shortcut" : "") + ")";
    }

    /**
     * A named group of an elastic layer's tensors: a conv {@code weight} (Xavier, as {@link ConvBn}) or
     * a kernel {@code transform} (identity at start), and/or a BatchNorm's {@code gamma, beta,
     * runningMean, runningVar}; it may hold further parts (the per-op project BNs). Not callable: the
     * layer runs it.
     */
    public static final class Part extends AbstractBlock {
        private final Parameter weight;
        private final Parameter transform;
        private final Parameter gamma;
        private final Parameter beta;
        private final Parameter runningMean;
        private final Parameter runningVar;
        private float momentum = ConvBn.DEFAULT_MOMENTUM;

        Part(Shape weightShape, int transformSize, int bnChannels) {
            weight = weightShape == null ? null
                    : addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                            .optShape(weightShape)
                            .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                                    XavierInitializer.FactorType.OUT, 2))
                            .build());
            transform = transformSize == 0 ? null
                    : addParameter(Parameter.builder().setName("transform").setType(Parameter.Type.WEIGHT)
                            .optShape(new Shape(transformSize, transformSize)).optInitializer(IDENTITY).build());
            if (bnChannels > 0) {
                Shape s = new Shape(bnChannels);
                gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA).optShape(s)
                        .optInitializer(Initializer.ONES).build());
                beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA).optShape(s)
                        .optInitializer(Initializer.ZEROS).build());
                runningMean = addParameter(Parameter.builder().setName("runningMean")
                        .setType(Parameter.Type.RUNNING_MEAN).optShape(s).optInitializer(Initializer.ZEROS)
                        .optRequiresGrad(false).build());
                runningVar = addParameter(Parameter.builder().setName("runningVar")
                        .setType(Parameter.Type.RUNNING_VAR).optShape(s).optInitializer(Initializer.ONES)
                        .optRequiresGrad(false).build());
            } else {
                gamma = null;
                beta = null;
                runningMean = null;
                runningVar = null;
            }
        }

        private static final Initializer IDENTITY = (manager, shape, dataType) ->
                manager.eye((int) shape.get(0)).toType(dataType, false);

        Part addPart(String name, Part p) {
            return addChildBlock(name, p);
        }

        public Parameter weight() {
            return weight;
        }

        public Parameter transform() {
            return transform;
        }

        public Parameter gamma() {
            return gamma;
        }

        public Parameter beta() {
            return beta;
        }

        public Parameter runningMean() {
            return runningMean;
        }

        public Parameter runningVar() {
            return runningVar;
        }

        /** Whether this part holds a BatchNorm. */
        public boolean hasBn() {
            return gamma != null;
        }

        /** BN momentum, PyTorch convention (weight of the new batch). */
        public float momentum() {
            return momentum;
        }

        public void setMomentum(float momentum) {
            if (!(momentum >= 0f && momentum <= 1f)) {
                throw new IllegalArgumentException("momentum must be in [0, 1]: " + momentum);
            }
            this.momentum = momentum;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            throw new UnsupportedOperationException("a part of an elastic layer is run by the layer");
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            for (Pair<String, Block> c : getChildren()) {
                c.getValue().initialize(manager, dataType, inputShapes);
            }
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            throw new UnsupportedOperationException("a part of an elastic layer has no output of its own");
        }
    }
}
