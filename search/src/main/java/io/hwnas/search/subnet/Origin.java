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
 */
public record Origin(int schema, String kind, String runDir, String archSpec, String dataset, String dataDir,
        String lut, int recalibrateBatches, int finetuneEpochs, boolean fromScratch, Double trainAccuracy) {
    public static final String FILE = "origin.json";

    public Origin {
        Json.checkSchema(schema);
    }
}
