package io.hwnas.search.specialize;

import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;

/**
 * Settings of the evolution finder. {@link #ofa} gives once-for-all's defaults (its
 * {@code EvolutionFinder}): population 100, 500 generations ({@code max_time_budget}), parent
 * ratio 0.25, mutation ratio 0.5, per-layer mutation probability 0.1. Each generation keeps the
 * best {@code round(parent_ratio · population)} as parents and adds {@code round(mutation_ratio ·
 * population)} mutants and {@code population − mutants} uniform crossovers of random parents.
 */
public record EvolutionConfig(int schema, int populationSize, int generations, double parentRatio,
        double mutationRatio, double mutateProb, long seed) {

    public EvolutionConfig {
        Json.checkSchema(schema);
        HwnasException.require(populationSize >= 2, "population_size", populationSize, "must be >= 2");
        HwnasException.require(generations >= 0, "generations", generations, "must be >= 0");
        HwnasException.require(parentRatio > 0 && parentRatio <= 1, "parent_ratio", parentRatio, "must be in (0, 1]");
        HwnasException.require(mutationRatio >= 0 && mutationRatio <= 1, "mutation_ratio", mutationRatio,
                "must be in [0, 1]");
        HwnasException.require(mutateProb > 0 && mutateProb <= 1, "mutate_prob", mutateProb, "must be in (0, 1]");
        HwnasException.require(Math.round(parentRatio * populationSize) >= 1, "parent_ratio", parentRatio,
                "keeps no parent of a population of " + populationSize);
    }

    /** Once-for-all's defaults with the given seed. */
    public static EvolutionConfig ofa(long seed) {
        return new EvolutionConfig(Json.SCHEMA, 100, 500, 0.25, 0.5, 0.1, seed);
    }

    public EvolutionConfig withGenerations(int g) {
        return new EvolutionConfig(schema, populationSize, g, parentRatio, mutationRatio, mutateProb, seed);
    }

    public EvolutionConfig withSeed(long s) {
        return new EvolutionConfig(schema, populationSize, generations, parentRatio, mutationRatio, mutateProb, s);
    }

    public EvolutionConfig withPopulation(int p) {
        return new EvolutionConfig(schema, p, generations, parentRatio, mutationRatio, mutateProb, seed);
    }

    int parents() {
        return (int) Math.round(parentRatio * populationSize);
    }

    int mutants() {
        return (int) Math.round(mutationRatio * populationSize);
    }
}
