package io.hps.load;

import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The study's two PNG plots, log-scale on both axes, one line per path against the batch size:
 * server-side latency (ms) and throughput (K samples/s). Needs a headless AWT
 * ({@code -Djava.awt.headless=true}) on machines without a display.
 */
final class StudyPlots {
    static final int WIDTH = 960;
    static final int HEIGHT = 600;

    private StudyPlots() {
    }

    /** Writes {@code latency.png} and {@code throughput.png} into {@code directory}. */
    static void write(List<StepResult> results, Path directory) throws IOException {
        save(chart(results, "Server-side latency", "latency (ms)", r -> r.server().requestMillis()),
                directory.resolve("latency.png"));
        save(chart(results, "Throughput", "throughput (K samples/s)", r -> r.samplesPerSecond() / 1000),
                directory.resolve("throughput.png"));
    }

    private static JFreeChart chart(List<StepResult> results, String title, String yLabel,
                                    ToDoubleFunction<StepResult> value) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (String path : results.stream().map(StepResult::path).distinct().toList()) {
            XYSeries series = new XYSeries(path);
            results.stream().filter(r -> r.path().equals(path) && !r.skipped() && value.applyAsDouble(r) > 0)
                    .forEach(r -> series.add(r.batchSize(), value.applyAsDouble(r)));
            dataset.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "batch size", yLabel, dataset,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("batch size");
        x.setBase(2);
        x.setSmallestValue(1);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setNumberFormatOverride(new DecimalFormat("#,##0"));
        LogAxis y = new LogAxis(yLabel);
        y.setSmallestValue(1e-3);
        y.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
        y.setMinorTickMarksVisible(true);
        plot.setDomainAxis(x);
        plot.setRangeAxis(y);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        return chart;
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
