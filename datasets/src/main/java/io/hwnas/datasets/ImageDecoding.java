package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/** Decoding encoded images (JPEG, PNG, ...) with ImageIO into uint8 CHW arrays, in parallel. */
final class ImageDecoding {
    static {
        ImageIO.setUseCache(false); // no temp files per image: much faster
    }

    private ImageDecoding() {}

    /** One encoded image to decode: a name for error messages, its class, and its bytes (loaded on demand). */
    record Source(String name, int label, Loader bytes) {}

    @FunctionalInterface
    interface Loader {
        byte[] load() throws IOException;
    }

    /**
     * Decodes {@code sources} in parallel into an ImageSet of {@code height x width} (resizing
     * when {@code resize}, else refusing other sizes). {@code channels} 3 = RGB, 1 = grey, 0 =
     * grey if every image is grey, else RGB.
     */
    static ImageSet decodeAll(String name, int classes, List<Source> sources, int height, int width, int channels,
            boolean resize) {
        int n = sources.size();
        int rgbBytes = 3 * height * width;
        byte[] rgb = new byte[Math.multiplyExact(n, rgbBytes)];
        int[] labels = new int[n];
        AtomicBoolean allGrey = new AtomicBoolean(true);
        IntStream.range(0, n).parallel().forEach(i -> {
            Source s = sources.get(i);
            labels[i] = s.label();
            byte[] enc;
            try {
                enc = s.bytes().load();
            } catch (IOException e) {
                throw HwnasException.inFile(s.name(), "cannot read: " + e);
            }
            BufferedImage img = read(enc, s.name());
            if (img.getWidth() != width || img.getHeight() != height) {
                if (!resize) {
                    throw HwnasException.inFile(s.name(), "image is " + img.getWidth() + "x" + img.getHeight()
                            + " (width x height), expected " + width + "x" + height);
                }
                img = resize(img, width, height);
            }
            if (!toRgb(img, rgb, i * rgbBytes)) {
                allGrey.set(false);
            }
        });
        boolean grey = channels == 1 || (channels == 0 && allGrey.get() && n > 0);
        if (!grey) {
            return new ImageSet(name, 3, height, width, classes, rgb, labels);
        }
        int plane = height * width;
        byte[] g = new byte[n * plane];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rgb, i * rgbBytes, g, i * plane, plane); // R plane (= G = B for grey images)
        }
        return new ImageSet(name, 1, height, width, classes, g, labels);
    }

    static BufferedImage read(byte[] enc, Object name) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(enc));
            if (img == null) {
                throw HwnasException.inFile(name, "not a readable image (no ImageIO decoder for its format)");
            }
            return img;
        } catch (IOException e) {
            throw HwnasException.inFile(name, "corrupt image: " + e.getMessage());
        }
    }

    static BufferedImage resize(BufferedImage img, int width, int height) {
        boolean grey = isGrey(img);
        BufferedImage out = new BufferedImage(width, height, grey ? BufferedImage.TYPE_BYTE_GRAY
                : BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    static boolean isGrey(BufferedImage img) {
        return img.getColorModel() instanceof ComponentColorModel cm && cm.getNumComponents() == 1
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /** Writes the image as R, G, B planes at {@code off}; returns true if it is a grey image. */
    static boolean toRgb(BufferedImage img, byte[] out, int off) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        Raster r = img.getRaster();
        int[] buf = new int[plane];
        if (isGrey(img) && r.getNumBands() == 1 && r.getSampleModel().getSampleSize(0) == 8) {
            r.getSamples(0, 0, w, h, 0, buf);
            for (int c = 0; c < 3; c++) {
                for (int k = 0; k < plane; k++) {
                    out[off + c * plane + k] = (byte) buf[k];
                }
            }
            return true;
        }
        if (img.getColorModel() instanceof ComponentColorModel cm && cm.getColorSpace().isCS_sRGB()
                && r.getNumBands() >= 3 && r.getSampleModel().getSampleSize(0) == 8) {
            for (int c = 0; c < 3; c++) {
                r.getSamples(0, 0, w, h, c, buf);
                for (int k = 0; k < plane; k++) {
                    out[off + c * plane + k] = (byte) buf[k];
                }
            }
            return false;
        }
        img.getRGB(0, 0, w, h, buf, 0, w); // any other colour model: let Java2D convert to sRGB
        boolean grey = true;
        for (int k = 0; k < plane; k++) {
            int p = buf[k];
            byte rr = (byte) (p >>> 16);
            byte gg = (byte) (p >>> 8);
            byte bb = (byte) p;
            out[off + k] = rr;
            out[off + plane + k] = gg;
            out[off + 2 * plane + k] = bb;
            grey &= rr == gg && gg == bb;
        }
        return grey;
    }
}
