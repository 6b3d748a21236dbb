package io.hwnas.tools.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.tools.bench.SearchBench;
import java.util.Collection;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hwnas bench search}: the JMH benchmarks of {@link SearchBench}, with short settings. */
public final class BenchSearchCommand {
    private BenchSearchCommand() {}

    /** What the command prints ({@code --json}: this record). */
    public record Result(int schema, @JsonProperty("lut_evals_per_s") double lutEvalsPerS,
            @JsonProperty("evolution_500_s") double evolution500S, String space, String lut, int forks,
            int warmupIterations, int iterations) {}

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "JMH: LUT evaluations per second (predictMs on fbnet-cifar under the HW-NAS-Bench raspi4"
                    + " LUT, one thread) and the time of one OFA evolution (population 100, 500 generations) with"
                    + " the MLP accuracy predictor (3 x 400). Prints lut_evals_per_s and evolution_500_s.")
    public static final class Search implements Callable<Integer> {
        @Option(names = "--forks", defaultValue = "1",
                description = "JMH forks (0: run in this JVM; 1: a fresh JVM with this classpath)."
                        + " Default: ${DEFAULT-VALUE}.")
        int forks;

        @Option(names = "--warmup", defaultValue = "2", description = "Warm-up iterations. Default: ${DEFAULT-VALUE}.")
        int warmup;

        @Option(names = "--iterations", defaultValue = "3",
                description = "Measured iterations (evolution: whole runs). Default: ${DEFAULT-VALUE}.")
        int iterations;

        @Option(names = "--time-ms", defaultValue = "1000",
                description = "Length of one LUT iteration in ms. Default: ${DEFAULT-VALUE}.")
        int timeMs;

        @Option(names = "--verbose", description = "Show JMH's own output (on standard output).")
        boolean verbose;

        @Mixin
        Output out;

        @Override
        public Integer call() {
            HwnasException.require(forks == 0 || forks == 1, "--forks", forks, "must be 0 or 1");
            HwnasException.require(warmup >= 0, "--warmup", warmup, "must be >= 0");
            HwnasException.require(iterations >= 1, "--iterations", iterations, "must be >= 1");
            HwnasException.require(timeMs >= 10, "--time-ms", timeMs, "must be >= 10");
            VerboseMode mode = verbose && !out.json ? VerboseMode.NORMAL : VerboseMode.SILENT;
            Options lut = new OptionsBuilder().include(SearchBench.class.getName() + ".lutEval$").forks(forks)
                    .threads(1).warmupIterations(warmup).warmupTime(TimeValue.milliseconds(timeMs))
                    .measurementIterations(iterations).measurementTime(TimeValue.milliseconds(timeMs))
                    .verbosity(mode).shouldFailOnError(true).build();
            Options evo = new OptionsBuilder().include(SearchBench.class.getName() + ".evolution500$").forks(forks)
                    .threads(1).warmupIterations(warmup).measurementIterations(iterations).verbosity(mode)
                    .shouldFailOnError(true).build();
            double evalsPerS = score(run(lut));
            double evolutionS = score(run(evo));
            Result r = new Result(Json.SCHEMA, evalsPerS, evolutionS, "fbnet-cifar", "hwnasbench-fbnet raspi4", forks,
                    warmup, iterations);
            String text = String.format("lut_evals_per_s  %,.0f%nevolution_500_s  %.3f%n"
                    + "(fbnet-cifar, raspi4 LUT, one thread; JMH forks %d, %d warm-up + %d measured iterations)%n",
                    evalsPerS, evolutionS, forks, warmup, iterations);
            out.print(r, text);
            return 0;
        }

        private static Collection<RunResult> run(Options o) {
            try {
                return new Runner(o).run();
            } catch (RunnerException e) {
                throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
            }
        }

        private static double score(Collection<RunResult> rs) {
            if (rs.size() != 1) {
                throw new IllegalStateException("expected one JMH result, got " + rs.size());
            }
            return rs.iterator().next().getPrimaryResult().getScore();
        }
    }
}
