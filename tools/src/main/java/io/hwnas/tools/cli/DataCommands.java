package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import io.hwnas.datasets.Datasets;
import io.hwnas.datasets.ImageSet;
import io.hwnas.datasets.Normalization;
import io.hwnas.datasets.Split;
import io.hwnas.datasets.Splits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas data check}: load a dataset and print what was found. */
public final class DataCommands {
    private DataCommands() {}

    @Command(name = "data", mixinStandardHelpOptions = true, description = "Inspect the image datasets.",
            subcommands = {Check.class})
    public static final class Data extends UsageGroup {
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Load a dataset's train and test sets; print where it was found, shapes, images per class,"
                    + " load times and the weight/architecture split sizes.")
    public static final class Check implements Callable<Integer> {
        @Option(names = "--dataset", required = true, description = "fashion-mnist, cifar10 or folder.")
        String dataset;

        @Option(names = "--data", description = "Dataset location (folder, or tar for cifar10). Default: $HWNAS_DATA,"
                + " /usr/share/datasets/fashion-mnist, ../shared/data/<name>.")
        Path data;

        @Option(names = "--weight-fraction", defaultValue = "0.8", description = "Share of train for weights (default 0.8).")
        double weightFraction;

        @Option(names = "--seed", defaultValue = "0", description = "Split seed (default 0).")
        long seed;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            HwnasException.require(weightFraction > 0 && weightFraction < 1, "--weight-fraction", weightFraction,
                    "must be strictly between 0 and 1");
            String name = Datasets.canonical(dataset);
            Path where = Datasets.locate(name, data);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("dataset", name);
            json.put("location", where.toString());
            StringBuilder sb = new StringBuilder(name + " at " + where + "\n");
            List<String> classNames = name.equals(Datasets.FOLDER) ? Datasets.folderClassNames(where)
                    : Datasets.classNames(name);
            List<Map<String, Object>> sets = new ArrayList<>();
            ImageSet train = null;
            boolean noTest = name.equals(Datasets.FOLDER) && !Datasets.folderHasTestSplit(where);
            for (boolean isTrain : noTest ? new boolean[] {true} : new boolean[] {true, false}) {
                long t0 = System.nanoTime();
                ImageSet s = Datasets.load(name, where, isTrain);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (isTrain) {
                    train = s;
                }
                int[] counts = s.classCounts();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("set", isTrain ? "train" : "test");
                m.put("images", s.size());
                m.put("shape", List.of(s.channels(), s.height(), s.width()));
                m.put("classes", s.classes());
                m.put("per_class", counts);
                if (classNames != null) {
                    m.put("class_names", classNames);
                }
                m.put("load_seconds", seconds);
                sets.add(m);
                sb.append(String.format("%-5s %6d images, %dx%dx%d, %d classes, loaded in %.2f s%n",
                        isTrain ? "train" : "test", s.size(), s.channels(), s.height(), s.width(), s.classes(), seconds));
                for (int c = 0; c < counts.length; c++) {
                    String label = classNames != null && c < classNames.size() ? classNames.get(c) : "class " + c;
                    sb.append(String.format("      %2d %-12s %6d%n", c, label, counts[c]));
                }
            }
            if (noTest) {
                sb.append("test  none: no test/ folder (hwnas eval needs <dir>/train/<class>/ and <dir>/test/<class>/)\n");
            }
            json.put("sets", sets);
            Normalization n = Normalization.of(train);
            json.put("mean", n.mean());
            json.put("std", n.std());
            sb.append("normalization: mean ").append(java.util.Arrays.toString(n.mean())).append(", std ")
                    .append(java.util.Arrays.toString(n.std())).append('\n');
            Split split = Splits.split(train, weightFraction, seed);
            json.put("split", Map.of("weights", split.weights().size(), "arch", split.arch().size(),
                    "weight_fraction", weightFraction, "seed", seed));
            sb.append(String.format("split (seed %d): %d for weights, %d for the architecture%n", seed,
                    split.weights().size(), split.arch().size()));
            out.print(json, sb.toString());
            return 0;
        }
    }
}
