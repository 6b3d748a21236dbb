package io.hwnas.latency;

import static io.hwnas.core.HwnasException.require;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.annotation.JsonCreator;
import io.hwnas.core.HwnasException;
import java.util.Locale;

/**
 * Where a lookup table's numbers come from: the device, how they were obtained, and the conditions
 * (runtime, threads, batch, precision) under which they hold. Unknown facts are {@code null}.
 *
 * @param name short device name, e.g. {@code raspi4} or {@code xeon-2t}
 * @param source how the numbers were obtained
 * @param runtime the runtime and its versions, e.g. {@code DJL 0.35.1 / PyTorch 2.7.1 (cpu)}
 * @param threads intra-op threads, or null when unknown
 * @param batch batch size the latencies are for
 * @param precision numeric precision, e.g. {@code fp32}, or null when unknown
 * @param cpu processor model, or null when unknown
 * @param host host name of the measuring machine, or null
 * @param date ISO-8601 date-time the table was made
 * @param notes free text (origin of imported data, caveats), or null
 * @param otherLoadCores for a measurement made here: the average number of cores other processes kept
 *     busy while it ran ({@link io.hwnas.core.MachineLoad}); null when unknown or not measured here
 */
public record DeviceRecord(String name, Source source, String runtime, Integer threads, int batch, String precision,
        String cpu, String host, String date, String notes, Double otherLoadCores) {

    /** The stored fields; {@link #fromJson} fills in the ones files written before them lack. */
    private record Stored(String name, Source source, String runtime, Integer threads, int batch, String precision,
            String cpu, String host, String date, String notes, Double otherLoadCores) {}

    /** Reads a record; {@code other_load_cores} (added later) may be missing, as in older files. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static DeviceRecord fromJson(com.fasterxml.jackson.databind.JsonNode n) throws java.io.IOException {
        if (n == null || !n.isObject()) {
            throw new HwnasException("field 'device' = " + n + ": expected an object (name, source, runtime, ...)");
        }
        com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) n;
        if (!o.has("other_load_cores")) {
            o = o.deepCopy();
            o.putNull("other_load_cores");
        }
        Stored f = io.hwnas.core.Json.mapper().treeToValue(o, Stored.class);
        return new DeviceRecord(f.name, f.source, f.runtime, f.threads, f.batch, f.precision, f.cpu, f.host, f.date,
                f.notes, f.otherLoadCores);
    }

    /** A record without a load reading (imported or estimated tables, older files). */
    public DeviceRecord(String name, Source source, String runtime, Integer threads, int batch, String precision,
            String cpu, String host, String date, String notes) {
        this(name, source, runtime, threads, batch, precision, cpu, host, date, notes, null);
    }

    /** How a table's numbers were obtained. */
    public enum Source {
        /** Measured by hwnas on the machine named in the record. */
        MEASURED,
        /** Taken from a published table or another tool's output. */
        IMPORTED,
        /** Predicted by a model (analytical or learned), not measured. */
        ESTIMATED;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Source of(String s) {
            for (Source v : values()) {
                if (v.id().equals(s)) {
                    return v;
                }
            }
            throw new HwnasException("field 'device.source' = \"" + s + "\": must be measured, imported or estimated");
        }
    }

    public DeviceRecord {
        require(name != null && !name.isBlank(), "device.name", name, "is required");
        require(source != null, "device.source", null, "is required (measured, imported or estimated)");
        require(runtime != null && !runtime.isBlank(), "device.runtime", runtime, "is required");
        require(threads == null || threads >= 1, "device.threads", threads, "must be positive (or null if unknown)");
        require(batch >= 1, "device.batch", batch, "must be positive");
        require(otherLoadCores == null || (Double.isFinite(otherLoadCores) && otherLoadCores >= 0), "device.other_load_cores",
                otherLoadCores, "must be a number of cores >= 0 (or null if unknown)");
    }

    /** This record with the load of other processes during its measurement. */
    public DeviceRecord withLoad(io.hwnas.core.MachineLoad.Reading r) {
        return new DeviceRecord(name, source, runtime, threads, batch, precision, cpu, host, date, notes,
                r.recorded());
    }

    /** True when the record says other processes loaded the machine during the measurement. */
    public boolean measuredBusy() {
        return otherLoadCores != null && otherLoadCores >= io.hwnas.core.MachineLoad.BUSY_CORES;
    }

    /** A one-line description for people. */
    public String describe() {
        StringBuilder sb = new StringBuilder(name).append(" (").append(source.id()).append("): ").append(runtime);
        sb.append(", batch ").append(batch);
        if (threads != null) {
            sb.append(", ").append(threads).append(threads == 1 ? " thread" : " threads");
        }
        if (precision != null) {
            sb.append(", ").append(precision);
        }
        if (cpu != null) {
            sb.append(", ").append(cpu);
        }
        if (host != null) {
            sb.append(", host ").append(host);
        }
        if (date != null) {
            sb.append(", ").append(date);
        }
        if (otherLoadCores != null) {
            sb.append(String.format(Locale.ROOT, ", other load %.2f cores", otherLoadCores));
        }
        return sb.toString();
    }
}
