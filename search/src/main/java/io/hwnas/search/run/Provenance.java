package io.hwnas.search.run;

import ai.djl.engine.Engine;
import io.hwnas.latency.DeviceRecord;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.supernet.ops.Layout;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code provenance.json}: everything a result depends on besides the config: seed, versions,
 * the device, host, the LUT's identity (path, sha256, device record) and the data actually used,
 * and a copy of the config the run started with ({@code config}: a resume refuses a
 * {@code config.json} edited since; null in runs written before it was recorded). {@code depthwiseLayout}:
 * the memory layout of the training-mode depthwise convolutions ({@link Layout}; "channels-last" or
 * "nchw", null in runs written before it was recorded): the last digits of a run depend on it.
 */
public record Provenance(int schema, long seed, String hwnasVersion, String javaVersion, String djlVersion,
        String engine, String engineVersion, String device, String host, String os, int cores, int threads,
        String depthwiseLayout, String created,
        LutIdentity lut, DataIdentity data, io.hwnas.search.train.TrainConfig config) {

    public static final String HWNAS_VERSION = "0.1.0";

    public Provenance {
        Json.checkSchema(schema);
    }

    /** The LUT the latency term used; null fields when the run has no latency term. */
    public record LutIdentity(String path, String sha256, DeviceRecord device, String unit, double fastestMs,
            double slowestMs) {}

    /**
     * The data of a run: {@code trainSha256} is {@link io.hwnas.datasets.ImageSet#sha256} of its training subset
     * (null in runs written before it was recorded), which extraction, specialization and a resume compare
     * with the images they read.
     */
    public record DataIdentity(String dataset, String path, int trainImages, int weightImages, int archImages,
            int testImages, String trainSha256) {}

    public static Provenance now(io.hwnas.search.train.TrainConfig config, String device, LutIdentity lut,
            DataIdentity data) {
        Engine e = Engine.getInstance();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException ex) {
            host = "unknown";
        }
        int threads;
        try {
            threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        } catch (RuntimeException | LinkageError ex) {
            threads = -1;
        }
        return new Provenance(Json.SCHEMA, config.seed(), HWNAS_VERSION, System.getProperty("java.version"),
                Engine.getDjlVersion(), e.getEngineName(), e.getVersion(), device, host,
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), threads, Layout.name(device != null && device.startsWith("gpu")),
                Instant.now().toString(), lut, data, config);
    }

    /** sha256 of bytes, in hex. */
    public static String sha256(byte[] bytes) {
        return io.hwnas.core.Hashes.sha256(bytes);
    }

    public static String sha256(Path file) {
        return io.hwnas.core.Hashes.sha256(file);
    }
}
