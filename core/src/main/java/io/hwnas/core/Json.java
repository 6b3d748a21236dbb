package io.hwnas.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The project's one JSON configuration: snake_case names, unknown fields refused, pretty output.
 * Every error is turned into an {@link HwnasException} that names the file, the field path and,
 * for validation failures, the value.
 */
public final class Json {
    public static final int SCHEMA = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static <T> T read(Path file, Class<T> type) {
        try (InputStream in = Files.newInputStream(file)) {
            return MAPPER.readValue(in, type);
        } catch (NoSuchFileException e) {
            throw new HwnasException(file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw describe(file.toString(), e);
        }
    }

    public static <T> T read(String source, InputStream in, Class<T> type) {
        try (in) {
            return MAPPER.readValue(in, type);
        } catch (IOException | RuntimeException e) {
            throw describe(source, e);
        }
    }

    public static <T> T parse(String source, String text, Class<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (IOException | RuntimeException e) {
            throw describe(source, e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Writes JSON atomically (temporary file, then rename). */
    public static void writeFile(Path file, Object value) {
        try {
            AtomicFiles.writeString(file, write(value));
        } catch (IOException e) {
            throw new HwnasException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Turns Jackson's and validation errors into one readable message with file and field path. */
    public static HwnasException describe(String source, Throwable e) {
        if (e instanceof HwnasException he) {
            return new HwnasException(source + ": " + he.getMessage(), he);
        }
        if (e instanceof ValueInstantiationException vie && vie.getCause() instanceof HwnasException he) {
            return new HwnasException(source + ": " + where(vie) + he.getMessage(), he);
        }
        if (e instanceof JsonMappingException jme) {
            String msg = jme.getOriginalMessage();
            int nl = msg.indexOf('\n');
            if (nl > 0) {
                msg = msg.substring(0, nl);
            }
            return new HwnasException(source + ": " + where(jme) + msg, e);
        }
        if (e instanceof JsonProcessingException jpe) {
            String loc = jpe.getLocation() == null ? ""
                    : " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
            return new HwnasException(source + ": malformed JSON" + loc + ": " + jpe.getOriginalMessage(), e);
        }
        return new HwnasException(source + ": " + e.getMessage(), e);
    }

    private static String where(JsonMappingException e) {
        String path = e.getPathReference();
        if (path == null || path.isEmpty()) {
            return "";
        }
        // "io.hwnas.X[\"stages\"]->java.util.ArrayList[2]" -> stages[2]
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "" : "at " + sb + ": ";
    }

    /** Checks the {@code schema} field every file carries. */
    public static int checkSchema(int schema) {
        HwnasException.require(schema == SCHEMA, "schema", schema, "this version of hwnas reads schema " + SCHEMA);
        return schema;
    }
}
