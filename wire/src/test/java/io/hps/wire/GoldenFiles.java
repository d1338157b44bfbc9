package io.hps.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads annotated hex golden frames from {@code src/test/resources/golden}: hex byte pairs, {@code #} starts a comment. */
final class GoldenFiles {
    private GoldenFiles() {
    }

    static byte[] read(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file: name=" + name);
            }
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int comment = line.indexOf('#');
                hex.append((comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s", ""));
            }
            return HexFormat.of().parseHex(hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 16 bytes per line with their offset, so that a mismatch shows as a readable diff. */
    static List<String> dump(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += 16) {
            byte[] line = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 16));
            lines.add(String.format("%04x: %s", i, HexFormat.ofDelimiter(" ").formatHex(line)));
        }
        return lines;
    }
}
