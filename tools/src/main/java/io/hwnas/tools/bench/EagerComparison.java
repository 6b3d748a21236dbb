package io.hwnas.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.supernet.space.Architecture;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.supernet.space.SpaceRegistry;
import io.hwnas.supernet.util.Json;
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
 * runtimes alternate in rounds (other processes load the machine); each figure is the median over
 * the rounds of the per-round medians. Set OMP_WAIT_POLICY the same for both (it is inherited by the
 * Python process; printed in the header).
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "tools/target/hwnas-tools-0.1.0-SNAPSHOT.jar:tools/target/lib/*" \
 *     io.hwnas.tools.bench.EagerComparison [--spaces fbnet-fmnist-tiny,fbnet-cifar-tiny]
 *     [--archs all-k3_e6,all-k5_e1_g2,mixed,all-skip] [--batch 64] [--threads 2] [--steps 30]
 *     [--warmup 10] [--rounds 3] [--python /usr/bin/python3] [--script tools/bench/pytorch_step.py]
 *     [--no-python] [--sgd fused|plain]
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
        o.put("steps", "30");
        o.put("warmup", "10");
        o.put("rounds", "3");
        o.put("python", "/usr/bin/python3");
        o.put("script", "tools/bench/pytorch_step.py");
        o.put("sgd", "fused");
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
        boolean plainSgd = o.get("sgd").equals("plain");
        List<JavaStep.Mode> modes = new ArrayList<>();
        for (String m : o.get("modes").split(",")) {
            modes.add(JavaStep.Mode.valueOf(m.trim().toUpperCase()));
        }
        System.out.printf("# batch %d, %d threads, %d warm-up + %d timed steps per mode, %d rounds alternating;"
                + " OMP_WAIT_POLICY=%s; load average %s; sgd %s%n", batch, threads, warmup, steps, rounds,
                System.getenv("OMP_WAIT_POLICY"), loadAverage(), o.get("sgd"));
        System.out.printf("%-18s %-30s %-7s | %9s %9s | %9s %9s | %7s%n", "space", "arch", "mode", "java ms",
                "torch ms", "java im/s", "torch im/s", "java/pt");
        for (String spaceId : o.get("spaces").split(",")) {
            SearchSpace space = SpaceRegistry.get(spaceId.trim());
            Path spaceFile = Files.createTempFile("hwnas-space-", ".json");
            Json.writeFile(spaceFile, space);
            try {
                for (String archName : o.get("archs").split(",")) {
                    Architecture arch = arch(space, archName.trim());
                    String ops = String.join(" ", arch.ops());
                    Map<JavaStep.Mode, List<Double>> java = new LinkedHashMap<>();
                    Map<JavaStep.Mode, List<Double>> torch = new LinkedHashMap<>();
                    try (JavaStep js = new JavaStep(space, arch, batch)) {
                        js.setPlainSgd(plainSgd);
                        for (int r = 0; r < rounds; r++) {
                            for (JavaStep.Mode m : modes) {
                                java.computeIfAbsent(m, k -> new ArrayList<>()).add(js.median(m, warmup, steps));
                            }
                            if (python) {
                                Map<String, Double> t = runPython(o, spaceFile, ops, batch, threads, steps, warmup);
                                for (JavaStep.Mode m : modes) {
                                    Double v = t.get(m.name().toLowerCase());
                                    if (v != null) {
                                        torch.computeIfAbsent(m, k -> new ArrayList<>()).add(v);
                                    }
                                }
                            }
                        }
                    }
                    for (JavaStep.Mode m : modes) {
                        double j = median(java.get(m));
                        double t = torch.containsKey(m) ? median(torch.get(m)) : Double.NaN;
                        System.out.printf("%-18s %-30s %-7s | %9.1f %9.1f | %9.0f %9.0f | %7.2f%n", space.id(),
                                label(archName.trim(), ops), m.name().toLowerCase(), j, t, batch * 1000 / j,
                                batch * 1000 / t, j / t);
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

    private static Map<String, Double> runPython(Map<String, String> o, Path spaceFile, String ops, int batch,
            int threads, int steps, int warmup) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(o.get("python"), o.get("script"), "--space", spaceFile.toString(),
                "--arch", ops, "--batch", Integer.toString(batch), "--threads", Integer.toString(threads), "--steps",
                Integer.toString(steps), "--warmup", Integer.toString(warmup), "--mode", "all", "--json");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        Map<String, Double> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("{")) {
                    JsonNode n = Json.mapper().readTree(line);
                    out.put(n.get("mode").asText(), n.get("ms_per_step").asDouble());
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException("python reference exited with " + rc);
        }
        return out;
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
