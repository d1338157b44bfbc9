package io.hps.dense.path;

import io.hps.model.DlrmArchitecture;
import io.hps.model.config.ModelDirectory;
import io.hps.model.dense.DlrmWeightsFile;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.model.reference.ReferenceDlrm;
import io.hps.model.sparse.SparseTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A small generated DLRM on disk (scaled Criteo tables, dimension 16, max batch 1024) whose
 * ps.json fetches every cache miss before answering (hit_rate_threshold 1.0) into a cache that
 * holds every row (gpucacheper 1.0), so that every path sees the stored vectors whatever the
 * order of concurrent lookups; and batches of stored keys with their float64 reference scores.
 */
public final class GeneratedModel {
    public static final String NAME = "dlrm";
    public static final int MAX_BATCH = 1024;

    private final ModelDirectory directory;

    private GeneratedModel(ModelDirectory directory) {
        this.directory = directory;
    }

    public static GeneratedModel generate(Path root) {
        try {
            Path dir = root.resolve("model");
            SyntheticModelGenerator.generate(new GeneratorSettings(dir, NAME, 0.0005, 16, 7, 2, MAX_BATCH),
                    ProgressListener.NONE);
            Path ps = dir.resolve(SyntheticModelGenerator.PS_JSON);
            String json = Files.readString(ps);
            String synchronous = json
                    .replaceAll("\"hit_rate_threshold\"\\s*:\\s*[0-9.]+", "\"hit_rate_threshold\": 1.0")
                    .replaceAll("\"gpucacheper\"\\s*:\\s*[0-9.]+", "\"gpucacheper\": 1.0");
            if (synchronous.equals(json)) {
                throw new IllegalStateException("generated ps.json has no hit_rate_threshold: file=" + ps);
            }
            Files.writeString(ps, synchronous);
            return new GeneratedModel(ModelDirectory.open(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ModelDirectory directory() {
        return directory;
    }

    public DlrmArchitecture architecture() {
        return directory.architecture();
    }

    /** A batch of stored keys (some repeated), random dense features, in shared-arena segments. */
    public Batch batch(int size, long seed) {
        DlrmArchitecture a = architecture();
        int tables = a.tableCount();
        int dim = a.embeddingDimension();
        SplittableRandom random = new SplittableRandom(seed);
        Arena arena = Arena.ofAuto();
        MemorySegment dense = arena.allocate((long) size * a.denseFeatures() * 4, 64);
        MemorySegment keys = arena.allocate((long) size * tables * 8, 64);
        float[] embeddings = new float[size * tables * dim];
        float[] denseArray = new float[size * a.denseFeatures()];
        for (int i = 0; i < denseArray.length; i++) {
            denseArray[i] = (float) Math.log1p(random.nextInt(1000)) * 0.3f;
            dense.setAtIndex(ValueLayout.JAVA_FLOAT, i, denseArray[i]);
        }
        for (int t = 0; t < tables; t++) {
            try (SparseTable sparse = SparseTable.open(directory.sparseTables().get(t), dim)) {
                for (int b = 0; b < size; b++) {
                    long row = b % 5 == 4 ? 0 : random.nextLong(sparse.rows());
                    keys.setAtIndex(ValueLayout.JAVA_LONG, (long) b * tables + t, sparse.key(row));
                    MemorySegment.copy(sparse.vector(row), ValueLayout.JAVA_FLOAT, 0, embeddings,
                            (b * tables + t) * dim, dim);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Batch(size, dense, keys, denseArray, embeddings);
    }

    /** Float64 reference scores of {@code batch}, with each embedding element passed through {@code rounding}. */
    public double[] reference(Batch batch, UnaryOperator<Float> rounding) {
        try {
            ReferenceDlrm reference = new ReferenceDlrm(DlrmWeightsFile.load(directory.denseWeights(), architecture()));
            float[] embeddings = batch.embeddings().clone();
            for (int i = 0; i < embeddings.length; i++) {
                embeddings[i] = rounding.apply(embeddings[i]);
            }
            return reference.forward(batch.size(), batch.denseArray(), embeddings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A batch: segments for the paths, arrays (embeddings as stored) for the reference. */
    public record Batch(int size, MemorySegment dense, MemorySegment keys, float[] denseArray, float[] embeddings) {
    }
}
