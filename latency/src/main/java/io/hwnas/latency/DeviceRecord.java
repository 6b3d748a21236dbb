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
 */
public record DeviceRecord(String name, Source source, String runtime, Integer threads, int batch, String precision,
        String cpu, String host, String date, String notes) {

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
        return sb.toString();
    }
}
