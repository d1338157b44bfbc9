package io.hps.tier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Rrxmrrxmsx0Test {
    /**
     * {key, rrxmrrxmsx_0(key), hash mod 16, hash mod 7}, computed by a C program compiled with gcc
     * that implements the mixer on uint64_t exactly as HugeCTR's database_backend_detail.hpp defines it
     * (rotr64 by 25 and 50, multiply by 0xA24BAED4963EE407, rotr64 by 24 and 49, multiply by
     * 0x9FB21C651E98DF25, xor with the value shifted right by 28) and prints the unsigned remainders.
     */
    private static final long[][] VECTORS = {
            {0L, 0x0000000000000000L, 0, 0},
            {1L, 0x0dadbfeeb7d64133L, 3, 3},
            {2L, 0x90aeea2043435d3eL, 14, 0},
            {3L, 0x27c640c5330912d0L, 0, 2},
            {7L, 0x5aee3288fdba40a7L, 7, 1},
            {42L, 0x7e5408d0aa979155L, 5, 4},
            {255L, 0x8c55f4561a97b70fL, 15, 4},
            {256L, 0x933c50386e29d322L, 2, 2},
            {1000L, 0x3b1e3778bd1cf415L, 5, 5},
            {65535L, 0x65ad3ec441208677L, 7, 1},
            {123456789L, 0xcc0f5d71df7f53acL, 12, 0},
            {-1L, 0xe398180adc04d6fcL, 12, 6},
            {-2L, 0x9b33f887512ad406L, 6, 3},
            {-42L, 0x5981c4de05806a40L, 0, 1},
            {-9223372036854775808L, 0x71d61e1a39cf46dbL, 11, 1},
            {9223372036854775807L, 0x2122d66fbafe88aeL, 14, 0},
            {81985529216486895L, 0x4461f52ab4d824c2L, 2, 3},
            {-2401053089206453570L, 0x5463137282bb4453L, 3, 3},
            {4294967296L, 0x0515ca9fb695af41L, 1, 2},
            {1099511627793L, 0xe1ee283c4d0b09acL, 12, 1},
            {987654321012345L, 0x9e523ca425196edcL, 12, 4},
            {-987654321012345L, 0x5bc01d62142b2d2aL, 10, 4},
    };

    @Test
    void shouldMatchTheReferenceHashes() {
        for (long[] vector : VECTORS) {
            assertThat(Rrxmrrxmsx0.hash(vector[0])).as("hash of %d", vector[0]).isEqualTo(vector[1]);
        }
    }

    @Test
    void shouldPartitionByUnsignedRemainder() {
        for (long[] vector : VECTORS) {
            assertThat(Rrxmrrxmsx0.partition(vector[0], 16)).as("partition of %d in 16", vector[0]).isEqualTo(vector[2]);
            assertThat(Rrxmrrxmsx0.partition(vector[0], 7)).as("partition of %d in 7", vector[0]).isEqualTo(vector[3]);
            assertThat(Rrxmrrxmsx0.partition(vector[0], 1)).isZero();
        }
    }
}
