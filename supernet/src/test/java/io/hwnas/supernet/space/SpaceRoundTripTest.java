package io.hwnas.supernet.space;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.supernet.util.Json;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpaceRoundTripTest {
    static Stream<String> ids() {
        return SpaceRegistry.all().stream().map(SearchSpace::id);
    }

    @ParameterizedTest
    @MethodSource("ids")
    void everyRegisteredSpaceSurvivesAJsonRoundTrip(String id) {
        SearchSpace s = SpaceRegistry.get(id);
        SearchSpace back = Json.parse("round-trip", Json.write(s), SearchSpace.class);
        assertEquals(s, back);
        assertEquals(s.layers(), back.layers());
    }

    /** fbnet-cifar layer 1 (stage1.block0): 16 -> 24 channels, stride 1, 32x32. */
    @Test
    void hand_computed_k3_e6_on_fbnet_cifar_layer1() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        LayerSpec l = s.layers().get(1);
        assertEquals("stage1.block0", l.name());
        // pw1 16*96 + dw 96*9 + pw2 96*24 weights, every one applied at 32*32 positions
        long weights = 16 * 96 + 96 * 9 + 96 * 24;
        assertEquals(4704, weights);
        Costs.Cost c = Costs.op(l, OpSpec.parse("k3_e6"));
        assertEquals(weights * 32 * 32, c.macs());
        assertEquals(4_816_896L, c.macs());
        assertEquals(weights + 2 * (96 + 96 + 24), c.params());
    }

    @Test
    void hand_computed_skip_with_and_without_projection() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        Costs.Cost proj = Costs.op(s.layers().get(1), OpSpec.parse("skip")); // 16 -> 24
        assertEquals(16L * 24 * 32 * 32, proj.macs());
        assertEquals(16 * 24 + 2 * 24, proj.params());
        Costs.Cost id = Costs.op(s.layers().get(0), OpSpec.parse("skip")); // 16 -> 16, stride 1
        assertEquals(Costs.Cost.ZERO, id);
        // stride-2 projection (stage2.block0: 24 -> 32, 32x32 -> 16x16) counts output positions
        LayerSpec l5 = s.layers().get(5);
        assertEquals(2, l5.stride());
        assertEquals(24L * 32 * 16 * 16, Costs.op(l5, OpSpec.parse("skip")).macs());
    }

    @Test
    void hand_computed_grouped_op() {
        SearchSpace s = SpaceRegistry.get("fbnet-cifar");
        LayerSpec l = s.layers().get(1); // 16 -> 24, mid 16
        Costs.Cost c = Costs.op(l, OpSpec.parse("k5_e1_g2"));
        long weights = 16 * (16 / 2) + 16 * 25 + 24 * (16 / 2);
        assertEquals(weights * 32 * 32, c.macs());
        assertEquals(weights + 2 * (16 + 16 + 24), c.params());
    }
}
