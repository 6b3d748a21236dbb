package io.hwnas.datasets;

import io.hwnas.core.HwnasException;
import io.hwnas.core.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loading the image datasets hwnas knows: Fashion-MNIST (IDX, gzip or not), CIFAR-10 (the binary
 * release, an image-folder layout, or a tar of either) and generic image folders; and finding
 * them on disk ({@link #locate}).
 */
public final class Datasets {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String CIFAR10 = "cifar10";
    public static final String FOLDER = "folder";

    /** The dataset names, for messages. */
    public static final String KNOWN = "known: " + FASHION_MNIST + ", " + CIFAR10 + ", " + FOLDER;

    /** Debian's {@code dataset-fashion-mnist} package installs the IDX files here. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** CIFAR-10 label order (= alphabetical order of the folder names of the image-folder layout). */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private Datasets() {}

    /**
     * Fashion-MNIST from {@code dir} holding {@code train-images-idx3-ubyte.gz},
     * {@code train-labels-idx1-ubyte.gz} (or {@code t10k-*} for the test set), gzipped or not:
     * 60,000 / 10,000 images of 1x28x28, 10 classes.
     */
    public static ImageSet fashionMnist(Path dir, boolean train) {
        String prefix = train ? "train" : "t10k";
        Path imagesFile = idxFile(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = idxFile(dir, prefix + "-labels-idx1-ubyte");
        Idx.Content images = Idx.read(imagesFile, Idx.IMAGES_MAGIC);
        Idx.Content labels = Idx.read(labelsFile, Idx.LABELS_MAGIC);
        if (images.dims()[0] != labels.dims()[0]) {
            throw new HwnasException(imagesFile + " holds " + images.dims()[0] + " images but " + labelsFile + " holds "
                    + labels.dims()[0] + " labels: the counts must agree");
        }
        int[] lb = new int[labels.data().length];
        for (int i = 0; i < lb.length; i++) {
            lb[i] = labels.data()[i] & 0xFF;
            if (lb[i] >= 10) {
                throw HwnasException.inFile(labelsFile, "label " + i + " = " + lb[i] + ": Fashion-MNIST labels are 0..9");
            }
        }
        return new ImageSet(FASHION_MNIST, 1, images.dims()[1], images.dims()[2], 10, images.data(), lb);
    }

    private static Path idxFile(Path dir, String base) {
        if (!Files.isDirectory(dir)) {
            throw new HwnasException(dir + ": not a directory (expected the folder holding " + base + ".gz)");
        }
        Path gz = dir.resolve(base + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.exists(plain)) {
            return plain;
        }
        throw new HwnasException(gz + ": no such file (nor " + plain.getFileName() + "); " + HOW_TO_FASHION_MNIST);
    }

    /**
     * CIFAR-10 from the binary release ({@code data_batch_1.bin}..{@code data_batch_5.bin},
     * {@code test_batch.bin}; directly in {@code dirOrTar} or in {@code cifar-10-batches-bin/}),
     * from an image-folder layout {@code <root>/{train,test}/<class>/*.jpg} (also under one
     * sub-folder such as {@code cifar10_jpg/}), or from a tar (optionally gzipped) of either;
     * a directory holding exactly one such tar is read through it. Image folders and tars of
     * JPEGs are decoded once and cached (see {@link ImageCache}).
     */
    public static ImageSet cifar10(Path dirOrTar, boolean train) {
        return Cifar10.load(dirOrTar, train);
    }

    /**
     * A generic image folder: classes = sorted sub-folder names of {@code dir}, images = the
     * readable image files (jpg, jpeg, png, bmp, gif) in each, sorted by name; every image is
     * resized (bilinear) to {@code height x width} where needed, or, if both are 0, to the size of
     * the first image. Grey images give 1 channel if all images are grey, otherwise 3 (RGB).
     */
    public static ImageSet imageFolder(Path dir, int height, int width) {
        return ImageFolders.load(dir, height, width);
    }

    /**
     * Loads a dataset by name ({@code fashion-mnist}, {@code cifar10}, {@code folder}) from
     * {@code data} (a location as returned by {@link #locate}). For {@code folder}: {@code train/}
     * and {@code test/} with classes matched by name (see {@link #folder}); without the split,
     * {@code data} itself is training data and asking for the test set is an error.
     */
    public static ImageSet load(String name, Path data, boolean train) {
        String n = canonical(name);
        return switch (n) {
            case FASHION_MNIST -> fashionMnist(data, train);
            case CIFAR10 -> cifar10(data, train);
            default -> folder(data, train);
        };
    }

    static final String FOLDER_LAYOUT = "<dir>/train/<class>/<image> and <dir>/test/<class>/<image>, the same class"
            + " folder names in both";

    /**
     * A generic image folder with a train/test split: {@code data/train/<class>/} and
     * {@code data/test/<class>/}, classes matched by name (label i = i-th name of train/, sorted); a
     * class missing from either side is an error naming it. A folder without the split serves as
     * training data only: evaluating on it would measure accuracy on the training images.
     */
    static ImageSet folder(Path data, boolean train) {
        Path tr = data.resolve("train");
        Path te = data.resolve("test");
        boolean hasTrain = Files.isDirectory(tr);
        boolean hasTest = Files.isDirectory(te);
        if (!hasTrain && !hasTest) {
            if (!train) {
                throw new HwnasException(data + ": no test/ folder, so no test images: this folder has no train/test"
                        + " split, and evaluating on its images would measure accuracy on training data; expected "
                        + FOLDER_LAYOUT);
            }
            return imageFolder(data, 0, 0);
        }
        if (!(train ? hasTrain : hasTest)) {
            throw new HwnasException(data + ": has " + (hasTrain ? "train/" : "test/") + " but no "
                    + (train ? "train/" : "test/") + " folder; expected " + FOLDER_LAYOUT);
        }
        List<String> classes = hasTrain ? ImageFolders.classes(tr) : ImageFolders.classes(te);
        if (hasTrain && hasTest) {
            List<String> testClasses = ImageFolders.classes(te);
            for (String c : classes) {
                if (!testClasses.contains(c)) {
                    throw new HwnasException(te + ": no class folder '" + c + "' (train/ has it): classes are matched"
                            + " by name, every class needs test images; train/ has " + classes + ", test/ has "
                            + testClasses);
                }
            }
            for (String c : testClasses) {
                if (!classes.contains(c)) {
                    throw new HwnasException(te + ": class folder '" + c + "' is not in " + tr + ": classes are matched"
                            + " by name; train/ has " + classes + ", test/ has " + testClasses);
                }
            }
        } else if (!train) {
            throw new HwnasException(data + ": has test/ but no train/ folder: the labels are defined by train/'s"
                    + " class folders; expected " + FOLDER_LAYOUT);
        }
        return ImageFolders.load(train ? tr : te, FOLDER, classes, 0, 0, 0, true, train);
    }

    /** Whether a generic image folder has a test split ({@code data/test/}). */
    public static boolean folderHasTestSplit(Path data) {
        return Files.isDirectory(data.resolve("test"));
    }

    /** The canonical name for {@code name} and its usual aliases (fmnist, cifar-10, ...). */
    public static String canonical(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (n) {
            case "fashion-mnist", "fashionmnist", "fmnist" -> FASHION_MNIST;
            case "cifar10", "cifar-10", "cifar" -> CIFAR10;
            case "folder", "image-folder", "imagefolder" -> FOLDER;
            default -> throw new HwnasException("dataset '" + name + "': unknown; " + KNOWN);
        };
    }

    /** The class names of an image folder: its sorted sub-folder names (label i = name i). */
    public static List<String> folderClasses(Path dir) {
        return ImageFolders.classes(dir);
    }

    /**
     * The class names of a generic image folder as {@link #load} labels them: the class folders of
     * {@code data/train/} (or {@code data/test/} alone), or of {@code data} itself without a split.
     */
    public static List<String> folderClassNames(Path data) {
        Path tr = data.resolve("train");
        Path te = data.resolve("test");
        return ImageFolders.classes(Files.isDirectory(tr) ? tr : Files.isDirectory(te) ? te : data);
    }

    /** Class names for a dataset ({@code null} for a folder: use its sub-folder names). */
    public static List<String> classNames(String name) {
        return switch (canonical(name)) {
            case FASHION_MNIST -> FASHION_MNIST_CLASSES;
            case CIFAR10 -> CIFAR10_CLASSES;
            default -> null;
        };
    }

    private static final String PASS_FOLDER = "pass --data FOLDER";
    private static final String WITH_PATH = "with --data PATH";
    private static final String PASS_IMAGE_FOLDER = "pass the image folder with --data DIR";
    static final String PASS_ONE_TAR = "pass one with --data";
    static final String HOW_TO_FASHION_MNIST = "get Fashion-MNIST with 'apt-get install dataset-fashion-mnist'"
            + " (installs " + DEBIAN_FASHION_MNIST + ") or download the four *-ubyte.gz files from"
            + " https://github.com/zalandoresearch/fashion-mnist into a folder and " + PASS_FOLDER;
    static final String HOW_TO_CIFAR10 = "download the binary release cifar-10-binary.tar.gz from"
            + " https://www.cs.toronto.edu/~kriz/cifar.html (pass the .tar.gz itself or the unpacked folder), or an"
            + " image-folder copy {train,test}/<class>/*.jpg, " + WITH_PATH;

    /**
     * {@code message} (one of this package's data errors, which tell how to pass a location with the
     * --data option) for a command that reads the location from a config's {@code data_dir} field
     * instead ({@code hwnas train}): the advice names that field.
     */
    public static String forConfig(String message) {
        return message.replace(PASS_FOLDER, "set the config's data_dir to FOLDER")
                .replace(WITH_PATH, "as the config's data_dir")
                .replace(PASS_IMAGE_FOLDER, "set the config's data_dir to the image folder")
                .replace(PASS_ONE_TAR, "name one in the config's data_dir");
    }

    /**
     * Where dataset {@code name} is: {@code cliData} (the --data option) if given; else the
     * {@code HWNAS_DATA} environment variable (a folder holding {@code <name>/}, or the dataset
     * itself); else, for Fashion-MNIST, {@code /usr/share/datasets/fashion-mnist}; else the
     * project's shared data {@code ../shared/data/<name>}; otherwise an error saying how to get it.
     * A given location that holds a {@code <name>/} sub-folder but not the dataset itself resolves to it.
     */
    public static Path locate(String name, Path cliData) {
        return locate(name, cliData, false);
    }

    /**
     * As {@link #locate(String, Path)}; {@code configField}: the location comes from a config's
     * {@code data_dir} field (hwnas train, which has no --data option), and the messages name that
     * field (a message starting "field '" is then prefixed with the config file by the command).
     */
    public static Path locate(String name, Path given, boolean configField) {
        String n = canonical(name);
        if (given != null) {
            if (!Files.exists(given)) {
                throw new HwnasException((configField ? "field 'data_dir' = \"" + given + "\"" : "--data " + given)
                        + ": no such file or directory");
            }
            return refine(n, given);
        }
        Path found = search(n);
        if (found != null) {
            return found;
        }
        Path root = n.equals(FOLDER) ? null : SharedData.rootOrNull();
        String looked = "$HWNAS_DATA" + (n.equals(FASHION_MNIST) ? ", " + DEBIAN_FASHION_MNIST : "")
                + (n.equals(FOLDER) ? "" : ", " + (root == null ? "../shared" : root) + "/data/" + n);
        String how = switch (n) {
            case FASHION_MNIST -> HOW_TO_FASHION_MNIST;
            case CIFAR10 -> HOW_TO_CIFAR10;
            default -> PASS_IMAGE_FOLDER;
        };
        throw new HwnasException(configField
                ? forConfig("field 'dataset' = \"" + n + "\": not found (no data_dir given; looked at " + looked + "); "
                        + how)
                : "dataset '" + n + "' not found (looked at --data, " + looked + "); " + how);
    }

    /** Where the search order of {@link #locate} finds dataset {@code n} without a given location, or null. */
    private static Path search(String n) {
        String env = System.getenv("HWNAS_DATA");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.exists(p)) {
                throw new HwnasException("HWNAS_DATA=" + env + ": no such file or directory");
            }
            Path r = refine(n, p);
            if (looksLike(n, r)) {
                return r;
            }
        }
        if (n.equals(FASHION_MNIST) && looksLike(n, DEBIAN_FASHION_MNIST)) {
            return DEBIAN_FASHION_MNIST;
        }
        Path root = n.equals(FOLDER) ? null : SharedData.rootOrNull(); // HWNAS_SHARED pointing nowhere is refused there
        if (root != null && looksLike(n, root.resolve("data").resolve(n))) {
            return root.resolve("data").resolve(n);
        }
        return null;
    }

    /** {@code p} itself if it looks like dataset {@code n}, else {@code p/<n>} if that does, else {@code p}. */
    private static Path refine(String n, Path p) {
        if (looksLike(n, p)) {
            return p;
        }
        Path sub = p.resolve(n);
        return looksLike(n, sub) ? sub : p;
    }

    static boolean looksLike(String n, Path p) {
        if (!Files.exists(p)) {
            return false;
        }
        return switch (n) {
            case FASHION_MNIST -> Files.exists(p.resolve("train-images-idx3-ubyte.gz"))
                    || Files.exists(p.resolve("train-images-idx3-ubyte"))
                    || Files.exists(p.resolve("t10k-images-idx3-ubyte.gz"))
                    || Files.exists(p.resolve("t10k-images-idx3-ubyte"));
            case CIFAR10 -> Cifar10.recognizable(p);
            default -> Files.isDirectory(p);
        };
    }
}
