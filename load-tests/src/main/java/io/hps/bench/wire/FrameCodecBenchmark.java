package io.hps.bench.wire;

import io.hps.wire.EmbeddingBlock;
import io.hps.wire.LookupRequestDecoder;
import io.hps.wire.LookupRequestEncoder;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.LookupResponseEncoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.RequestContext;
import io.hps.wire.VectorDtype;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot-path frame codecs: a lookup request of {@code batch} samples x 26 tables encoded into a
 * reused buffer and decoded with a reused flyweight, and a lookup response head encoded and the
 * response decoded with every key's row resolved. Run with {@code -prof gc}: decoding and encoding
 * into preallocated buffers must allocate nothing per operation (0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameCodecBenchmark {
    private static final int TABLES = 26;
    private static final int DIM = 128;

    @Param({"1024"})
    int batch;

    private RequestContext context;
    private int[] counts;
    private ByteBuf keys;
    private ByteBuf request;
    private ByteBuf response;
    private ByteBuf vectors;
    private EmbeddingBlock block;
    private final LookupRequestDecoder requestDecoder = new LookupRequestDecoder();
    private final LookupResponseDecoder responseDecoder = new LookupResponseDecoder();

    @Setup(Level.Trial)
    public void setUp() {
        context = new RequestContext("dlrm", 1, 0);
        counts = new int[TABLES];
        Arrays.fill(counts, batch);
        keys = Unpooled.directBuffer(batch * TABLES * 8);
        for (int i = 0; i < batch * TABLES; i++) {
            keys.writeLongLE(i * 31L);
        }
        request = Unpooled.directBuffer(LookupRequestEncoder.frameLength(context, counts));
        LookupRequestEncoder.encode(request, context, VectorDtype.F32, false, counts, keys);
        int[] dims = new int[TABLES];
        Arrays.fill(dims, DIM);
        block = EmbeddingBlock.tableMajor(VectorDtype.F32, dims, counts);
        vectors = Unpooled.directBuffer((int) block.vectorBytes());
        vectors.writerIndex((int) block.vectorBytes());
        response = Unpooled.directBuffer(LookupResponseEncoder.frameLength(block));
        LookupResponseEncoder.encode(response, 1, LookupStatus.OK, block, null, vectors);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        keys.release();
        request.release();
        response.release();
        vectors.release();
    }

    /** Encodes the request into the reused buffer; returns its length. */
    @Benchmark
    public int encodeLookupRequest() {
        request.clear();
        return LookupRequestEncoder.encode(request, context, VectorDtype.F32, false, counts, keys);
    }

    /** Validates the request and sums every key. */
    @Benchmark
    public long decodeLookupRequest() {
        LookupRequestDecoder d = requestDecoder.wrap(request, 0, request.readableBytes());
        long sum = 0;
        int total = d.totalKeys();
        for (int i = 0; i < total; i++) {
            sum += d.key(i);
        }
        return sum;
    }

    /** Validates the response and resolves the vector offset of every key. */
    @Benchmark
    public long decodeLookupResponse() {
        LookupResponseDecoder d = responseDecoder.wrap(response, 0, response.readableBytes());
        var section = d.embeddings();
        long sum = 0;
        for (int t = 0; t < TABLES; t++) {
            for (int k = 0; k < batch; k++) {
                sum += section.vectorOffset(t, section.row(t, k));
            }
        }
        return sum;
    }
}
