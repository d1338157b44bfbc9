package io.hps.tier;

import java.util.Arrays;

/**
 * The indices of one key batch sorted by partition (a counting sort, two int arrays per batch,
 * nothing per key): the keys of partition {@code p} are {@code keys[order[j]]} for
 * {@code j in [start(p), start(p + 1))}. Confined to the thread that built it.
 */
final class PartitionGrouping {
    private final int[] order;
    private final int[] starts;

    private PartitionGrouping(int[] order, int[] starts) {
        this.order = order;
        this.starts = starts;
    }

    /** Groups {@code keys[0, count)} over {@code partitions}; indices with {@code skip[i]} set are left out ({@code skip} may be null). */
    static PartitionGrouping of(long[] keys, int count, boolean[] skip, int partitions) {
        int[] partitionOf = new int[count];
        int[] starts = new int[partitions + 1];
        for (int i = 0; i < count; i++) {
            if (skip != null && skip[i]) {
                partitionOf[i] = -1;
            } else {
                int p = Rrxmrrxmsx0.partition(keys[i], partitions);
                partitionOf[i] = p;
                starts[p + 1]++;
            }
        }
        for (int p = 0; p < partitions; p++) {
            starts[p + 1] += starts[p];
        }
        int[] order = new int[starts[partitions]];
        int[] next = Arrays.copyOf(starts, partitions);
        for (int i = 0; i < count; i++) {
            if (partitionOf[i] >= 0) {
                order[next[partitionOf[i]]++] = i;
            }
        }
        return new PartitionGrouping(order, starts);
    }

    int[] order() {
        return order;
    }

    int start(int partition) {
        return starts[partition];
    }

    int end(int partition) {
        return starts[partition + 1];
    }

    /** Number of indices grouped (those not skipped). */
    int size() {
        return order.length;
    }
}
