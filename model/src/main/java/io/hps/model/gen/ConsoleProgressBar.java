package io.hps.model.gen;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Draws progress on one terminal line, rewritten with a carriage return:
 * {@code [#########-----------]  45.2%   7.07/15.63 GiB   812.3 MB/s  ETA 0:00:10}.
 * Ends the line once everything is written.
 */
final class ConsoleProgressBar implements ProgressListener {

    private static final int WIDTH = 30;
    private static final double GIB = 1L << 30;

    private final PrintWriter out;

    ConsoleProgressBar(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onProgress(GenerationProgress p) {
        int filled = (int) Math.round(p.fraction() * WIDTH);
        out.print(String.format(Locale.ROOT, "\r[%s%s] %5.1f%%  %6.2f/%.2f GiB  %7.1f MB/s  ETA %s",
                "#".repeat(filled), "-".repeat(WIDTH - filled), p.fraction() * 100, p.bytesWritten() / GIB,
                p.bytesTotal() / GIB, p.bytesPerSecond() / 1e6, clock(p.remaining())));
        if (p.bytesWritten() >= p.bytesTotal()) {
            out.println();
        }
        out.flush();
    }

    private static String clock(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
