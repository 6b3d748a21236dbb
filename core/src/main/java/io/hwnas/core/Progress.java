package io.hwnas.core;

/**
 * Reports progress of long work (measuring a LUT, an epoch of training). Library code takes one
 * and calls it; the command line passes a terminal progress bar, tests pass {@link #NONE}.
 */
public interface Progress {
    /** A new task of {@code total} steps begins. */
    void start(String task, long total);

    /** {@code done} of the task's steps are done; {@code status} is a short line (loss, accuracy...). */
    void update(long done, String status);

    /** The task ends; {@code summary} is printed on its own line (may be empty). */
    void finish(String summary);

    Progress NONE = new Progress() {
        @Override
        public void start(String task, long total) {}

        @Override
        public void update(long done, String status) {}

        @Override
        public void finish(String summary) {}
    };
}
