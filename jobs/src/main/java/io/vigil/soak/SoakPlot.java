package io.vigil.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The soak's plot: one panel per {@link Curve}, value against minutes since the start, the warm-up shaded and the
 * post-warm-up least-squares line drawn over the samples. Drawn with Java2D and written with ImageIO (headless): a
 * chart library (JFreeChart, XChart) would be a new dependency of the CLI for ten line charts, and the JDK draws them.
 */
public final class SoakPlot {
    static final int WIDTH = 900;
    static final int PANEL_HEIGHT = 120;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 22;
    private static final int BOTTOM = 18;

    private SoakPlot() {}

    /** Draws the samples and writes a PNG to {@code file}. */
    public static void write(List<SoakSample> samples, List<Flatness.Result> fits, double warmUpSeconds, Path file)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = draw(samples, fits, warmUpSeconds);
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
    }

    static BufferedImage draw(List<SoakSample> samples, List<Flatness.Result> fits, double warmUpSeconds) {
        Curve[] curves = Curve.values();
        int height = curves.length * PANEL_HEIGHT + 24;
        // Indexed-looking flat colours compress well: the PNG of an hour stays far under 100 KB.
        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            double tMax = 1;
            for (SoakSample s : samples) tMax = Math.max(tMax, s.elapsedSeconds() / 60);
            for (int i = 0; i < curves.length; i++) {
                Flatness.Result fit = null;
                for (Flatness.Result r : fits) if (r.curve() == curves[i]) fit = r;
                panel(g, samples, curves[i], fit, warmUpSeconds / 60, tMax, i * PANEL_HEIGHT);
            }
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(
                    "minutes since the soak started (grey: warm-up; red: least-squares line after warm-up)",
                    LEFT,
                    height - 6);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void panel(
            Graphics2D g,
            List<SoakSample> samples,
            Curve c,
            Flatness.Result fit,
            double warmUpMinutes,
            double tMax,
            int y0) {
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int top = y0 + TOP;
        int bottom = y0 + PANEL_HEIGHT - BOTTOM;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (SoakSample s : samples) {
            double v = s.value(c);
            if (Double.isNaN(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        // The value axis starts at zero for non-negative curves, so a small wiggle does not look like a trend.
        if (lo == Double.POSITIVE_INFINITY) {
            lo = 0;
            hi = 1;
        }
        if (lo >= 0) lo = 0;
        if (hi <= lo) hi = lo + 1;
        hi += (hi - lo) * 0.05;

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.BLACK);
        String verdict = fit == null
                ? ""
                : "  [" + fit.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "]";
        g.drawString(c.title + " (" + c.unit + ")" + verdict, x0, y0 + 15);
        g.setColor(new Color(235, 235, 235));
        int wx = xOf(warmUpMinutes, tMax, x0, x1);
        g.fillRect(x0, top, Math.max(0, Math.min(wx, x1) - x0), bottom - top);
        g.setColor(Color.GRAY);
        g.drawRect(x0, top, x1 - x0, bottom - top);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(label(hi), 4, top + 10);
        g.drawString(label(lo), 4, bottom);
        for (int m = 0; m <= tMax; m += tickStep(tMax)) {
            int x = xOf(m, tMax, x0, x1);
            g.drawLine(x, bottom, x, bottom + 3);
            g.drawString(Integer.toString(m), x - 3, bottom + 14);
        }

        Path2D.Double line = new Path2D.Double();
        boolean started = false;
        g.setColor(new Color(30, 90, 200));
        g.setStroke(new BasicStroke(1.5f));
        for (SoakSample s : samples) {
            double v = s.value(c);
            if (Double.isNaN(v)) continue;
            double x = xOf(s.elapsedSeconds() / 60, tMax, x0, x1);
            double y = bottom - (v - lo) / (hi - lo) * (bottom - top);
            if (started) line.lineTo(x, y);
            else line.moveTo(x, y);
            started = true;
            g.fillOval((int) x - 2, (int) y - 2, 4, 4);
        }
        g.draw(line);
        if (fit != null && !Double.isNaN(fit.slopePerMinute())) {
            // The fitted line passes through the post-warm-up mean at the post-warm-up samples' mean time.
            double sumT = 0;
            int n = 0;
            double tA = Double.NaN;
            double tB = Double.NaN;
            for (SoakSample s : samples) {
                if (s.elapsedSeconds() / 60 < warmUpMinutes || Double.isNaN(s.value(c))) continue;
                double t = s.elapsedSeconds() / 60;
                if (n == 0) tA = t;
                tB = t;
                sumT += t;
                n++;
            }
            double tMean = sumT / n;
            double yA = fit.mean() + fit.slopePerMinute() * (tA - tMean);
            double yB = fit.mean() + fit.slopePerMinute() * (tB - tMean);
            g.setColor(new Color(200, 40, 40));
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
            g.drawLine(
                    xOf(tA, tMax, x0, x1),
                    (int) (bottom - (yA - lo) / (hi - lo) * (bottom - top)),
                    xOf(tB, tMax, x0, x1),
                    (int) (bottom - (yB - lo) / (hi - lo) * (bottom - top)));
            g.setStroke(new BasicStroke(1f));
        }
    }

    private static int xOf(double minutes, double tMax, int x0, int x1) {
        return x0 + (int) Math.round(minutes / tMax * (x1 - x0));
    }

    private static int tickStep(double tMax) {
        if (tMax <= 10) return 1;
        if (tMax <= 30) return 5;
        if (tMax <= 120) return 10;
        return 30;
    }

    private static String label(double v) {
        return Math.abs(v) >= 100 || v == Math.rint(v)
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }
}
