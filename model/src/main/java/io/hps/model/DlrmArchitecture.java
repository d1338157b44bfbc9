package io.hps.model;

import java.util.Arrays;
import java.util.List;

/**
 * The shape of a DLRM: dense (numerical) feature count, the embedding tables, the bottom and top
 * MLP widths. The interaction is the dot interaction: the strictly-upper pairwise dot products of
 * the {@code tables + 1} vectors (the bottom MLP output and one embedding per table), concatenated
 * with the bottom MLP output. The last top layer has width 1 and is followed by a sigmoid.
 *
 * @param denseFeatures number of numerical features, 13 for Criteo
 * @param tables        embedding tables, in input order; every dimension equals the bottom MLP output width
 * @param bottomMlp     widths of the bottom MLP layers, e.g. [512, 256, 128]
 * @param topMlp        widths of the top MLP layers, e.g. [1024, 1024, 512, 256, 1]
 */
public record DlrmArchitecture(int denseFeatures, List<TableSpec> tables, int[] bottomMlp, int[] topMlp) {

    public DlrmArchitecture {
        if (denseFeatures < 1) {
            throw new IllegalArgumentException("denseFeatures must be >= 1: denseFeatures=" + denseFeatures);
        }
        tables = List.copyOf(tables);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("a DLRM needs at least one embedding table");
        }
        bottomMlp = bottomMlp.clone();
        topMlp = topMlp.clone();
        if (bottomMlp.length == 0 || topMlp.length == 0) {
            throw new IllegalArgumentException("bottom and top MLP need at least one layer each");
        }
        for (int w : bottomMlp) {
            if (w < 1) {
                throw new IllegalArgumentException("bottom MLP width must be >= 1: " + Arrays.toString(bottomMlp));
            }
        }
        for (int w : topMlp) {
            if (w < 1) {
                throw new IllegalArgumentException("top MLP width must be >= 1: " + Arrays.toString(topMlp));
            }
        }
        if (topMlp[topMlp.length - 1] != 1) {
            throw new IllegalArgumentException("last top MLP layer must have width 1: " + Arrays.toString(topMlp));
        }
        int bottomOut = bottomMlp[bottomMlp.length - 1];
        for (TableSpec t : tables) {
            if (t.dimension() != bottomOut) {
                throw new IllegalArgumentException("embedding dimension must equal bottom MLP output: table="
                        + t.name() + " dimension=" + t.dimension() + " bottomOutput=" + bottomOut);
            }
        }
    }

    /** The Criteo 1TB DLRM (MLPerf) shape with the given tables. */
    public static DlrmArchitecture criteo(List<TableSpec> tables) {
        return new DlrmArchitecture(13, tables, new int[] {512, 256, 128}, new int[] {1024, 1024, 512, 256, 1});
    }

    public int tableCount() {
        return tables.size();
    }

    /** Embedding dimension, equal to the bottom MLP output width. */
    public int embeddingDimension() {
        return bottomMlp[bottomMlp.length - 1];
    }

    /** Number of vectors entering the interaction: one per table plus the bottom MLP output. */
    public int interactionVectors() {
        return tables.size() + 1;
    }

    /** Pairwise dot products: n(n-1)/2 for n interaction vectors (351 for Criteo). */
    public int interactionPairs() {
        int n = interactionVectors();
        return n * (n - 1) / 2;
    }

    /** Width of the top MLP input: dot products plus the bottom MLP output (479 for Criteo). */
    public int topInputWidth() {
        return interactionPairs() + embeddingDimension();
    }

    /** Multiply-adds x 2 per sample for the MLPs and interaction. */
    public long flopsPerSample() {
        long flops = 0;
        int in = denseFeatures;
        for (int w : bottomMlp) {
            flops += 2L * in * w;
            in = w;
        }
        flops += 2L * interactionPairs() * embeddingDimension();
        in = topInputWidth();
        for (int w : topMlp) {
            flops += 2L * in * w;
            in = w;
        }
        return flops;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DlrmArchitecture a && a.denseFeatures == denseFeatures && a.tables.equals(tables)
                && Arrays.equals(a.bottomMlp, bottomMlp) && Arrays.equals(a.topMlp, topMlp);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * denseFeatures + tables.hashCode()) + Arrays.hashCode(bottomMlp)) + Arrays.hashCode(topMlp);
    }

    @Override
    public String toString() {
        return "DlrmArchitecture[denseFeatures=" + denseFeatures + ", tables=" + tables.size()
                + ", bottomMlp=" + Arrays.toString(bottomMlp) + ", topMlp=" + Arrays.toString(topMlp) + "]";
    }
}
