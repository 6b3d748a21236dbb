package io.hwnas.tools.cli;

import io.hwnas.search.train.EpochMetrics;
import io.hwnas.search.train.Nets;
import io.hwnas.search.train.TrainingRun;
import io.hwnas.search.train.TrainConfig;
import io.hwnas.search.train.TrainResult;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas train}: FBNet supernet training with a latency-aware loss. */
public final class TrainCommands {
    private TrainCommands() {}

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train a supernet's weights and architecture logits θ (FBNet DNAS) against a latency LUT.",
                "Checkpoints every epoch (and every checkpoint_every_steps steps); Ctrl-C or a kill (SIGINT/SIGTERM)"
                    + " stops at the next step with a checkpoint there (exit 130/143): 'hwnas train --resume RUN_DIR'"
                    + " continues exactly where it stopped (the config must be unchanged).",
                "One process at a time uses a RUN_DIR (RUN_DIR/.lock)."})
    public static final class Train implements Callable<Integer> {
        @Option(names = {"--config", "-c"}, paramLabel = "CONFIG.json", description = "Training config (JSON).")
        Path config;

        @Option(names = {"-o", "--output"}, paramLabel = "RUN_DIR", description = "Run directory to create.")
        Path output;

        @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR.")
        Path resume;

        @Option(names = "--data", paramLabel = "PATH", description = "With --resume: where the run's dataset is now,"
                + " when it moved (e.g. the run continues on another machine).")
        Path data;

        @Option(names = "--lut", paramLabel = "FILE", description = "With --resume: the run's LUT at another path (the"
                + " same table, byte for byte).")
        Path lut;

        @Option(names = "--force", description = "Write the run into a RUN_DIR that holds other files (files of the"
                + " run's names are replaced; a run is never replaced).")
        boolean force;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            TrainResult r;
            if (resume != null) {
                if (config != null || output != null || force) {
                    throw new HwnasException("--resume takes the config and output folder from RUN_DIR: do not give"
                            + " --config, -o or --force with it");
                }
                r = TrainingRun.resume(resume, new ConsoleProgress(), TrainingRun.Stopper.NEVER, data == null ? null
                        : data.toAbsolutePath().normalize().toString(), lut);
            } else {
                if (data != null || lut != null) {
                    throw new HwnasException("option '" + (data != null ? "--data" : "--lut") + "' applies to --resume"
                            + " only (a new run takes data_dir and lut from its config)");
                }
                if (config == null || output == null) {
                    throw new HwnasException((config == null ? "option '--config'" : "option '-o'") + " is missing: give --config"
                            + " CONFIG.json and -o RUN_DIR, or --resume RUN_DIR (hwnas train --help)");
                }
                Json.readText(config); // at once: a device (/dev/zero), a huge or a binary file is refused here
                TrainConfig cfg = TrainConfig.read(config);
                Runnable cleanup = Outputs.runDir(output, force);
                unread(config, cfg);
                // Ctrl-C before the training's own handler holds the folder (start-up, data loading): the folder this
                // call made is removed again while it holds nothing but the lock (the handler keeps any checkpoint)
                Path out = output;
                Thread early = new Thread(() -> {
                    boolean had = java.nio.file.Files.exists(out);
                    cleanup.run();
                    if (had && !java.nio.file.Files.exists(out)) { // stopped in start-up: nothing to continue
                        System.err.println();
                        System.err.println("hwnas: interrupted before the training started: " + out + " was removed"
                                + " again; run the same command again to start it");
                        System.err.flush();
                    }
                }, "hwnas-train-early-stop");
                Runtime.getRuntime().addShutdownHook(early);
                try {
                    r = TrainingRun.start(cfg, output, new ConsoleProgress(), TrainingRun.Stopper.NEVER);
                } catch (HwnasException e) {
                    cleanup.run();
                    // a check of a config field made once the space, data and LUT are read: say which file
                    throw e.getMessage().startsWith("field '") ? new HwnasException(config + ": " + e.getMessage(), e) : e;
                } catch (RuntimeException e) {
                    cleanup.run();
                    throw e;
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(early);
                    } catch (IllegalStateException e) {
                        // shutting down: the hook runs
                    }
                }
            }
            try (Interrupted i = Interrupted.say("the training had finished (" + r.runDir().resolve("result.json")
                    + "); 'hwnas train --resume " + Shell.quote(r.runDir()) + "' writes the plots and the summary again")) {
                io.hwnas.experiments.plot.RunPlots.write(r.runDir());
                out.print(summary(r), text(r) + (data == null ? "" : " --data " + Shell.quote(data)));
            }
            return 0;
        }
    }

    static Map<String, Object> summary(TrainResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_dir", r.runDir().toString());
        m.put("completed", r.completed());
        m.put("epochs_done", r.epochsDone());
        m.put("theta_trained", thetaTrained(r));
        m.put("argmax", r.argmax().canonical());
        m.put("argmax_latency_ms", Double.isNaN(r.argmaxLatencyMs()) ? null : r.argmaxLatencyMs());
        List<EpochMetrics> ms = r.metrics();
        m.put("last_epoch", ms.isEmpty() ? null : ms.get(ms.size() - 1));
        return m;
    }

    static String text(TrainResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.completed() ? "training finished" : "training stopped").append(" after ").append(r.epochsDone())
                .append(" epochs: ").append(r.runDir()).append('\n');
        boolean weightsOnly = r.completed() && !thetaTrained(r); // every epoch was warm-up: θ never updated
        if (weightsOnly) {
            sb.append("θ was not trained (all ").append(r.epochsDone()).append(" epochs were warm-up: warmup_epochs ="
                    + " epochs): the run holds shared weights only; θ's argmax (").append(r.argmax().canonical())
                    .append(") is no searched architecture\n");
        } else {
            sb.append("argmax architecture: ").append(r.argmax().canonical()).append('\n');
        }
        if (!weightsOnly && !Double.isNaN(r.argmaxLatencyMs())) {
            sb.append(String.format("LUT latency of argmax: %.4f ms%n", r.argmaxLatencyMs()));
        }
        List<EpochMetrics> ms = r.metrics();
        if (!ms.isEmpty()) {
            EpochMetrics e = ms.get(ms.size() - 1);
            sb.append(String.format("last epoch: weight loss %.4f, acc %.2f%%", e.weightLoss(), 100 * e.weightAccuracy()));
            if (e.thetaAccuracy() != null) {
                sb.append(String.format("; θ-pass acc %.2f%%", 100 * e.thetaAccuracy()));
            }
            sb.append('\n');
        }
        sb.append("plots: ").append(String.join(", ", io.hwnas.experiments.plot.RunPlots.FILES)).append(" in ")
                .append(r.runDir()).append('\n');
        String run = Shell.quote(r.runDir());
        if (!weightsOnly) {
            sb.append("next: hwnas extract ").append(run).append(" -o SUBNET_DIR");
        } else {
            sb.append("next: hwnas specialize ").append(run).append(" --target NAME=LUT.json -o OUT_DIR (a subnet per"
                    + " target, by evolution), or hwnas extract ").append(run).append(" --arch OPS|sample:K -o SUBNET_DIR");
        }
        return sb.toString();
    }

    /** Whether any epoch of the run updated θ (false: every epoch so far was weights-only warm-up). */
    static boolean thetaTrained(TrainResult r) {
        return r.metrics().stream().anyMatch(e -> !e.warmup());
    }

    /**
     * Warns about fields the config sets that this run never reads: the sandwich's, set to other than their
     * defaults without sandwich steps, and weight_paths with them (a sandwich draws its random subnets
     * uniformly); a run's own config.json lists every field at its value, defaults too.
     */
    static void unread(java.nio.file.Path config, TrainConfig cfg) {
        com.fasterxml.jackson.databind.JsonNode defaults = TrainConfig.defaults();
        if (cfg.weightSampling().equals("sandwich")) {
            if (!cfg.weightPaths().equals(defaults.get("weight_paths").asText())) {
                System.err.println("hwnas: warning: " + config + ": field 'weight_paths' is read only with weight_sampling"
                        + " single-path; this run's sandwich steps draw their random subnets uniformly and ignore it");
            }
            return;
        }
        java.util.Map<String, Double> given = java.util.Map.of("sandwich_random", (double) cfg.sandwichRandom(),
                "kd_weight", cfg.kdWeight());
        for (String f : List.of("sandwich_random", "kd_weight")) {
            if (given.get(f) != defaults.get(f).asDouble()) {
                System.err.println("hwnas: warning: " + config + ": field '" + f + "' is read only with weight_sampling"
                        + " sandwich; this run (" + cfg.weightSampling() + ") ignores it");
            }
        }
    }
}
