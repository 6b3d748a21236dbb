package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CIFAR-10 readers: the binary release (records of 1 label byte + 3072 pixel bytes, R, G, B
 * planes of 32x32), the image-folder layout, and tars of either.
 */
final class Cifar10 {
    private static final Logger LOG = LoggerFactory.getLogger(Cifar10.class);
    static final int RECORD = 1 + 3 * 32 * 32;
    static final String BIN_DIR = "cifar-10-batches-bin";
    private static final Pattern IMAGE_ENTRY = Pattern.compile("(?:^|.*/)(train|test)/([^/]+)/([^/]+)$");
    private static final Pattern BIN_ENTRY = Pattern.compile("(?:^|.*/)(data_batch_[1-5]|test_batch)\\.bin$");

    private Cifar10() {}

    static List<String> binaryFiles(boolean train) {
        return train ? List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin") : List.of("test_batch.bin");
    }

    static ImageSet load(Path p, boolean train) {
        if (!Files.exists(p)) {
            throw new HwnasException(p + ": no such file or directory; " + Datasets.HOW_TO_CIFAR10);
        }
        if (Files.isRegularFile(p)) {
            if (!Tar.looksLikeTar(p)) {
                throw HwnasException.inFile(p, "expected a folder or a .tar / .tar.gz / .tgz of CIFAR-10");
            }
            return fromTar(p, train);
        }
        Path bin = binaryDir(p);
        if (bin != null) {
            return fromBinaryDir(bin, train);
        }
        Path folder = folderRoot(p);
        if (folder != null) {
            Path split = folder.resolve(train ? "train" : "test");
            if (!Files.isDirectory(split)) {
                throw new HwnasException(split + ": no such folder (CIFAR-10 image-folder layout <root>/{train,test}/<class>/)");
            }
            return fromFolder(split);
        }
        List<Path> tars = tars(p);
        if (tars.size() == 1) {
            return fromTar(tars.get(0), train);
        }
        throw new HwnasException(p + ": no CIFAR-10 found: expected data_batch_1.bin..data_batch_5.bin + test_batch.bin"
                + " (or " + BIN_DIR + "/ holding them), {train,test}/<class>/*.jpg, or one .tar/.tar.gz of either"
                + (tars.size() > 1 ? "; found several tars " + tars + ": " + Datasets.PASS_ONE_TAR : "") + "; "
                + Datasets.HOW_TO_CIFAR10);
    }

    static boolean recognizable(Path p) {
        if (Files.isRegularFile(p)) {
            return Tar.looksLikeTar(p);
        }
        return Files.isDirectory(p) && (binaryDir(p) != null || folderRoot(p) != null || tars(p).size() == 1);
    }

    private static Path binaryDir(Path p) {
        for (Path d : new Path[] {p, p.resolve(BIN_DIR)}) {
            if (Files.exists(d.resolve("data_batch_1.bin")) || Files.exists(d.resolve("test_batch.bin"))) {
                return d;
            }
        }
        return null;
    }

    private static Path folderRoot(Path p) {
        if (Files.isDirectory(p.resolve("train")) || Files.isDirectory(p.resolve("test"))) {
            return p;
        }
        try (Stream<Path> s = Files.list(p)) {
            List<Path> subs = s.filter(d -> Files.isDirectory(d.resolve("train")) || Files.isDirectory(d.resolve("test")))
                    .toList();
            return subs.size() == 1 ? subs.get(0) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static List<Path> tars(Path p) {
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(Tar::looksLikeTar).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static ImageSet fromBinaryDir(Path dir, boolean train) {
        List<String> names = binaryFiles(train);
        List<byte[]> data = new ArrayList<>();
        for (String n : names) {
            Path f = dir.resolve(n);
            try {
                data.add(Files.readAllBytes(f));
            } catch (NoSuchFileException e) {
                throw HwnasException.inFile(f, "no such file (the CIFAR-10 binary release has " + String.join(", ",
                        binaryFiles(true)) + " and test_batch.bin)");
            } catch (IOException e) {
                throw HwnasException.inFile(f, "cannot read: " + e);
            }
        }
        return parseBinary(names.stream().map(n -> (Object) dir.resolve(n)).toList(), data);
    }

    /** Concatenates binary-release files ({@code names[i]} names {@code data[i]} in errors). */
    static ImageSet parseBinary(List<Object> names, List<byte[]> data) {
        long total = 0;
        for (int i = 0; i < data.size(); i++) {
            int len = data.get(i).length;
            if (len == 0 || len % RECORD != 0) {
                throw HwnasException.inFile(names.get(i), "size " + len + " bytes is not a whole number of "
                        + RECORD + "-byte CIFAR-10 records (" + len / RECORD + " records + " + len % RECORD
                        + " bytes; truncated or not a CIFAR-10 binary batch; expected 30730000 bytes = 10000 records)");
            }
            total += len / RECORD;
        }
        int n = Math.toIntExact(total);
        int img = RECORD - 1;
        byte[] px = new byte[Math.multiplyExact(n, img)];
        int[] labels = new int[n];
        int k = 0;
        for (int i = 0; i < data.size(); i++) {
            byte[] d = data.get(i);
            for (int r = 0; r < d.length / RECORD; r++) {
                int label = d[r * RECORD] & 0xFF;
                if (label >= 10) {
                    throw HwnasException.inFile(names.get(i), "record " + r + " (byte " + (long) r * RECORD
                            + "): label " + label + ", CIFAR-10 labels are 0..9 (not a CIFAR-10 binary batch?)");
                }
                labels[k] = label;
                System.arraycopy(d, r * RECORD + 1, px, k * img, img);
                k++;
            }
        }
        return new ImageSet(Datasets.CIFAR10, 3, 32, 32, 10, px, labels);
    }

    static ImageSet fromFolder(Path splitDir) {
        List<String> classes = ImageFolders.classes(splitDir);
        if (!classes.equals(Datasets.CIFAR10_CLASSES)) {
            throw new HwnasException(splitDir + ": class folders " + classes + " are not the CIFAR-10 classes "
                    + Datasets.CIFAR10_CLASSES + " (use the 'folder' dataset for other image folders)");
        }
        return ImageFolders.load(splitDir, Datasets.CIFAR10, classes, 32, 32, 3, false, false);
    }

    /** What a decoded split of {@code tar} is cached under: its real path, size and time, the split and shape. */
    static String cacheKey(Path tar, String split) {
        try {
            return "cifar10-tar|" + ImageCache.where(tar) + "|" + Files.size(tar) + "|"
                    + Files.getLastModifiedTime(tar).toMillis() + "|" + split + "|32x32x3";
        } catch (IOException e) {
            throw HwnasException.inFile(tar, "cannot read: " + e);
        }
    }

    static ImageSet fromTar(Path tar, boolean train) {
        long t0 = System.nanoTime();
        String split = train ? "train" : "test";
        String key = cacheKey(tar, split);
        Path cacheDir = ImageCache.dir();
        Path cacheFile = cacheDir == null ? null : ImageCache.file(cacheDir, "cifar10-" + split, key);
        ImageSet cached = ImageCache.read(cacheFile, key);
        if (cached != null) {
            LOG.info("{}: {} {} images from cache {}", tar, cached.size(), split, cacheFile);
            return cached;
        }
        TreeMap<String, byte[]> binaries = new TreeMap<>();
        record Entry(String path, String cls, String file, byte[] bytes) {}
        List<Entry> images = new ArrayList<>();
        Tar.read(tar, name -> {
            Matcher b = BIN_ENTRY.matcher(name);
            if (b.matches()) {
                return b.group(1).startsWith("data_batch") == train;
            }
            Matcher m = IMAGE_ENTRY.matcher(name);
            return m.matches() && m.group(1).equals(split) && ImageFolders.isImage(m.group(3));
        }, (name, bytes) -> {
            Matcher b = BIN_ENTRY.matcher(name);
            if (b.matches()) {
                binaries.put(b.group(1), bytes);
            } else {
                Matcher m = IMAGE_ENTRY.matcher(name);
                if (m.matches()) {
                    images.add(new Entry(name, m.group(2), m.group(3), bytes));
                }
            }
        });
        if (!binaries.isEmpty()) {
            List<Object> names = new ArrayList<>();
            List<byte[]> data = new ArrayList<>();
            for (String f : binaryFiles(train)) {
                String base = f.substring(0, f.length() - 4);
                byte[] d = binaries.get(base);
                if (d == null) {
                    throw HwnasException.inFile(tar, "holds " + binaries.keySet() + " but not " + f);
                }
                names.add(tar + "!" + f);
                data.add(d);
            }
            return parseBinary(names, data);
        }
        if (images.isEmpty()) {
            throw HwnasException.inFile(tar, "no CIFAR-10 " + split + " data: expected entries .../" + split
                    + "/<class>/<image>.jpg or " + BIN_DIR + "/*.bin");
        }
        List<ImageDecoding.Source> sources = new ArrayList<>();
        images.sort(Comparator.comparing(Entry::cls).thenComparing(Entry::file));
        for (Entry e : images) {
            int label = Datasets.CIFAR10_CLASSES.indexOf(e.cls());
            if (label < 0) {
                throw HwnasException.inFile(tar, "entry '" + e.path() + "': class folder '" + e.cls()
                        + "' is not a CIFAR-10 class " + Datasets.CIFAR10_CLASSES);
            }
            byte[] bytes = e.bytes();
            sources.add(new ImageDecoding.Source(tar + "!" + e.path(), label, () -> bytes));
        }
        images.clear();
        ImageSet set = ImageDecoding.decodeAll(Datasets.CIFAR10, 10, sources, 32, 32, 3, false);
        LOG.info("{}: read and decoded {} {} images in {} s", tar, set.size(), split,
                String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        if (cacheFile != null && set.size() >= ImageCache.MIN_IMAGES) {
            ImageCache.write(cacheFile, key, set);
        }
        return set;
    }
}
