package io.hwnas.latency;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.supernet.space.LayerSpec;
import io.hwnas.supernet.space.SearchSpace;
import io.hwnas.core.HwnasException;
import io.hwnas.core.Json;
import io.hwnas.core.SharedData;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports the HW-NAS-Bench FBNet table (CIFAR-100 setting) kept under {@code shared/data/latency/}:
 * a CSV of per-(layer, op) deltas against {@code k3_e1} ({@code device,layer,stage,in_hw,cin,cout,
 * stride,op,delta_vs_k3_e1_ms}) and a JSON with each device's whole-network latency of the
 * all-{@code k3_e1} architecture ({@code base_all_k3_e1_ms}). The LUT keeps the numbers exactly as
 * stored: {@code fixed_ms} = base, entries = deltas, so fixed + Σ entries is the device's
 * network latency (within the stored residual, ~1e-13 ms).
 */
public final class HwNasBenchImport {
    /** The devices of the table, in the order the file lists them. */
    public static final List<String> DEVICES = List.of("raspi4", "pixel3", "eyeriss", "fpga");
    public static final String FORMAT = "hwnasbench-fbnet";
    public static final String DEFAULT_CSV = "latency/hwnasbench-fbnet-cifar100-lut.csv";
    public static final String DEFAULT_BASE = "latency/hwnasbench-fbnet-cifar100-lut-base.json";
    static final List<String> HEADER = List.of("device", "layer", "stage", "in_hw", "cin", "cout", "stride", "op",
            "delta_vs_k3_e1_ms");
    private static final Map<String, String> RUNTIME = Map.of(
            "raspi4", "HW-NAS-Bench: Raspberry Pi 4 (measured by HW-NAS-Bench)",
            "pixel3", "HW-NAS-Bench: Google Pixel 3 (measured by HW-NAS-Bench)",
            "eyeriss", "HW-NAS-Bench: Eyeriss ASIC (simulated by HW-NAS-Bench)",
            "fpga", "HW-NAS-Bench: FPGA (estimated by HW-NAS-Bench)");

    private HwNasBenchImport() {}

    public static Path defaultCsv() {
        return SharedData.data(DEFAULT_CSV);
    }

    public static Path defaultBase() {
        return SharedData.data(DEFAULT_BASE);
    }

    /** The default base file's path for messages (where it would be when the shared data is missing). */
    private static String shownDefaultBase() {
        try {
            return defaultBase().toString();
        } catch (HwnasException e) {
            return "<shared>/data/" + DEFAULT_BASE;
        }
    }

    /** Checks a device name against the known list; the message lists them. */
    public static String checkDevice(String device) {
        if (device == null || !DEVICES.contains(device)) {
            throw new HwnasException("field 'device' = " + (device == null ? "null" : "\"" + device + "\"")
                    + ": unknown device for format " + FORMAT + "; known: " + String.join(", ", DEVICES));
        }
        return device;
    }

    /**
     * Builds the LUT of {@code device} for {@code space} (normally fbnet-cifar) from the two files.
     * Every row's layer dimensions (stage, in_hw, cin, cout, stride) must match the space's layer.
     */
    public static Lut fbnet(Path csv, Path baseJson, String device, SearchSpace space) {
        checkDevice(device);
        if (space.projectionShortcut()) {
            throw new HwnasException("space " + space.id() + " has projection shortcuts (\"shortcut\": \"projection\"),"
                    + " which the published tables did not measure; import for the space without them (fbnet-cifar) and"
                    + " carry the table over with 'hwnas lut transfer', which adds the shortcuts as an estimate");
        }
        double base = readBase(baseJson, device);
        List<String> lines = readLines(csv);
        if (lines.isEmpty()) {
            throw HwnasException.inFile(csv, "empty file; expected header " + String.join(",", HEADER));
        }
        List<String> header = Arrays.asList(lines.get(0).trim().split(",", -1));
        if (!header.equals(HEADER)) {
            throw HwnasException.inFile(csv, "line 1: header is " + header + "; expected " + String.join(",", HEADER));
        }
        List<LayerSpec> layers = space.layers();
        List<LutEntry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Set<String> devicesInFile = new LinkedHashSet<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            String[] f = line.split(",", -1);
            if (f.length != HEADER.size()) {
                throw HwnasException.inFile(csv, "line " + lineNo + ": " + f.length + " fields; expected "
                        + HEADER.size());
            }
            devicesInFile.add(f[0]);
            if (!f[0].equals(device)) {
                continue;
            }
            int layer = integer(csv, lineNo, "layer", f[1]);
            if (layer < 0 || layer >= layers.size()) {
                throw HwnasException.inFile(csv, "line " + lineNo + ": field 'layer' = " + layer + ": space "
                        + space.id() + " has layers 0.." + (layers.size() - 1));
            }
            LayerSpec l = layers.get(layer);
            expect(csv, lineNo, "stage", integer(csv, lineNo, "stage", f[2]), l.stage(), l, space);
            expect(csv, lineNo, "in_hw", integer(csv, lineNo, "in_hw", f[3]), l.inHeight(), l, space);
            expect(csv, lineNo, "cin", integer(csv, lineNo, "cin", f[4]), l.inChannels(), l, space);
            expect(csv, lineNo, "cout", integer(csv, lineNo, "cout", f[5]), l.outChannels(), l, space);
            expect(csv, lineNo, "stride", integer(csv, lineNo, "stride", f[6]), l.stride(), l, space);
            String op = f[7];
            if (!space.ops().contains(op)) {
                throw HwnasException.inFile(csv, "line " + lineNo + ": field 'op' = \"" + op
                        + "\": not a candidate op of space " + space.id());
            }
            double delta = number(csv, lineNo, "delta_vs_k3_e1_ms", f[8]);
            if (Math.abs(delta) > Lut.ABSURD_MS) {
                throw HwnasException.inFile(csv, "line " + lineNo + ": field '" + HEADER.get(8) + "' = " + f[8].trim()
                        + ": is absurd (more than " + Lut.ABSURD_MS + " ms for one op; the table is in milliseconds)");
            }
            Integer prev = seen.put(layer + "/" + op, lineNo);
            if (prev != null) {
                throw HwnasException.inFile(csv, "line " + lineNo + ": duplicate entry for device " + device
                        + ", layer " + layer + " (" + l.name() + "), op " + op + " (also line " + prev + ")");
            }
            entries.add(LutEntry.of(layer, l.name(), op, delta));
        }
        if (entries.isEmpty()) {
            throw HwnasException.inFile(csv, "no rows for device \"" + device + "\"; devices in the file: "
                    + String.join(", ", devicesInFile));
        }
        String notes = "HW-NAS-Bench FBNet table, CIFAR-100 setting (32x32 input), imported from " + csv.getFileName()
                + " + " + baseJson.getFileName() + " (derived from the HELP data, HayeonLee/HELP @ 45f70eb9). "
                + "Entries are deltas against k3_e1 in the same layer (k3_e1 = 0, some negative); fixed_ms is the "
                + "whole all-k3_e1 network, so fixed_ms + the chosen ops' entries is the network latency."
                + headNote(space);
        DeviceRecord rec = new DeviceRecord(device, DeviceRecord.Source.IMPORTED, RUNTIME.get(device), null, 1, null,
                null, null, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), notes);
        Lut lut = new Lut(space.id(), rec, base, entries, null);
        try {
            return lut.withSpace(space);
        } catch (HwnasException e) {
            throw HwnasException.inFile(csv, "device " + device + ": " + e.getMessage());
        }
    }

    /** The published tables time a 100-class head; a space with another head keeps that fixed part. */
    static String headNote(SearchSpace space) {
        int classes = space.head().classes();
        if (classes == 100) {
            return "";
        }
        long extraMacs = (long) space.head().channels() * (100 - classes);
        return String.format(java.util.Locale.ROOT, " Space %s has a %d-class head: fixed_ms is the published one, timed"
                + " with a 100-class classifier (%+d multiply-accumulates against this head, %.2f M), kept unchanged.",
                space.id(), classes, extraMacs, extraMacs / 1e6);
    }

    static double readBase(Path baseJson, String device) {
        JsonNode root = Json.readTree(baseJson); // bounded, regular files only, UTF-8 checked, not empty
        if (root == null || !root.isObject()) {
            throw HwnasException.inFile(baseJson, "expected a JSON object keyed by device");
        }
        if (root.has("entries") && root.has("fixed_ms")) {
            throw HwnasException.inFile(baseJson, "is a LUT, not HW-NAS-Bench's base file (a JSON object keyed by"
                    + " device, each with base_all_k3_e1_ms), by default " + shownDefaultBase());
        }
        JsonNode d = root.get(device);
        if (d == null) {
            List<String> names = new ArrayList<>();
            root.fieldNames().forEachRemaining(names::add);
            throw HwnasException.inFile(baseJson, "no entry for device \"" + device + "\"; devices: "
                    + String.join(", ", names));
        }
        JsonNode b = d.get("base_all_k3_e1_ms");
        if (b == null || !b.isNumber() || !Double.isFinite(b.doubleValue())) {
            throw HwnasException.inFile(baseJson, "field '" + device + ".base_all_k3_e1_ms' = " + b
                    + ": expected a finite number (ms)");
        }
        if (Math.abs(b.doubleValue()) > Lut.ABSURD_MS) {
            throw HwnasException.inFile(baseJson, "field '" + device + ".base_all_k3_e1_ms' = " + b
                    + ": is absurd (more than " + Lut.ABSURD_MS + " ms)");
        }
        return b.doubleValue();
    }

    static List<String> readLines(Path file) {
        return io.hwnas.core.TextFiles.readLines(file); // bounded, regular files or pipes only, UTF-8 checked
    }

    static int integer(Path file, int line, String field, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw HwnasException.inFile(file, "line " + line + ": field '" + field + "' = \"" + v
                    + "\": expected an integer");
        }
    }

    static double number(Path file, int line, String field, String v) {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw HwnasException.inFile(file, "line " + line + ": field '" + field + "' = \"" + v
                    + "\": expected a number");
        }
        if (!Double.isFinite(d)) {
            throw HwnasException.inFile(file, "line " + line + ": field '" + field + "' = \"" + v
                    + "\": expected a finite number");
        }
        return d;
    }

    private static void expect(Path file, int line, String field, int got, int want, LayerSpec l, SearchSpace s) {
        if (got != want) {
            throw HwnasException.inFile(file, "line " + line + ": field '" + field + "' = " + got + ": layer "
                    + l.index() + " (" + l.name() + ") of space " + s.id() + " has " + field + " " + want
                    + " (is this table for another space?)");
        }
    }
}
