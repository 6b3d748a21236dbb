package io.hwnas.experiments.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    /** Pixels of exactly this colour. */
    private static int count(BufferedImage img, Color c) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void cellAnnotations() {
        assertEquals("0.25", Charts.fmt(0.25));
        assertEquals("1.5", Charts.fmt(1.5));
        assertEquals("120", Charts.fmt(120.4));
        assertEquals("2.0e-04", Charts.fmt(0.0002));
    }

    @Test
    void writesReadablePngsWithDataDrawn(@TempDir Path dir) throws Exception {
        Path line = dir.resolve("line.png");
        Charts.xy(line, "loss", "epoch", "loss", List.of(
                new Charts.Series("train", new double[] {0, 1, 2}, new double[] {2.3, 1.1, 0.7}, true),
                new Charts.Series("test", new double[] {0, 1, 2}, new double[] {2.4, Double.NaN, 0.9}, false)));
        BufferedImage img = ImageIO.read(line.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(560, img.getHeight());
        assertTrue(count(img, Charts.PALETTE[0]) > 100, "first series drawn in its colour");
        assertTrue(count(img, Charts.PALETTE[1]) > 20, "second series' dots drawn");

        Path heat = dir.resolve("heat.png");
        Charts.heatmap(heat, "theta", List.of("l0", "l1"), List.of("a", "b"), new double[][] {{0, 1}, {1, 0}}, 0, 1,
                true);
        BufferedImage hm = ImageIO.read(heat.toFile());
        // two cells of the top colour and two white ones: each cell is at least 34 x 16 pixels
        assertTrue(count(hm, Charts.HEAT_HIGH) > 2 * 30 * 12, "cells of value 1 drawn in the top colour");
        Path empty = dir.resolve("empty.png");
        Charts.xy(empty, "nothing", "x", "y", List.of(new Charts.Series("nan", new double[] {1},
                new double[] {Double.NaN}, true)));
        assertTrue(Files.size(empty) > 1000);
        assertTrue(List.of(dir.toFile().list()).stream().noneMatch(f -> f.endsWith(".tmp")));
    }
}
