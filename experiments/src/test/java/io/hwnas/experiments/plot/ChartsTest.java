package io.hwnas.experiments.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @Test
    void ticksAreNiceAndCoverTheRange() {
        assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10}, Charts.ticks(0, 10), 1e-12);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, Charts.ticks(0, 1), 1e-9);
        assertArrayEquals(new double[] {-50, 0, 50, 100, 150, 200, 250}, Charts.ticks(-60, 260), 1e-9);
    }

    @Test
    void writesReadablePngsWithDataDrawn(@TempDir Path dir) throws Exception {
        Path line = dir.resolve("line.png");
        Charts.xy(line, "loss", "epoch", "loss", List.of(
                new Charts.Series("train", new double[] {0, 1, 2}, new double[] {2.3, 1.1, 0.7}, true)));
        BufferedImage img = ImageIO.read(line.toFile());
        assertEquals(900, img.getWidth());
        Path heat = dir.resolve("heat.png");
        Charts.heatmap(heat, "theta", List.of("l0", "l1"), List.of("a", "b"), new double[][] {{0, 1}, {1, 0}}, 0, 1,
                true);
        BufferedImage hm = ImageIO.read(heat.toFile());
        // the cell for value 1 is dark blue, the cell for value 0 is white
        int left = 130;
        int top = 60;
        int cell = Math.max(26, Math.min(60, 700 / 2));
        int cellH = Math.max(14, Math.min(30, 600 / 2));
        assertEquals(0xffffff, hm.getRGB(left + 3, top + 3) & 0xffffff);
        assertNotEquals(0xffffff, hm.getRGB(left + cell + 3, top + 3) & 0xffffff);
        assertNotEquals(hm.getRGB(left + 3, top + 3), hm.getRGB(left + 3, top + cellH + 3));
    }
}
