package io.hps.update;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Embeddings that one replica upserted, broadcast so the others refresh their caches (and their
 * process-local volatile tiers). Binary, little-endian:
 * <pre>
 *  u8  version (1)
 *  u16 origin length, origin UTF-8   (the publishing replica, so it skips its own notices)
 *  u16 model length,  model UTF-8
 *  u16 table length,  table UTF-8
 *  i32 dimension
 *  i32 count
 *  i64 keys[count]
 *  f32 vectors[count x dimension]
 * </pre>
 *
 * @param vectors {@code count x dimension} floats, row-major
 */
public record UpdateNotice(String origin, String model, String table, int dimension, long[] keys, float[] vectors) {
    private static final byte VERSION = 1;

    public UpdateNotice {
        if (dimension < 1 || vectors.length != (long) keys.length * dimension) {
            throw new IllegalArgumentException("vectors must be keys x dimension: keys=" + keys.length
                    + " dimension=" + dimension + " vectors=" + vectors.length);
        }
    }

    public byte[] encode() {
        byte[] o = origin.getBytes(StandardCharsets.UTF_8);
        byte[] m = model.getBytes(StandardCharsets.UTF_8);
        byte[] t = table.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 6 + o.length + m.length + t.length + 8
                + keys.length * Long.BYTES + vectors.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(VERSION);
        putString(b, o);
        putString(b, m);
        putString(b, t);
        b.putInt(dimension).putInt(keys.length);
        b.asLongBuffer().put(keys);
        b.position(b.position() + keys.length * Long.BYTES);
        b.asFloatBuffer().put(vectors);
        return b.array();
    }

    /**
     * @throws IllegalArgumentException the bytes are not a notice of this version
     */
    public static UpdateNotice decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown update notice version: version=" + version);
            }
            String origin = getString(b);
            String model = getString(b);
            String table = getString(b);
            int dimension = b.getInt();
            int count = b.getInt();
            if (count < 0 || dimension < 1 || (long) count * (Long.BYTES + (long) dimension * Float.BYTES) != b.remaining()) {
                throw new IllegalArgumentException("update notice length mismatch: count=" + count
                        + " dimension=" + dimension + " remaining=" + b.remaining());
            }
            long[] keys = new long[count];
            b.asLongBuffer().get(keys);
            b.position(b.position() + count * Long.BYTES);
            float[] vectors = new float[count * dimension];
            b.asFloatBuffer().get(vectors);
            return new UpdateNotice(origin, model, table, dimension, keys, vectors);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("update notice truncated: length=" + bytes.length, e);
        }
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putShort((short) s.length).put(s);
    }

    private static String getString(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
