package io.hwnas.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's one JSON configuration: snake_case names, unknown fields refused, pretty output,
 * and strict reading: a key given twice is refused (naming the key), a fractional number for an
 * integer field is refused (never truncated), a number out of its field's range (an int above
 * 2^31-1, a double beyond ±1.8e308 that would become infinity) is refused, strings are not coerced
 * to numbers. Files are read bounded ({@link #MAX_FILE_BYTES}), only when they are regular files,
 * and only as UTF-8 text. Every error is turned into an {@link HwnasException} that names the file,
 * the field path and, for validation failures, the value.
 */
public final class Json {
    public static final int SCHEMA = 1;

    /** The largest JSON file hwnas reads: 16 MiB (the largest real one, a LUT, is well under 1 MiB). */
    public static final long MAX_FILE_BYTES = 16L << 20;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            // a number or a boolean where text belongs ("dataset": 3) is refused, not read as the text "3"
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .addModule(new SimpleModule("hwnas-finite-doubles")
                    .addDeserializer(double.class, new FiniteDouble(true))
                    .addDeserializer(Double.class, new FiniteDouble(false)))
            .build();

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads a bounded, regular, UTF-8 JSON file into {@code type}. */
    public static <T> T read(Path file, Class<T> type) {
        String text = nonEmpty(file.toString(), readText(file));
        try {
            return MAPPER.readValue(text, type);
        } catch (IOException | RuntimeException e) {
            throw describe(file.toString(), e, tree(text));
        }
    }

    /** Reads a bounded, regular, UTF-8 JSON file as a tree (duplicate keys refused). */
    public static JsonNode readTree(Path file) {
        String text = nonEmpty(file.toString(), readText(file));
        try {
            return MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            throw describe(file.toString(), e);
        }
    }

    /**
     * The content of a text file the user gave (a config, a LUT, a space), refused at once with a
     * one-line message when it is missing, unreadable, not a regular file (a folder, a device such
     * as /dev/zero, a pipe), larger than {@link #MAX_FILE_BYTES}, not UTF-8 or holds NUL bytes.
     */
    public static String readText(Path file) {
        return readText(file, MAX_FILE_BYTES);
    }

    static String readText(Path file, long maxBytes) {
        return decodeText(file.toString(), TextFiles.readBytes(file, maxBytes, "a JSON file"));
    }

    /** Refuses a file with nothing but white space in it (Jackson would say "No content to map"). */
    private static String nonEmpty(String source, String text) {
        if (text.isBlank()) {
            throw empty(source, text.isEmpty() ? "" : "; the file holds only white space", null);
        }
        return text;
    }

    /** The one wording of an empty JSON input. */
    private static HwnasException empty(String source, String detail, Throwable cause) {
        return new HwnasException(source + ": is empty (expected a JSON object {...}" + detail + "); was it written"
                + " completely?", cause);
    }

    /** Strict UTF-8 decoding; a NUL byte or an invalid sequence means a binary file: refused naming the offset. */
    public static String decodeText(String source, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new HwnasException(source + ": binary file (NUL byte at offset " + i
                        + "); expected UTF-8 JSON text");
            }
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            String s = dec.decode(buf).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new HwnasException(source + ": not UTF-8 text (invalid byte sequence at offset " + buf.position()
                    + "); expected a UTF-8 JSON file, is this a binary file?");
        }
    }

    /**
     * Doubles must be finite: 1e400 would otherwise become infinity silently. For a primitive
     * {@code double} null is refused as Jackson refuses it for the other primitives (a custom
     * deserializer's null would otherwise reach the constructor and fail there without a field name).
     */
    private static final class FiniteDouble extends JsonDeserializer<Double> {
        private final boolean primitive;

        FiniteDouble(boolean primitive) {
            this.primitive = primitive;
        }

        @Override
        public Double getNullValue(DeserializationContext ctx) throws JsonMappingException {
            if (primitive) {
                return (Double) ctx.reportInputMismatch(double.class, "Cannot map `null` into type `double`");
            }
            return null;
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                return (Double) ctx.handleUnexpectedToken(Double.class, p);
            }
            double v = p.getDoubleValue();
            if (!Double.isFinite(v)) {
                throw JsonMappingException.from(p, "number " + p.getText() + " is out of range of a double (beyond 1.8e308)");
            }
            return v;
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
        nonEmpty(source, text);
        try {
            return MAPPER.readValue(text, type);
        } catch (IOException | RuntimeException e) {
            throw describe(source, e, tree(text));
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

    /** The tree of {@code text}, or null when it does not parse (the error is then about the syntax). */
    private static JsonNode tree(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@link #describe(String, Throwable)}, knowing the JSON that was read: Jackson reports a missing
     * field before an unknown one in the same object (it checks unknown fields once the object is
     * built), but for a typo ({@code "op"} for {@code "ops"}) the unknown field is the useful news, so
     * it is named first.
     */
    public static HwnasException describe(String source, Throwable e, JsonNode root) {
        // only a NullPointerException is a null reaching a check that does not expect one
        if (root != null && e instanceof ValueInstantiationException vie && vie.getCause() instanceof NullPointerException) {
            String nul = nullBeside(root, vie);
            if (nul != null) {
                return new HwnasException(source + ": " + nul, e);
            }
        }
        if (root != null && e instanceof JsonMappingException jme && !(e instanceof ValueInstantiationException)) {
            java.util.regex.Matcher m = MISSING.matcher(firstLine(jme.getOriginalMessage()));
            if (m.matches()) {
                String unknown = unknownBeside(root, jme);
                if (unknown != null) {
                    return new HwnasException(source + ": " + unknown, e);
                }
            }
        }
        return describe(source, e);
    }

    /**
     * For a record whose constructor failed without naming a field (a null reached a check that does
     * not expect one): "field 'X' = null: ..." when the object it was built from has exactly one
     * field given as null; else null.
     */
    private static String nullBeside(JsonNode root, JsonMappingException e) {
        At at = walk(root, e.getPath());
        if (at == null) {
            return null;
        }
        JsonNode node = at.node();
        String path = at.path();
        String nul = null;
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            java.util.Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNull()) {
                if (nul != null) {
                    return null; // several: which one failed is not known
                }
                nul = f.getKey();
            }
        }
        return nul == null ? null : "field '" + (path.length() > 0 ? path + "." : "") + nul
                + "' = null: needs a value (null is not accepted here)";
    }

    /** An object of the JSON that was read, and its path ("a.b[2]"; "" for the root). */
    private record At(JsonNode node, String path) {}

    /** The object that {@code refs} lead to from {@code root}, or null when there is none there. */
    private static At walk(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode node = root;
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                node = node.get(ref.getFieldName());
                path.append(path.length() > 0 ? "." : "").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                node = node.get(ref.getIndex());
                path.append('[').append(ref.getIndex()).append(']');
            }
            if (node == null) {
                return null;
            }
        }
        return node.isObject() ? new At(node, path.toString()) : null;
    }

    /** "field 'X' is not known (known there: ...)" for an unknown field beside a missing one, or null. */
    private static String unknownBeside(JsonNode root, JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        if (refs.isEmpty()) {
            return null;
        }
        JsonMappingException.Reference last = refs.get(refs.size() - 1);
        Object from = last.getFrom();
        Class<?> owner = from instanceof Class<?> c ? c : from == null ? null : from.getClass();
        if (owner == null || last.getFieldName() == null) {
            return null;
        }
        At at = walk(root, refs.subList(0, refs.size() - 1));
        if (at == null) {
            return null;
        }
        JsonNode node = at.node();
        String path = at.path();
        java.util.Set<String> known = new java.util.TreeSet<>();
        try {
            MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(owner)).findProperties()
                    .forEach(p -> known.add(p.getName()));
        } catch (RuntimeException ignored) {
            return null; // the reordering is a courtesy
        }
        if (!known.contains(last.getFieldName())) {
            return null;
        }
        for (java.util.Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!known.contains(f)) {
                return "field '" + (path.length() > 0 ? path + "." : "") + f + "' is not known (known there: "
                        + String.join(", ", known) + "; '" + last.getFieldName() + "' is required)";
            }
        }
        return null;
    }

    /** Turns Jackson's and validation errors into one readable message with file and field path. */
    public static HwnasException describe(String source, Throwable e) {
        if (e instanceof HwnasException he) {
            return new HwnasException(source + ": " + he.getMessage(), he);
        }
        if (e instanceof ValueInstantiationException vie && vie.getCause() instanceof HwnasException he) {
            return new HwnasException(source + ": " + where(vie) + he.getMessage(), he);
        }
        if (e instanceof JsonProcessingException jpe && jpe.getOriginalMessage() != null
                && jpe.getOriginalMessage().startsWith("No content to map due to end-of-input")) {
            return empty(source, "", e);
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException upe) {
            java.util.List<String> known = upe.getKnownPropertyIds() == null ? java.util.List.of()
                    : upe.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            return new HwnasException(source + ": field '" + path(upe) + "' is not known"
                    + (known.isEmpty() ? "" : " (known there: " + String.join(", ", known) + ")"), e);
        }
        if (e instanceof JsonMappingException jme) {
            String msg = firstLine(jme.getOriginalMessage());
            String plain = plainNumberMessage(path(jme), msg);
            if (plain == null) {
                plain = plainShapeMessage(path(jme), msg, scalarText(jme));
            }
            return new HwnasException(source + ": " + (plain != null ? plain : where(jme) + msg), e);
        }
        if (e instanceof InputCoercionException ice) {
            String field = null;
            JsonParser p = ice.getProcessor();
            if (p != null) {
                try {
                    field = p.currentName();
                } catch (IOException | RuntimeException ignored) {
                    // the name is a courtesy
                }
            }
            String loc = ice.getLocation() == null ? "" : " (line " + ice.getLocation().getLineNr() + ")";
            return new HwnasException(source + ": " + (field == null ? "" : "field '" + field + "': ")
                    + firstLine(ice.getOriginalMessage()) + loc, e);
        }
        if (e instanceof JsonProcessingException jpe) {
            String loc = jpe.getLocation() == null ? ""
                    : " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
            String msg = firstLine(jpe.getOriginalMessage());
            if (msg.startsWith("Duplicate field '")) {
                return new HwnasException(source + ": key '" + msg.substring(17, msg.length() - 1) + "' is given twice"
                        + loc + "; each key may appear once", e);
            }
            // Jackson names a location as "[Source: REDACTED (`StreamReadFeature...` disabled); line: 1, column: 1]"
            msg = msg.replaceAll("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2");
            // and suggests a parser setting the user cannot change: "Non-standard token 'NaN': enable `...` to allow"
            msg = msg.replaceAll(": enable `[A-Za-z.]*ALLOW_NON_NUMERIC_NUMBERS` to allow$",
                    ": JSON has no NaN or Infinity; give a number");
            return new HwnasException(source + ": malformed JSON" + loc + ": " + msg, e);
        }
        return new HwnasException(source + ": " + e.getMessage(), e);
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "";
        }
        int nl = msg.indexOf('\n');
        return nl > 0 ? msg.substring(0, nl) : msg;
    }

    private static final java.util.regex.Pattern COERCE = java.util.regex.Pattern.compile(
            "Cannot coerce (Floating-point|Float|String|Integer|Boolean) value \\((.*?)\\) to `(?:java\\.lang\\.)?(\\w+)` value.*");
    private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern.compile(
            "Numeric value \\((.*?)\\) out of range of (\\w+) \\((.*)\\).*");

    /** Jackson's coercion and range messages in the project's form: field, value, expectation. */
    private static String plainNumberMessage(String path, String msg) {
        if (path.isEmpty()) {
            return null;
        }
        java.util.regex.Matcher m = COERCE.matcher(msg);
        if (m.matches()) {
            String type = m.group(3).toLowerCase(java.util.Locale.ROOT).replace("integer", "int");
            if (type.equals("string")) {
                return "field '" + path + "' = " + m.group(2) + ": must be text (a JSON string in quotes), not "
                        + (m.group(1).equals("Boolean") ? "true or false" : "a number");
            }
            if (type.equals("boolean")) {
                return "field '" + path + "' = " + m.group(2) + ": must be true or false, not "
                        + (m.group(1).equals("String") ? "a string" : "a number");
            }
            return "field '" + path + "' = " + m.group(2) + ": " + (m.group(1).equals("String")
                    ? "must be a JSON number" + (List.of("int", "long", "short", "byte").contains(type)
                            ? " (a whole number)" : "") + ", not a string in quotes"
                    : "must be a whole number (" + type + " field; fractions are never rounded)");
        }
        m = RANGE.matcher(msg);
        if (m.matches()) {
            return "field '" + path + "' = " + m.group(1) + ": out of range of " + m.group(2) + " (" + m.group(3) + ")";
        }
        return null;
    }

    private static final java.util.regex.Pattern MISSING = java.util.regex.Pattern.compile(
            "Missing (?:creator|required) property '([^']*)'.*");
    private static final java.util.regex.Pattern DESERIALIZE = java.util.regex.Pattern.compile(
            "Cannot deserialize value of type `([^`]*)` from (.+?)(?:: .*|; .*|\\.?)");
    private static final java.util.regex.Pattern CONSTRUCT = java.util.regex.Pattern.compile(
            "Cannot construct instance of `([^`]*)`.* from (\\w+)(?:-\\w+)? value \\((.*)\\).*");
    private static final java.util.regex.Pattern FROM_VALUE = java.util.regex.Pattern.compile(
            "(?:String|Floating-point|Integer) value (\\(.*\\)|\".*\")|String (\".*\")");

    private static final java.util.regex.Pattern NULL_PRIMITIVE = java.util.regex.Pattern.compile(
            "Cannot map `null` into type `(?:java\\.lang\\.)?(\\w+)`.*");

    /** Jackson's missing-field, null and wrong-kind messages in the project's form: field, value, expectation. */
    private static String plainShapeMessage(String path, String msg, String scalar) {
        java.util.regex.Matcher m = NULL_PRIMITIVE.matcher(msg);
        if (m.matches() && !path.isEmpty()) {
            return "field '" + path + "' = null: must be " + kind(m.group(1));
        }
        m = MISSING.matcher(msg);
        if (m.matches()) {
            String field = path.isEmpty() ? m.group(1) : path.endsWith(m.group(1)) ? path : path + "." + m.group(1);
            return "field '" + field + "' is required";
        }
        m = CONSTRUCT.matcher(msg);
        if (m.matches()) {
            String v = m.group(3);
            if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                v = "\"" + v.substring(1, v.length() - 1) + "\"";
            }
            String from = m.group(2).toLowerCase(java.util.Locale.ROOT);
            return "field '" + (path.isEmpty() ? "(top level)" : path) + "' = " + v + ": must be " + kind(m.group(1))
                    + ", not " + (from.equals("string") ? "a string" : from.startsWith("int") || from.startsWith("double")
                    || from.startsWith("floating") ? "a number" : from.equals("boolean") ? "true or false" : from);
        }
        m = DESERIALIZE.matcher(msg);
        if (m.matches()) {
            String from = m.group(2);
            java.util.regex.Matcher v = FROM_VALUE.matcher(from);
            String value = null;
            if (v.find()) {
                value = v.group(1) != null ? v.group(1) : v.group(2);
                if (value.startsWith("(") && value.endsWith(")")) {
                    value = value.substring(1, value.length() - 1);
                }
            }
            if (value == null || value.contains("JsonToken")) {
                value = scalar;
            }
            String got = from.startsWith("String") ? "a string" : from.startsWith("Array") ? "an array"
                    : from.startsWith("Object") ? "an object" : from.startsWith("Boolean") ? "a boolean"
                    : from.startsWith("Null") ? "null" : from.startsWith("Floating-point") || from.startsWith("Integer")
                    ? "a number" : "a " + from.split(" ")[0].toLowerCase(java.util.Locale.ROOT);
            return "field '" + (path.isEmpty() ? "(top level)" : path) + "'" + (value == null ? "" : " = " + value)
                    + ": must be " + kind(m.group(1)) + ", not " + got;
        }
        return null;
    }

    /** The scalar the parser stood on when {@code e} was thrown, as JSON (a string quoted), or null. */
    private static String scalarText(JsonMappingException e) {
        if (!(e.getProcessor() instanceof JsonParser p)) {
            return null;
        }
        try {
            JsonToken t = p.currentToken();
            if (t == null || !t.isScalarValue()) {
                return null;
            }
            String text = p.getText();
            return t == JsonToken.VALUE_STRING ? "\"" + text + "\"" : text;
        } catch (IOException | RuntimeException ignored) {
            return null; // the value is a courtesy
        }
    }

    /** What a JSON value of Java type {@code type} looks like, for a message. */
    private static String kind(String type) {
        String t = type.replaceAll("<.*", "");
        return switch (t) {
            case "double", "float", "java.lang.Double", "java.lang.Float" -> "a JSON number";
            case "int", "long", "short", "java.lang.Integer", "java.lang.Long", "java.lang.Short" -> "a JSON whole number";
            case "boolean", "java.lang.Boolean" -> "true or false";
            case "java.lang.String" -> "a JSON string";
            case "java.util.List", "java.util.ArrayList", "java.util.Set" -> "a JSON array";
            default -> t.endsWith("[]") ? "a JSON array" : "a JSON object";
        };
    }

    private static String where(JsonMappingException e) {
        String p = path(e);
        return p.isEmpty() ? "" : "at " + p + ": ";
    }

    private static String path(JsonMappingException e) {
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
        return sb.toString();
    }

    /** Checks the {@code schema} field every file carries. */
    public static int checkSchema(int schema) {
        HwnasException.require(schema == SCHEMA, "schema", schema, "this version of hwnas reads schema " + SCHEMA);
        return schema;
    }
}
