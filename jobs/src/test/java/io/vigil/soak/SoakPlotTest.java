package io.vigil.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakPlotTest {
    @TempDir
    Path dir;

    @Test
    void writesAPngThatDecodesWithOnePanelPerCurve() throws IOException {
        List<SoakSample> samples = FlatnessTest.minutes(30, Curve.STATE_SIZE, i -> 100 + i);
        Path png = dir.resolve("soak.png");
        SoakPlot.write(samples, Flatness.judge(samples, 600, 0.1), 600, png);

        byte[] bytes = Files.readAllBytes(png);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO cannot decode " + png);
        assertEquals(SoakPlot.WIDTH, img.getWidth());
        assertEquals(Curve.values().length * SoakPlot.PANEL_HEIGHT + 24, img.getHeight());
        assertTrue(bytes.length < 200_000, bytes.length + " bytes");
    }

    @Test
    void theStatePanelCarriesTheCurveInBlueAndTheFitInRed() throws IOException {
        List<SoakSample> samples = FlatnessTest.minutes(30, Curve.STATE_SIZE, i -> 100 + i);
        BufferedImage img = SoakPlot.draw(samples, Flatness.judge(samples, 600, 0.1), 600);
        int panel = Curve.STATE_SIZE.ordinal();
        int blue = 0;
        int red = 0;
        for (int y = panel * SoakPlot.PANEL_HEIGHT; y < (panel + 1) * SoakPlot.PANEL_HEIGHT; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb == 0x1e5ac8) blue++;
                if (rgb == 0xc82828) red++;
            }
        }
        assertTrue(blue > 100, "blue pixels of the curve: " + blue);
        assertTrue(red > 20, "red pixels of the fitted line: " + red);
        // A curve with no values (JobManager heap here) draws no line in its panel.
        int empty = Curve.JOBMANAGER_HEAP.ordinal();
        for (int y = empty * SoakPlot.PANEL_HEIGHT; y < (empty + 1) * SoakPlot.PANEL_HEIGHT; y++) {
            for (int x = 0; x < img.getWidth(); x++) assertNotEquals(0x1e5ac8, img.getRGB(x, y) & 0xffffff);
        }
    }
}
