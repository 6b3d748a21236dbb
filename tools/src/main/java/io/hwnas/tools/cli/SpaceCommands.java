package io.hwnas.tools.cli;

import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hwnas spaces} and {@code hwnas space show}. */
public final class SpaceCommands {
    private SpaceCommands() {}

    @Command(name = "spaces", mixinStandardHelpOptions = true, description = "List the registered search spaces.")
    public static final class Spaces implements Callable<Integer> {
        @Mixin
        Output out;

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            int w = Math.max(2, SpaceRegistry.all().stream().mapToInt(s -> s.id().length()).max().orElse(0));
            StringBuilder sb = new StringBuilder(String.format("%-" + w + "s %-10s %6s %4s %-22s %s%n",
                    "id", "input", "layers", "ops", "MMACs (min-max)", "description"));
            for (SearchSpace s : SpaceRegistry.all()) {
                Costs.Cost[] r = Costs.range(s);
                rows.add(summary(s, r));
                sb.append(String.format("%-" + w + "s %-10s %6d %4d %-22s %s%n", s.id(), input(s), s.layerCount(),
                        s.ops().size(), String.format("%.1f-%.1f", r[0].macs() / 1e6, r[1].macs() / 1e6),
                        s.description()));
            }
            out.print(rows, sb.toString());
            return 0;
        }
    }

    @Command(name = "space", mixinStandardHelpOptions = true, description = "Inspect a search space.",
            subcommands = {Show.class})
    public static final class Space extends UsageGroup {
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a space's layers, input shapes, strides, channels, candidate ops and FLOPs/params range.")
    public static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "SPACE|FILE", description = "A registered space id or a space JSON file.")
        String space;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            SearchSpace s = SpaceRegistry.resolve(space);
            Costs.Cost[] r = Costs.range(s);
            Map<String, Object> json = summary(s, r);
            json.put("space", s);
            List<Map<String, Object>> layers = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            sb.append(s.id()).append(": ").append(s.description()).append('\n');
            sb.append(String.format("input %s; stem %dx%d conv -> %d, stride %d; head 1x1 conv -> %d, pool, FC -> %d%n",
                    input(s), s.stem().kernel(), s.stem().kernel(), s.stem().channels(), s.stem().stride(),
                    s.head().channels(), s.head().classes()));
            sb.append("candidate ops: ").append(String.join(" ", s.ops())).append('\n');
            if (s.projectionShortcut()) {
                sb.append("projection shortcuts: every op of a layer marked * adds BN(1x1 conv) of its input, and skip"
                        + " there is that alone\n");
            }
            sb.append(String.format("%3s %-16s %-12s %5s %5s %6s %12s %12s%n", "#", "layer", "input", "cin", "cout",
                    "stride", "MACs min", "MACs max"));
            for (LayerSpec l : s.layers()) {
                long lo = Long.MAX_VALUE;
                long hi = 0;
                for (String op : s.ops()) {
                    long m = Costs.op(l, OpSpec.parse(op)).macs();
                    lo = Math.min(lo, m);
                    hi = Math.max(hi, m);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("index", l.index());
                row.put("name", l.name());
                row.put("input_shape", List.of(l.inChannels(), l.inHeight(), l.inWidth()));
                row.put("in_channels", l.inChannels());
                row.put("out_channels", l.outChannels());
                row.put("stride", l.stride());
                row.put("shortcut", l.hasShortcut());
                row.put("macs_min", lo);
                row.put("macs_max", hi);
                layers.add(row);
                sb.append(String.format("%3d %-16s %-12s %5d %5d %6d %12d %12d%n", l.index(), l.name()
                        + (l.hasShortcut() ? " *" : ""),
                        l.inChannels() + "x" + l.inHeight() + "x" + l.inWidth(), l.inChannels(), l.outChannels(),
                        l.stride(), lo, hi));
            }
            json.put("layers", layers);
            Costs.Cost f = Costs.fixed(s);
            sb.append(String.format("fixed parts (stem + head): %.2f MMACs, %d params%n", f.macs() / 1e6, f.params()));
            sb.append(String.format("whole network: %.2f-%.2f MMACs, %.3f-%.3f M params%n", r[0].macs() / 1e6,
                    r[1].macs() / 1e6, r[0].params() / 1e6, r[1].params() / 1e6));
            out.print(json, sb.toString());
            return 0;
        }
    }

    static String input(SearchSpace s) {
        return s.input().channels() + "x" + s.input().height() + "x" + s.input().width();
    }

    static Map<String, Object> summary(SearchSpace s, Costs.Cost[] r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("description", s.description());
        m.put("input", List.of(s.input().channels(), s.input().height(), s.input().width()));
        m.put("layers", s.layerCount());
        m.put("ops", s.ops());
        m.put("macs_min", r[0].macs());
        m.put("macs_max", r[1].macs());
        m.put("params_min", r[0].params());
        m.put("params_max", r[1].params());
        return m;
    }
}
