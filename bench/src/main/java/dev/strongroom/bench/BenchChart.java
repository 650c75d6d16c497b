package dev.strongroom.bench;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's picture (XChart): records per second over the run, and p50/p99 latency per second,
 * one series per slot, so the ABBA order and any drift are visible.
 */
public final class BenchChart {
  private static final int WIDTH = 1000;
  private static final int HEIGHT = 420;

  private BenchChart() {}

  /** One colour per phase, the same in both charts (the half-load slot has its own). */
  static java.awt.Color color(PhaseResult slot) {
    if (slot.targetRate() > 0) {
      return new java.awt.Color(0xAA, 0x33, 0xAA);
    }
    return switch (slot.name()) {
      case "ceiling" -> new java.awt.Color(0x1F, 0x77, 0xB4);
      case "direct" -> new java.awt.Color(0xFF, 0x7F, 0x0E);
      default -> new java.awt.Color(0x2C, 0xA0, 0x2C);
    };
  }

  /** Writes the two charts, one above the other, as a PNG. */
  public static void write(BenchReport report, Path png) throws IOException {
    XYChart throughput =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Records stored per second")
            .xAxisTitle("seconds since start")
            .yAxisTitle("records/s")
            .build();
    XYChart latency =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("End-to-end latency per second (p99 solid, p50 dotted)")
            .xAxisTitle("seconds since start")
            .yAxisTitle("ms")
            .build();
    throughput.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    latency.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    latency.getStyler().setYAxisLogarithmic(true);
    List<PhaseResult> all = new ArrayList<>(report.slots());
    report.halfLoad().ifPresent(all::add);
    int i = 0;
    for (PhaseResult slot : all) {
      java.awt.Color color = color(slot);
      i++;
      String label = slot.name() + (slot.targetRate() > 0 ? " @half" : "") + " #" + i;
      List<Double> x = new ArrayList<>();
      List<Double> rate = new ArrayList<>();
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      List<Double> lx = new ArrayList<>();
      for (PhaseResult.Second s : slot.timeline()) {
        x.add(s.at());
        rate.add((double) s.records());
        if (s.records() > 0) { // a second with no completion has no latency to draw
          lx.add(s.at());
          p50.add(s.p50Ms());
          p99.add(s.p99Ms());
        }
      }
      if (x.isEmpty()) {
        continue;
      }
      XYSeries t = throughput.addSeries(label, x, rate);
      t.setMarker(SeriesMarkers.NONE);
      t.setLineColor(color);
      if (lx.isEmpty()) {
        continue;
      }
      XYSeries tail = latency.addSeries(label + " p99", lx, p99);
      tail.setMarker(SeriesMarkers.NONE);
      tail.setLineColor(color);
      XYSeries median = latency.addSeries(label + " p50", lx, p50);
      median.setLineColor(color);
      median.setMarker(SeriesMarkers.NONE);
      median.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DOT_DOT);
      median.setShowInLegend(false);
    }
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT * 2, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      throughput.paint(g, WIDTH, HEIGHT);
      g.translate(0, HEIGHT);
      latency.paint(g, WIDTH, HEIGHT);
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", png.toFile())) {
      throw new IOException("no PNG writer");
    }
  }
}
