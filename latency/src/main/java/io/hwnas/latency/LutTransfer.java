package io.hwnas.latency;

import io.hwnas.core.HwnasException;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A device's table carried over to another space with the same candidate ops or some of them (an estimate, not a
 * measurement): what a user has when a device was measured for one layout (the HW-NAS-Bench
 * tables describe {@code fbnet-cifar}) and a supernet of another layout (a quickstart's
 * {@code fbnet-fmnist-tiny}) should be specialized for it.
 *
 * <p>Layer {@code stage i, block j} of the target takes the entries of the source's layer {@code
 * stage i, block min(j, n_i - 1)} (the spaces need the same number of stages), each multiplied by
 * one scale per layer: the ratio of the two layers' multiply-accumulates summed over the ops that
 * compute (an identity skip has none). One scale per layer keeps the device's order of the ops in
 * that layer and turns a table of deltas (HW-NAS-Bench: each op against {@code k3_e1}) into deltas.
 * The fixed part is set so that the target's network of the first op everywhere (all-{@code
 * k3_e1}) takes the source's all-{@code k3_e1} latency times the ratio of the two networks' MACs.
 *
 * <p>Latency is not proportional to MACs on most devices (per-layer overheads, memory traffic,
 * small layers that do not fill an accelerator), so the result is marked {@code estimated} and
 * says how it was made; it keeps each device's ranking of the ops within a layer, which is what
 * moves a specialized pick, more than its milliseconds.
 */
public final class LutTransfer {
    private LutTransfer() {}

    /** How a target layer was filled: from which source layer, scaled by how much. */
    public record LayerMap(int layer, String layerName, int sourceLayer, String sourceLayerName, double scale) {}

    /** The transferred table and how it was made. */
    public record Result(Lut lut, List<LayerMap> layers, double networkScale) {}

    /**
     * Refuses a table of a space with projection shortcuts (what a device's published table never is): its
     * shortcut costs cannot be told apart from its ops'.
     */
    public static void checkSource(SearchSpace from, SearchSpace to) {
        if (from.projectionShortcut()) {
            throw new HwnasException("space " + from.id() + " of the table has projection shortcuts (\"shortcut\":"
                    + " \"projection\"); only a table of a space without them (a device's published table) carries over;"
                    + " measure a table for " + to.id() + " with 'hwnas lut measure'");
        }
    }

    /**
     * Into a space with some of the table's ops (in any order), the entries and the fixed part are those the same
     * layout with all of the table's ops takes, so each of its architectures keeps that latency.
     *
     * @param source a table of {@code from} (its space already checked)
     * @param sourceName where it came from (a file name), for the notes
     */
    public static Result transfer(Lut source, SearchSpace from, SearchSpace to, String sourceName) {
        if (!from.ops().containsAll(to.ops())) {
            List<String> missing = new ArrayList<>(to.ops());
            missing.removeAll(from.ops());
            throw new HwnasException("space " + to.id() + ": candidate ops " + missing + " are not in the table's space "
                    + from.id() + " " + from.ops() + "; a table carries over only to a space with the same ops or"
                    + " some of them");
        }
        checkSource(from, to);
        List<String> dropped = new ArrayList<>(from.ops());
        dropped.removeAll(to.ops());
        SearchSpace layout = dropped.isEmpty() ? to : new SearchSpace(to.schema(), to.id(), to.description(), to.input(),
                to.stem(), to.stages(), to.head(), from.ops(), to.shortcut());
        int stagesFrom = from.stages().size();
        int stagesTo = to.stages().size();
        if (stagesFrom != stagesTo) {
            throw new HwnasException("space " + to.id() + ": " + stagesTo + " stages, the table's space " + from.id()
                    + " has " + stagesFrom + "; a table carries over only between spaces with the same stages");
        }
        double[][] src = source.tableMs(from);
        List<LayerSpec> fromLayers = from.layers();
        List<OpSpec> ops = new ArrayList<>();
        for (String op : layout.ops()) {
            ops.add(OpSpec.parse(op));
        }
        double allFirstSource = source.fixedMs();
        for (int l = 0; l < fromLayers.size(); l++) {
            allFirstSource += src[l][0];
        }
        String first = layout.ops().get(0);
        long firstMacs = Costs.architecture(layout, Architecture.uniform(layout, first)).macs();
        double networkScale = (double) firstMacs / Costs.architecture(from, Architecture.uniform(from, first)).macs();
        // a projection shortcut (in no device's table) at the device's average time per multiply-accumulate
        double msPerMac = allFirstSource * networkScale / firstMacs;
        List<LayerMap> maps = new ArrayList<>();
        List<LutEntry> entries = new ArrayList<>();
        double refTarget = 0;
        double shortcutMs = 0;
        for (LayerSpec t : layout.layers()) {
            LayerSpec s = sourceLayer(fromLayers, t);
            LayerSpec plain = new LayerSpec(t.index(), t.stage(), t.block(), t.inChannels(), t.outChannels(), t.stride(),
                    t.inHeight(), t.inWidth());
            double scale = (double) computeMacs(plain, ops) / computeMacs(s, ops);
            double shortcut = t.hasShortcut()
                    ? msPerMac * Costs.convBn(t.inChannels(), t.outChannels(), 1, 1, t.outHeight(), t.outWidth()).macs() : 0;
            shortcutMs += shortcut;
            maps.add(new LayerMap(t.index(), t.name(), s.index(), s.name(), scale));
            for (int o = 0; o < ops.size(); o++) {
                double add = ops.get(o).isSkip() ? 0 : shortcut; // skip there is the shortcut: the source's projecting skip
                if (to.ops().contains(layout.ops().get(o))) { // the ops of a smaller space only
                    entries.add(LutEntry.of(t.index(), t.name(), layout.ops().get(o), scale * src[s.index()][o] + add));
                }
            }
            refTarget += scale * src[s.index()][0] + (ops.get(0).isSkip() ? 0 : shortcut);
        }
        double fixed = allFirstSource * networkScale - refTarget;
        DeviceRecord d = source.device();
        StringBuilder how = new StringBuilder();
        for (LayerMap m : maps) {
            how.append(String.format(Locale.ROOT, "%s%s <- %s x%.4g", how.isEmpty() ? "" : "; ", m.layerName(),
                    m.sourceLayerName(), m.scale()));
        }
        String notes = String.format(Locale.ROOT, "ESTIMATED: the %s table of space %s (%s, %s) carried over to space %s"
                + " by multiply-accumulates: each layer takes the entries of the source layer in the same stage"
                + " (the same block, else the stage's last), times the ratio of the two layers' MACs over the ops;"
                + " fixed_ms makes the all-%s network %.4g x the source's (%.4f ms; the networks' MAC ratio). Layers: %s."
                + " Latency is not proportional to MACs on most devices: the ranking of ops within a layer is the"
                + " device's, the milliseconds are rough.%s%s%s", d.name(), from.id(), d.source().id(), sourceName,
                to.id(), first, networkScale, allFirstSource, how, to.projectionShortcut() ? String.format(Locale.ROOT,
                        " The projection shortcuts of %s (in no device's table) are added to its kK_eE ops at the"
                        + " device's average time per multiply-accumulate (%.4g ms in all; its skip there is the"
                        + " source's projecting skip).", to.id(), shortcutMs) : "",
                dropped.isEmpty() ? "" : " Space " + to.id() + " has only some of the table's ops: its entries are those of"
                        + " the same layout with all of them (the fixed part too); " + dropped + " dropped.",
                d.notes() == null ? "" : " Source notes: " + d.notes());
        DeviceRecord rec = new DeviceRecord(d.name(), DeviceRecord.Source.ESTIMATED, d.runtime(), d.threads(), d.batch(),
                d.precision(), d.cpu(), d.host(), OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), notes);
        Lut lut;
        try {
            lut = new Lut(to.id(), rec, fixed, entries, null).withSpace(to);
            LatencyModels.of(lut, to, sourceName); // refuses a table some architecture would take no time under
        } catch (HwnasException e) {
            throw new HwnasException("the " + d.name() + " table of " + sourceName + " carried over to space " + to.id()
                    + " is not a usable table: " + e.getMessage());
        }
        return new Result(lut, List.copyOf(maps), networkScale);
    }

    /** The source layer in the same stage with the same block index, or the stage's last block. */
    static LayerSpec sourceLayer(List<LayerSpec> from, LayerSpec t) {
        LayerSpec best = null;
        for (LayerSpec s : from) {
            if (s.stage() == t.stage() && s.block() <= t.block() && (best == null || s.block() > best.block())) {
                best = s;
            }
        }
        if (best == null) {
            throw new HwnasException("layer " + t.name() + ": no layer of stage " + t.stage() + " in the table's space");
        }
        return best;
    }

    /** MACs of a layer summed over its ops (an identity skip adds none). */
    static long computeMacs(LayerSpec l, List<OpSpec> ops) {
        long m = 0;
        for (OpSpec op : ops) {
            m += Costs.op(l, op).macs();
        }
        return m;
    }
}
