package io.hwnas.search.subnet;

import io.hwnas.core.Json;

/**
 * {@code origin.json} beside a subnet ({@code SubnetIO} files): where it came from and which data
 * it belongs to, so {@code eval} and {@code finetune} need no options for the usual case.
 *
 * @param kind "extracted" or "finetuned"
 * @param runDir the training run it was extracted from (null if unknown)
 * @param archSpec how the architecture was chosen (argmax, sample:K, or an explicit list)
 * @param dataset dataset name (fashion-mnist, cifar10, folder)
 * @param dataDir dataset location used (null: the default search)
 * @param lut the LUT of the training run (null without one)
 * @param recalibrateBatches BN recalibration batches (extraction)
 * @param finetuneEpochs epochs of fine-tuning (0 for an extracted subnet)
 * @param fromScratch whether fine-tuning re-initialized the weights
 * @param trainAccuracy training accuracy of the last fine-tuning epoch (null if not fine-tuned)
 * @param seed the training run's seed (lineage; null if unknown)
 * @param lutSha256 sha256 of the run's LUT file (lineage; null without one); of the file as it was at
 *     extraction when it had changed since the run started (extract warned), of the one the run started
 *     with when it could no longer be read
 * @param lutDevice the run's LUT's device record (lineage; null without one), of the same file
 * @param lutLatencyMs the architecture's latency under the run's LUT (null when the file could not be read)
 * @param runEpochsDone epochs the run had finished when the subnet was extracted
 * @param runEpochs epochs the run was configured for (fewer done: an unfinished run)
 * @param runCreated when the run started (provenance.json)
 * @param runState null for a subnet of a finished run; else the warning {@code extract} printed (an
 *     unfinished run: epochs done of the total, and whether θ was still all zeros)
 * @param finetune the settings of the fine-tuning that wrote this subnet (null for an extracted
 *     subnet, and in an origin.json written before they were recorded)
 */
public record Origin(int schema, String kind, String runDir, String archSpec, String dataset, String dataDir,
        String lut, int recalibrateBatches, int finetuneEpochs, boolean fromScratch, Double trainAccuracy,
        Long seed, String lutSha256, io.hwnas.latency.DeviceRecord lutDevice, Double lutLatencyMs,
        Integer runEpochsDone, Integer runEpochs, String runCreated, String runState, Finetune.Settings finetune) {
    public static final String FILE = "origin.json";

    public Origin {
        Json.checkSchema(schema);
    }

    /**
     * Reads {@code origin.json}; one written before {@code run_state} or {@code finetune} was recorded
     * reads as null there.
     */
    public static Origin read(java.nio.file.Path f) {
        return io.hwnas.search.run.RunFiles.readWithOptional(f, Origin.class, "run_state", "finetune");
    }

    /** An origin without lineage (a subnet not extracted from a known run). */
    public Origin(int schema, String kind, String runDir, String archSpec, String dataset, String dataDir, String lut,
            int recalibrateBatches, int finetuneEpochs, boolean fromScratch, Double trainAccuracy) {
        this(schema, kind, runDir, archSpec, dataset, dataDir, lut, recalibrateBatches, finetuneEpochs, fromScratch,
                trainAccuracy, null, null, null, null, null, null, null, null, null);
    }

}
