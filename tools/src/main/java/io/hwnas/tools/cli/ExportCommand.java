package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import io.hwnas.search.subnet.OnnxExport;
import io.hwnas.supernet.export.OnnxWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hwnas export SUBNET_DIR --format onnx -o model.onnx [--verify]}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a subnet (hwnas extract/finetune output) as a standard ONNX model: opset "
                + OnnxWriter.OPSET + ", input '" + OnnxWriter.INPUT + "' float [N, C, H, W] (normalized images, dynamic"
                + " batch N), output '" + OnnxWriter.OUTPUT + "' [N, classes]; BatchNormalization in inference form.",
            "--verify runs the model in ONNX Runtime on real test images of the subnet's dataset and compares the"
                + " logits with the DJL network's (exit 1 above 1e-4; nothing written then)."})
public final class ExportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SUBNET_DIR", description = "A subnet folder (space.json, arch.json, model.params).")
    Path dir;

    @Option(names = "--format", defaultValue = "onnx", description = "Output format: onnx (default).")
    String format;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.onnx", description = "File to write.")
    Path output;

    @Option(names = "--force", description = "Overwrite the output file if it exists (an earlier export of the same subnet folder is replaced without it).")
    boolean force;

    @Option(names = "--verify", description = "Check the model in ONNX Runtime against DJL on test images first.")
    boolean verify;

    @Option(names = "--verify-images", defaultValue = "200", paramLabel = "N",
            description = "Test images for --verify (default ${DEFAULT-VALUE}).")
    int verifyImages;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "fashion-mnist, cifar10 or folder: the model's dataset and normalization metadata, and"
                    + " --verify's test images (default: origin.json's, else from the input).")
    String dataset;

    @Option(names = "--data", paramLabel = "PATH",
            description = "Dataset location for --verify (default: origin.json's, else the usual search).")
    Path data;

    @Mixin
    Output out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!verify) { // options the export would ignore without a word
            for (String o : new String[] {"--verify-images", "--data"}) { // --dataset also names the metadata's
                if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                    throw new io.hwnas.core.HwnasException("option '" + o + "' applies to --verify only");
                }
            }
        }
        if (!"onnx".equals(format)) {
            throw new HwnasException("option '--format' = \"" + format + "\": unknown format; known: onnx");
        }
        Inputs.requireSubnet(dir);
        Outputs.apart("-o", output, "subnet folder", dir); // a model beside the weights would outlive a replaced subnet
        Outputs.notOwned("-o", output); // nor over another subnet's files or into a run
        boolean replace = force || OnnxExport.exportOf(output, dir); // a rerun replaces its own earlier export
        Outputs.resultFile("-o", output, replace, dir.resolve(io.hwnas.supernet.net.SubnetIO.ARCH_FILE),
                dir.resolve(io.hwnas.supernet.net.SubnetIO.SPACE_FILE), dir.resolve(io.hwnas.supernet.net.SubnetIO
                .PARAMS_FILE), dir.resolve(io.hwnas.search.subnet.Origin.FILE), data); // never over what it reads
        OnnxExport.Result r = OnnxExport.export(dir, output, new OnnxExport.Options(replace, verify, verifyImages, dataset,
                data == null ? null : data.toString()));
        OnnxExport.Verification v = r.verification();
        StringBuilder sb = new StringBuilder();
        if (r.written()) {
            sb.append(String.format("wrote %s: %s | %s (ONNX opset %d, %.1f KiB)", r.output(), r.space(), r.arch(),
                    r.opset(), r.bytes() / 1024.0));
        }
        if (v != null) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(String.format("verify: %s vs DJL on %d %s test images: max |difference| %.3g (tolerance %.0e), "
                    + "same top-1 class on %d/%d: %s", v.runtime(), v.images(), v.dataset(), v.maxAbsDiff(),
                    v.tolerance(), v.top1Agreement(), v.images(), v.passed() ? "ok" : "FAILED"));
        }
        if (!r.written()) {
            if (out.json) {
                out.print(r, "");
            }
            System.err.println("hwnas: error: " + sb + "; nothing written to " + r.output());
            return 1;
        }
        out.print(r, sb.toString());
        return 0;
    }
}
