package io.hwnas.search.train;

import io.hwnas.latency.DeviceRecord;
import io.hwnas.latency.Lut;
import io.hwnas.latency.LutEntry;
import io.hwnas.supernet.space.Costs;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.OpSpec;
import io.hwnas.supernet.space.SearchSpace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Synthetic LUTs for tests: latency proportional to MACs plus a per-op overhead. */
final class TestLuts {
    private TestLuts() {}

    static Lut macs(SearchSpace s, double fixedMs, double msPerMMac, double overheadMs) {
        List<LutEntry> e = new ArrayList<>();
        for (LayerSpec l : s.layers()) {
            for (String op : s.ops()) {
                OpSpec o = OpSpec.parse(op);
                double ms = o.isIdentity(l) ? 0 : overheadMs + msPerMMac * Costs.op(l, o).macs() / 1e6;
                e.add(LutEntry.of(l.index(), l.name(), op, ms));
            }
        }
        DeviceRecord d = new DeviceRecord("synthetic", DeviceRecord.Source.ESTIMATED, "test", 1, 1, "fp32", null, null,
                "2026-01-01T00:00:00Z", "proportional to MACs");
        return new Lut(s.id(), d, fixedMs, e, null);
    }

    static Path write(Lut lut, Path file) {
        lut.write(file);
        return file;
    }
}
