package io.hwnas.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.core.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Java (DJL/PyTorch) against PyTorch eager ({@code tools/bench/pytorch_step.py}) for the same fixed
 * network, batch and thread count: forward, forward+backward and a full SGD-momentum step. The two
 * runtimes alternate in rounds of {@code --steps} steps (other processes load the machine; the
 * Python process stays up between rounds); each figure is the median over every timed step of every
 * round, of wall time and of process CPU time (the fairer figure when the machine is loaded). Set OMP_WAIT_POLICY the same for both (it is inherited by the
 * Python process; printed in the header).
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "tools/target/hwnas-tools-0.1.0-SNAPSHOT.jar:tools/target/lib/*" \
 *     io.hwnas.tools.bench.EagerComparison [--spaces fbnet-fmnist-tiny,fbnet-cifar-tiny]
 *     [--archs all-k3_e6,all-k5_e1_g2,mixed,all-skip] [--batch 64] [--threads 2] [--steps 8]
 *     [--warmup 10] [--rounds 5] [--python /usr/bin/python3] [--script tools/bench/pytorch_step.py]
 *     [--no-python]
 * </pre>
 *
 * An arch is {@code all-OP}, {@code mixed} (k3_e6 k3_e1 k5_e3 k3_e6 skip k5_e6 k3_e3 style, cut to the
 * layer count) or the op names joined with '+'.
 */
public final class EagerComparison {
    private static final String MIXED = "k3_e6 k5_e1_g2 k5_e3 k3_e6 skip k5_e6 k3_e3";

    private EagerComparison() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("spaces", "fbnet-fmnist-tiny,fbnet-cifar-tiny");
        o.put("archs", "all-k3_e6,all-k5_e1_g2,mixed,all-skip");
        o.put("batch", "64");
        o.put("threads", "2");
        o.put("steps", "8");
        o.put("warmup", "10");
        o.put("rounds", "5");
        o.put("python", "/usr/bin/python3");
        o.put("script", "tools/bench/pytorch_step.py");
        o.put("modes", "forward,fwdbwd,step");
        boolean python = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-python")) {
                python = false;
            } else if (a.startsWith("--") && o.containsKey(a.substring(2)) && i + 1 < args.length) {
                o.put(a.substring(2), args[++i]);
            } else {
                System.err.println("unknown argument " + a + "; options: " + o.keySet() + ", --no-python");
                System.exit(2);
            }
        }
        int threads = Integer.parseInt(o.get("threads"));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        int batch = Integer.parseInt(o.get("batch"));
        int steps = Integer.parseInt(o.get("steps"));
        int warmup = Integer.parseInt(o.get("warmup"));
        int rounds = Integer.parseInt(o.get("rounds"));
        List<JavaStep.Mode> modes = new ArrayList<>();
        for (String m : o.get("modes").split(",")) {
            modes.add(JavaStep.Mode.valueOf(m.trim().toUpperCase()));
        }
        System.out.printf("# batch %d, %d threads, %d warm-up + %d timed steps per mode, %d rounds alternating;"
                + " OMP_WAIT_POLICY=%s; load average %s%n", batch, threads, warmup, steps, rounds,
                System.getenv("OMP_WAIT_POLICY"), loadAverage());
        System.out.printf("%-17s %-12s %-7s | %8s %8s %6s | %8s %8s %6s | %6s %6s%n", "space", "arch", "mode",
                "java ms", "torch ms", "j/pt", "java cpu", "pt cpu", "j/pt", "java", "torch");
        System.out.printf("%-17s %-12s %-7s | %24s | %24s | %13s%n", "", "", "", "wall, median per step",
                "process CPU ms per step", "images/s");
        for (String spaceId : o.get("spaces").split(",")) {
            SearchSpace space = SpaceRegistry.get(spaceId.trim());
            Path spaceFile = Files.createTempFile("hwnas-space-", ".json");
            Json.writeFile(spaceFile, space);
            try {
                for (String archName : o.get("archs").split(",")) {
                    Architecture arch = arch(space, archName.trim());
                    String ops = String.join(" ", arch.ops());
                    Map<JavaStep.Mode, List<double[]>> java = new LinkedHashMap<>();
                    Map<JavaStep.Mode, List<double[]>> torch = new LinkedHashMap<>();
                    try (JavaStep js = new JavaStep(space, arch, batch);
                            TorchServer ts = python ? new TorchServer(o, spaceFile, ops, batch, threads) : null) {
                        for (int r = 0; r < rounds; r++) {
                            for (JavaStep.Mode m : modes) {
                                // the first round carries the warm-up; later rounds a short one
                                int w = r == 0 ? warmup : 2;
                                java.computeIfAbsent(m, k -> new ArrayList<>()).add(pair(js.measure(m, w, steps)));
                                if (ts != null) {
                                    torch.computeIfAbsent(m, k -> new ArrayList<>()).add(ts.measure(m, w, steps));
                                }
                            }
                        }
                    }
                    for (JavaStep.Mode m : modes) {
                        double[] j = pooledMedians(java.get(m));
                        double[] t = torch.containsKey(m) ? pooledMedians(torch.get(m))
                                : new double[] {Double.NaN, Double.NaN};
                        System.out.printf("%-17s %-12s %-7s | %8.1f %8.1f %6.2f | %8.1f %8.1f %6.2f | %6.0f %6.0f%n",
                                space.id(), label(archName.trim(), ops), m.name().toLowerCase(), j[0], t[0],
                                j[0] / t[0], j[1], t[1], j[1] / t[1], batch * 1000 / j[0], batch * 1000 / t[0]);
                    }
                    System.out.flush();
                }
            } finally {
                Files.deleteIfExists(spaceFile);
            }
        }
        System.out.printf("# load average at the end %s%n", loadAverage());
    }

    private static String label(String name, String ops) {
        return name.startsWith("all-") || name.equals("mixed") ? name : ops;
    }

    static Architecture arch(SearchSpace space, String name) {
        int n = space.layerCount();
        if (name.startsWith("all-")) {
            return Architecture.parse(space, String.join(" ", Collections.nCopies(n, name.substring(4))));
        }
        if (name.equals("mixed")) {
            List<String> ops = new ArrayList<>(Arrays.asList(MIXED.split(" ")));
            while (ops.size() < n) {
                ops.addAll(Arrays.asList(MIXED.split(" ")));
            }
            return Architecture.parse(space, String.join(" ", ops.subList(0, n)));
        }
        return Architecture.parse(space, name.replace('+', ' '));
    }

    /** Interleaves {wall[], cpu[]} into one array of pairs for pooling. */
    private static double[] pair(double[][] wallCpu) {
        int n = wallCpu[0].length;
        double[] out = new double[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = wallCpu[0][i];
            out[2 * i + 1] = wallCpu[1][i];
        }
        return out;
    }

    /** {median wall, median cpu} over every step of every round. */
    private static double[] pooledMedians(List<double[]> rounds) {
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (double[] r : rounds) {
            for (int i = 0; i < r.length; i += 2) {
                wall.add(r[i]);
                cpu.add(r[i + 1]);
            }
        }
        return new double[] {median(wall), median(cpu)};
    }

    /** The PyTorch reference kept running ({@code pytorch_step.py --serve}) so rounds can alternate. */
    private static final class TorchServer implements AutoCloseable {
        private final Process process;
        private final BufferedReader in;
        private final java.io.Writer out;

        TorchServer(Map<String, String> o, Path spaceFile, String ops, int batch, int threads) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(o.get("python"), o.get("script"), "--space", spaceFile.toString(),
                    "--arch", ops, "--batch", Integer.toString(batch), "--threads", Integer.toString(threads),
                    "--serve");
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            process = pb.start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            out = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String ready = in.readLine();
            if (ready == null || !ready.contains("ready")) {
                throw new IOException("python reference did not start: " + ready);
            }
        }

        double[] measure(JavaStep.Mode m, int warmup, int steps) throws IOException {
            out.write(m.name().toLowerCase() + " " + warmup + " " + steps + "\n");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                throw new IOException("python reference exited");
            }
            JsonNode n = Json.mapper().readTree(line);
            JsonNode wall = n.get("wall_ms");
            JsonNode cpu = n.get("cpu_ms");
            double[] r = new double[2 * wall.size()];
            for (int i = 0; i < wall.size(); i++) {
                r[2 * i] = wall.get(i).asDouble();
                r[2 * i + 1] = cpu.get(i).asDouble();
            }
            return r;
        }

        @Override
        public void close() throws IOException {
            out.close();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroy();
            }
        }
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
