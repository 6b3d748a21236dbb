package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;

/**
 * Settings of NSGA-II: population size, generations, probability that a child is a uniform
 * crossover of its two tournament-selected parents (else a copy of the first), and per-layer
 * mutation probability.
 */
public record Nsga2Config(int schema, int populationSize, int generations, double crossoverProb, double mutateProb,
        long seed) {
    public Nsga2Config {
        Json.checkSchema(schema);
        HwnasException.require(populationSize >= 4, "population_size", populationSize, "must be >= 4");
        HwnasException.require(generations >= 0, "generations", generations, "must be >= 0");
        HwnasException.require(crossoverProb >= 0 && crossoverProb <= 1, "crossover_prob", crossoverProb,
                "must be in [0, 1]");
        HwnasException.require(mutateProb > 0 && mutateProb <= 1, "mutate_prob", mutateProb, "must be in (0, 1]");
    }

    /** Population 100, 100 generations, crossover 0.9, mutation 0.1 per layer. */
    public static Nsga2Config defaults(long seed) {
        return new Nsga2Config(Json.SCHEMA, 100, 100, 0.9, 0.1, seed);
    }

    public Nsga2Config withGenerations(int g) {
        return new Nsga2Config(schema, populationSize, g, crossoverProb, mutateProb, seed);
    }

    public Nsga2Config withSeed(long s) {
        return new Nsga2Config(schema, populationSize, generations, crossoverProb, mutateProb, s);
    }

    public Nsga2Config withPopulation(int p) {
        return new Nsga2Config(schema, p, generations, crossoverProb, mutateProb, seed);
    }
}
