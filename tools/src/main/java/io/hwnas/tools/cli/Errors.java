package io.hwnas.tools.cli;

import io.hwnas.core.HwnasException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Turns exceptions into exit codes: a user error ({@link HwnasException}, or an exception that can
 * only come from what the user gave: a path the file system cannot represent, a file that is
 * missing, unreadable or not text) prints one line, exit 2; anything else is a bug in hwnas:
 * "internal error ... please report" with the stack trace, exit 1.
 */
public final class Errors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    public static final int USER_ERROR = 2;
    public static final int INTERNAL_ERROR = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        return report(ex, cl.getErr());
    }

    /** Whether the JVM is shutting down (a signal or an exit is running the shutdown hooks). */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /**
     * The exit code for {@code t}, after printing it on {@code err} (one line, or a bug report; nothing
     * for a failure while the JVM shuts down, which a signal caused).
     */
    public static int report(Throwable t, PrintWriter err) {
        String user = userMessage(t);
        if (user != null) {
            err.println("hwnas: error: " + user);
            err.flush();
            return USER_ERROR;
        }
        if (t instanceof OutOfMemoryError) {
            err.println("hwnas: error: out of memory (" + t.getMessage() + "); give the JVM more with"
                    + " HWNAS_JAVA_OPTS=-Xmx8g, or use fewer images / a smaller batch");
            err.flush();
            return INTERNAL_ERROR;
        }
        if (shuttingDown()) {
            // a Ctrl-C or kill is ending the JVM: what fails now fails because of it (e.g. a library that
            // registers a shutdown hook while writing a file), and the signal's own message says what was kept
            return INTERNAL_ERROR;
        }
        err.println("hwnas: internal error, please report it with the lines below: " + t);
        t.printStackTrace(err);
        err.flush();
        return INTERNAL_ERROR;
    }

    /** One line for an error the user's input caused, or null for a bug. */
    static String userMessage(Throwable ex) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = ex; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof HwnasException) {
                return t.getMessage();
            }
        }
        for (Throwable t : chain) {
            if (t instanceof InvalidPathException ipe) {
                return invalidPath(ipe);
            }
            if (t instanceof FileSystemException fse) {
                return fileSystem(fse);
            }
            if (t instanceof CharacterCodingException) {
                return "a file given is not UTF-8 text (" + t.getClass().getSimpleName() + "); is it a binary file?";
            }
            if (t instanceof UncheckedIOException && t.getCause() instanceof FileSystemException fse) {
                return fileSystem(fse);
            }
        }
        return null;
    }

    /** A path the platform cannot represent: a NUL character, or characters outside the file-name encoding. */
    public static String invalidPath(InvalidPathException e) {
        String input = printable(e.getInput());
        String reason = e.getReason() == null ? "" : e.getReason();
        if (e.getInput() != null && e.getInput().indexOf('\0') >= 0) {
            return "path \"" + input + "\": contains a NUL character, which no file name can hold";
        }
        if (reason.contains("Malformed input") || reason.contains("unmappable")) {
            return "path \"" + input + "\": cannot be represented in this system's file-name encoding "
                    + System.getProperty("sun.jnu.encoding", "?") + " (LANG/LC_ALL is "
                    + String.valueOf(System.getenv("LC_ALL") != null ? System.getenv("LC_ALL") : System.getenv("LANG"))
                    + "); run under a UTF-8 locale (e.g. LANG=C.UTF-8) or use an ASCII path";
        }
        return "path \"" + input + "\": not a valid path (" + reason + ")";
    }

    static String fileSystem(FileSystemException e) {
        String f = e.getFile() == null ? "" : e.getFile() + ": ";
        if (e instanceof NoSuchFileException) {
            return f + "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return f + "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return f + "exists and is not a folder";
        }
        if (e instanceof NotDirectoryException) {
            return f + "not a directory";
        }
        String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
        return f + reason.toLowerCase(java.util.Locale.ROOT);
    }

    /** The path as typed, with control characters (NUL...) shown as \\uXXXX. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * An unknown command, option or argument, in words, with picocli's close matches when it has any:
     * "unknown command 'mesure'; did you mean 'measure'?".
     */
    public static String unmatched(CommandLine.UnmatchedArgumentException e) {
        List<String> args = e.getUnmatched();
        if (args == null || args.isEmpty()) {
            return e.getMessage();
        }
        String first = args.get(0);
        CommandLine cl = e.getCommandLine();
        List<String> like = e.getSuggestions() == null ? List.of() : e.getSuggestions().stream()
                .filter(x -> x.startsWith("-") == first.startsWith("-")).limit(3).toList();
        List<String> quoted = like.stream().map(x -> "'" + x + "'").toList();
        String did = quoted.isEmpty() ? "" : "; did you mean " + (quoted.size() == 1 ? quoted.get(0)
                : String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1))
                + "?";
        if (first.startsWith("-")) {
            return "unknown option '" + first + "'" + did;
        }
        if (!cl.getSubcommands().isEmpty()) {
            String qn = cl.getCommandSpec().qualifiedName();
            String all = String.join(", ", cl.getSubcommands().keySet());
            return "unknown command '" + first + "'" + (did.isEmpty() ? " for '" + qn + "'; commands: " + all
                    : did + " (commands of '" + qn + "': " + all + ")");
        }
        return "unexpected argument '" + first + "'" + did;
    }

    /** Bad command-line syntax (unknown option, missing value, unconvertible value): one line and a pointer to --help. */
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String msg = ex instanceof CommandLine.UnmatchedArgumentException u ? unmatched(u) : ex.getMessage();
        String user = userMessage(ex);
        if (user != null && ex.getCause() != null) {
            msg = user;
        }
        err.println("hwnas: error: " + msg);
        err.println("try: " + cl.getCommandSpec().qualifiedName() + " --help");
        err.flush();
        return USER_ERROR;
    }
}
