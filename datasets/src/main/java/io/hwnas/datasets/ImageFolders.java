package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Image-folder datasets: {@code <dir>/<class>/<image>}, classes = sorted sub-folder names. */
final class ImageFolders {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolders.class);
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    private ImageFolders() {}

    static boolean isImage(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith) && !n.startsWith(".");
    }

    /** Sorted names of the (non-hidden) sub-folders of {@code dir}. */
    static List<String> classes(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new HwnasException(dir + ": not a directory (expected an image folder <dir>/<class>/<image>)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
            if (names.isEmpty()) {
                throw new HwnasException(dir + ": no class sub-folders (expected <dir>/<class>/<image>)");
            }
            return names;
        } catch (IOException e) {
            throw new HwnasException(dir + ": cannot list: " + e);
        }
    }

    /** Generic folder: any classes, resize to h x w (0, 0 = size of the first image), grey if all images are. */
    static ImageSet load(Path dir, int height, int width) {
        HwnasException.require(height >= 0 && width >= 0 && (height == 0) == (width == 0), "height/width",
                height + "x" + width, "must both be positive, or both 0 for the size of the first image");
        return load(dir, Datasets.FOLDER, classes(dir), height, width, 0, true, true);
    }

    /** As below; {@code everyClass}: a class folder without images is refused (a training split's). */
    static ImageSet load(Path dir, String name, List<String> classes, int height, int width, int channels,
            boolean resize, boolean everyClass) {
        long t0 = System.nanoTime();
        List<ImageDecoding.Source> sources = new ArrayList<>();
        long totalBytes = 0;
        long maxModified = 0;
        List<String> empty = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path cdir = dir.resolve(classes.get(c));
            List<Path> files;
            try (Stream<Path> s = Files.list(cdir)) {
                files = s.filter(p -> isImage(p.getFileName().toString()) && Files.isRegularFile(p)).sorted().toList();
            } catch (IOException e) {
                throw new HwnasException(cdir + ": cannot list: " + e);
            }
            if (files.isEmpty()) {
                empty.add(classes.get(c));
            }
            for (Path f : files) {
                try {
                    totalBytes += Files.size(f);
                    maxModified = Math.max(maxModified, Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) {
                    throw new HwnasException(f + ": cannot read: " + e);
                }
                sources.add(new ImageDecoding.Source(f.toString(), c, () -> Files.readAllBytes(f)));
            }
        }
        if (sources.isEmpty()) {
            throw new HwnasException(dir + ": no images (" + String.join(", ", EXTENSIONS) + ") in the class folders "
                    + classes);
        }
        if (everyClass && !empty.isEmpty()) {
            throw new HwnasException(dir + ": " + empty.size() + " of " + classes.size() + " class folders hold no images ("
                    + String.join(", ", EXTENSIONS) + "): " + String.join(", ", empty.subList(0, Math.min(5, empty.size())))
                    + (empty.size() > 5 ? ", ..." : "") + "; a class without training images cannot be learned: remove"
                    + " those folders, or check that the folder is the dataset (<dir>/<class>/<image>)");
        }
        int h = height;
        int w = width;
        if (h == 0) {
            try {
                BufferedImage first = ImageDecoding.read(sources.get(0).bytes().load(), sources.get(0).name());
                h = first.getHeight();
                w = first.getWidth();
            } catch (IOException e) {
                throw new HwnasException(sources.get(0).name() + ": cannot read: " + e);
            }
        }
        String key = "folder|" + name + "|" + ImageCache.where(dir) + "|" + classes + "|" + sources.size()
                + "|" + totalBytes + "|" + maxModified + "|" + h + "x" + w + "|c" + channels + "|r" + resize;
        Path cacheDir = sources.size() >= ImageCache.MIN_IMAGES ? ImageCache.dir() : null;
        Path cacheFile = cacheDir == null ? null : ImageCache.file(cacheDir, name + "-" + dir.getFileName(), key);
        ImageSet cached = ImageCache.read(cacheFile, key);
        if (cached != null) {
            LOG.info("{}: {} images from cache {}", dir, cached.size(), cacheFile);
            return cached;
        }
        ImageSet set = ImageDecoding.decodeAll(name, classes.size(), sources, h, w, channels, resize);
        LOG.info("{}: decoded {} images in {} s", dir, set.size(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        if (cacheFile != null) {
            ImageCache.write(cacheFile, key, set);
        }
        return set;
    }
}
