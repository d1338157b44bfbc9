package io.hps.model.dense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Truncated or byte-corrupted safetensors and dense weight files either fail with the format's typed
 * exception or, when the corruption leaves a valid file, read completely.
 */
class DenseFileCorruptionTest {

    private Path file;
    private byte[] valid;

    @BeforeTry
    void writeFile() throws IOException {
        file = Files.createTempFile("dense-corruption", ".safetensors");
        DlrmWeightsFile.save(DlrmWeightsFileTest.randomWeights(DlrmWeightsFileTest.SMALL, 9), file);
        valid = Files.readAllBytes(file);
    }

    @AfterTry
    void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @Property(tries = 300)
    void shouldRejectAnyTruncatedFile(@ForAll @DoubleRange(max = 1.0, maxIncluded = false) double keep) throws IOException {
        Files.write(file, Arrays.copyOf(valid, (int) (valid.length * keep)));
        assertThatThrownBy(() -> Safetensors.open(file)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("file=");
        assertThatThrownBy(() -> DlrmWeightsFile.load(file, DlrmWeightsFileTest.SMALL))
                .isInstanceOf(SafetensorsFormatException.class);
    }

    @Property(tries = 300)
    void shouldRejectCleanlyOrReadCompletelyAfterByteCorruption(@ForAll @IntRange(min = 0, max = 1200) int at,
                                                                @ForAll byte value) throws IOException {
        byte[] corrupted = valid.clone();
        corrupted[at % corrupted.length] = value;
        Files.write(file, corrupted);
        Throwable safetensors = catchThrowable(this::readEverything);
        assertThat(safetensors).satisfiesAnyOf(
                t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOf(SafetensorsFormatException.class).hasMessageContaining("file="));
        Throwable weights = catchThrowable(() -> DlrmWeightsFile.load(file, DlrmWeightsFileTest.SMALL));
        assertThat(weights).satisfiesAnyOf(
                t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOf(SafetensorsFormatException.class),
                t -> assertThat(t).isInstanceOf(WeightsMismatchException.class).hasMessageContaining("tensor="));
    }

    @Property(tries = 100)
    void shouldReadCorruptedDataBytesBackAsWritten(@ForAll @DoubleRange(max = 1.0, maxIncluded = false) double at,
                                                   @ForAll byte value) throws IOException {
        long dataStart;
        try (Safetensors st = Safetensors.open(file)) {
            dataStart = valid.length - st.tensors().values().stream().mapToLong(TensorInfo::byteSize).sum();
        }
        int position = (int) (dataStart + (valid.length - dataStart) * at);
        byte[] corrupted = valid.clone();
        corrupted[position] = value;
        Files.write(file, corrupted);
        DlrmWeights loaded = DlrmWeightsFile.load(file, DlrmWeightsFileTest.SMALL);
        int floatIndex = (int) ((position - dataStart) / 4);
        int bits = Float.floatToRawIntBits(inFileOrder(loaded)[floatIndex]);
        assertThat((byte) (bits >>> (8 * ((position - dataStart) % 4)))).isEqualTo(value);
    }

    private void readEverything() throws IOException {
        try (Safetensors st = Safetensors.open(file)) {
            for (String name : st.tensors().keySet()) {
                st.data(name).toArray(ValueLayout.JAVA_BYTE);
            }
        }
    }

    private static float[] inFileOrder(DlrmWeights weights) {
        float[] all = new float[0];
        for (DenseLayer l : Stream.concat(weights.bottom().stream(), weights.top().stream()).toList()) {
            all = concat(concat(all, l.weight()), l.bias());
        }
        return all;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
