package io.hwnas.tools.cli;

import io.hwnas.core.Json;
import picocli.CommandLine.Option;

/** Mixin for commands that print results: {@code --json} prints one JSON document instead of text. */
public final class Output {
    @Option(names = "--json", description = "Print machine-readable JSON instead of text.")
    public boolean json;

    /** Prints {@code value} as JSON when --json was given, else {@code text}. */
    public void print(Object value, String text) {
        if (json) {
            System.out.print(Json.write(value));
        } else {
            System.out.print(text.endsWith("\n") ? text : text + "\n");
        }
        System.out.flush();
    }
}
