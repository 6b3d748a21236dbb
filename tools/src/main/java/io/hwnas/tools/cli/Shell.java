package io.hwnas.tools.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Command lines printed for a user to paste into a POSIX shell: arguments quoted where they need it. */
final class Shell {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    /** {@code arg} as one shell word: unchanged when plain, else in single quotes (a quote inside as '\''). */
    static String quote(String arg) {
        return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    static String quote(Path p) {
        return quote(p.toString());
    }

    /** "hwnas" and the arguments, each quoted where it needs it. */
    static String command(List<String> args) {
        return "hwnas" + args.stream().map(a -> " " + quote(a)).collect(Collectors.joining());
    }
}
