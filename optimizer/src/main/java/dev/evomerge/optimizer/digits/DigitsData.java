package dev.evomerge.optimizer.digits;

import dev.evomerge.optimizer.strategy.Rng;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * The UCI optical digits (scikit-learn's {@code load_digits}: 1797 images of 8x8 pixels with values
 * 0..16, 10 classes) split 80/20 into 1437 training and 360 test images. Pixels are kept raw (0..16), as
 * in SakanaAI/natural_niches.
 *
 * {@snippet :
 * DigitsData d = DigitsData.load(DigitsData.DEFAULT_PATH);   // first 1437 train, last 360 test
 * DigitsData shuffled = DigitsData.load(DigitsData.DEFAULT_PATH, 7);
 * }
 *
 * @param trainX training images, row-major 64 floats each
 * @param trainY training labels
 * @param testX test images
 * @param testY test labels
 */
public record DigitsData(float[] trainX, int[] trainY, float[] testX, int[] testY) {
    public static final int PIXELS = 64;
    public static final int CLASSES = 10;
    /** Where {@code scripts/fetch-digits} puts the file, relative to the repository root. */
    public static final Path DEFAULT_PATH = Path.of("data", "digits", "digits.csv.gz");

    public DigitsData {
        Objects.requireNonNull(trainX, "trainX");
        Objects.requireNonNull(testX, "testX");
        if (trainX.length != trainY.length * PIXELS || testX.length != testY.length * PIXELS) {
            throw new IllegalArgumentException("digits: image and label counts disagree");
        }
    }

    /**
     * Finds {@link #DEFAULT_PATH} in the working directory or the nearest parent that has it (Maven runs
     * a module's tests from the module folder), and loads the reference split.
     */
    public static DigitsData loadDefault() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(DEFAULT_PATH))) {
                return load(d.resolve(DEFAULT_PATH));
            }
        }
        throw new IllegalStateException("digits data " + DEFAULT_PATH + " not found in " + dir
                + " or its parents: run scripts/fetch-digits");
    }

    public int trainSize() {
        return trainY.length;
    }

    public int testSize() {
        return testY.length;
    }

    /**
     * The reference split of SakanaAI/natural_niches: the first 80% of the file's order (1437) for
     * training, the rest (360) for test. It is the split the paper's numbers were measured on.
     */
    public static DigitsData load(Path file) {
        List<float[]> rows = read(file);
        int[] order = new int[rows.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return split(rows, order);
    }

    /** An 80/20 split after a Fisher-Yates shuffle with {@code seed}. */
    public static DigitsData load(Path file, long seed) {
        List<float[]> rows = read(file);
        int[] order = new int[rows.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Rng rng = Rng.seeded(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return split(rows, order);
    }

    /** Training images whose label is in [lo, hi], e.g. 0-4 for the first pretrained seed. */
    public DigitsData trainLabelsBetween(int lo, int hi) {
        int count = 0;
        for (int y : trainY) {
            if (y >= lo && y <= hi) {
                count++;
            }
        }
        float[] x = new float[count * PIXELS];
        int[] ys = new int[count];
        int k = 0;
        for (int i = 0; i < trainY.length; i++) {
            if (trainY[i] >= lo && trainY[i] <= hi) {
                System.arraycopy(trainX, i * PIXELS, x, k * PIXELS, PIXELS);
                ys[k++] = trainY[i];
            }
        }
        return new DigitsData(x, ys, testX, testY);
    }

    private static DigitsData split(List<float[]> rows, int[] order) {
        int nTrain = (int) (rows.size() * 0.8);
        int nTest = rows.size() - nTrain;
        float[] trX = new float[nTrain * PIXELS];
        int[] trY = new int[nTrain];
        float[] teX = new float[nTest * PIXELS];
        int[] teY = new int[nTest];
        for (int i = 0; i < rows.size(); i++) {
            float[] r = rows.get(order[i]);
            if (i < nTrain) {
                System.arraycopy(r, 0, trX, i * PIXELS, PIXELS);
                trY[i] = (int) r[PIXELS];
            } else {
                System.arraycopy(r, 0, teX, (i - nTrain) * PIXELS, PIXELS);
                teY[i - nTrain] = (int) r[PIXELS];
            }
        }
        return new DigitsData(trX, trY, teX, teY);
    }

    private static List<float[]> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("digits data not found at " + file.toAbsolutePath() + ": run scripts/fetch-digits");
        }
        List<float[]> rows = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.US_ASCII))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                if (parts.length != PIXELS + 1) {
                    throw new IllegalArgumentException(file + ": line " + lineNo + " has " + parts.length + " fields, expected 65");
                }
                float[] r = new float[PIXELS + 1];
                for (int j = 0; j <= PIXELS; j++) {
                    r[j] = (float) Double.parseDouble(parts[j]);
                }
                if (r[PIXELS] < 0 || r[PIXELS] >= CLASSES) {
                    throw new IllegalArgumentException(file + ": line " + lineNo + " has label " + r[PIXELS]);
                }
                rows.add(r);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read digits data " + file + ": " + e.getMessage(), e);
        }
        if (rows.size() != 1797) {
            throw new IllegalArgumentException(file + ": expected 1797 images, found " + rows.size());
        }
        return rows;
    }
}
