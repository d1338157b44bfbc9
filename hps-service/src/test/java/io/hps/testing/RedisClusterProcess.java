package io.hps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of {@code masters} real {@code redis-server} processes (no replicas) on loopback
 * ports, for tests. The 16384 slots are split evenly. The cluster is created with
 * {@code redis-cli --cluster create} when {@code redis-cli} is on {@code PATH} and the server is
 * not the embedded binary, else by sending
 * {@code CLUSTER ADDSLOTS} and {@code CLUSTER MEET} over a raw connection (works with the
 * embedded-redis binary, which ships no redis-cli). {@link #start} returns once every node reports
 * {@code cluster_state:ok} and knows every other node.
 */
public final class RedisClusterProcess implements AutoCloseable {
    private static final int SLOTS = 16384;
    private static final long FORM_TIMEOUT_MILLIS = 20_000;

    private final List<RedisProcess> nodes;

    private RedisClusterProcess(List<RedisProcess> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code masters} (at least 3) nodes and forms the cluster. */
    public static RedisClusterProcess start(int masters) {
        Path binary = RedisProcess.serverBinary();
        return start(masters, binary, binary.equals(RedisProcess.embeddedBinary()) ? null : RedisProcess.onPath("redis-cli"));
    }

    /**
     * Starts {@code masters} nodes of {@code binary} and forms the cluster with {@code redisCli},
     * or with raw cluster commands when {@code redisCli} is null.
     */
    public static RedisClusterProcess start(int masters, Path binary, Path redisCli) {
        if (masters < 3) {
            throw new IllegalArgumentException("redis cluster needs >= 3 masters: masters=" + masters);
        }
        List<RedisProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                nodes.add(RedisProcess.start(binary, List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")));
            }
            RedisClusterProcess cluster = new RedisClusterProcess(nodes);
            cluster.form(redisCli);
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisProcess::close);
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>} of every master. */
    public List<String> addresses() {
        return nodes.stream().map(RedisProcess::address).toList();
    }

    /** The node processes, in slot order. */
    public List<RedisProcess> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
    }

    private void form(Path cli) {
        if (cli != null) {
            createWithCli(cli);
        } else {
            createWithCommands();
        }
        awaitFormed();
    }

    private void createWithCli(Path cli) {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        command.addAll(addresses());
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(FORM_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: output=" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the cluster", e);
        }
    }

    private void createWithCommands() {
        int masters = nodes.size();
        for (int i = 0; i < masters; i++) {
            int first = i * SLOTS / masters;
            int last = (i + 1) * SLOTS / masters - 1;
            Object[] command = new Object[2 + last - first + 1];
            command[0] = "CLUSTER";
            command[1] = "ADDSLOTS";
            for (int slot = first; slot <= last; slot++) {
                command[2 + slot - first] = Integer.toString(slot);
            }
            call(nodes.get(i), command);
        }
        for (int i = 1; i < masters; i++) {
            call(nodes.get(i), "CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.getFirst().port()));
        }
    }

    private void awaitFormed() {
        long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FORM_TIMEOUT_MILLIS);
        while (System.nanoTime() < giveUpAt) {
            if (nodes.stream().allMatch(this::formed)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster", e);
            }
        }
        throw new IllegalStateException("redis cluster did not form: nodes=" + addresses()
                + " info=" + call(nodes.getFirst(), "CLUSTER", "INFO"));
    }

    private boolean formed(RedisProcess node) {
        String info = call(node, "CLUSTER", "INFO");
        return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + nodes.size())
                && info.contains("cluster_slots_assigned:" + SLOTS);
    }

    private static String call(RedisProcess node, Object... command) {
        try (RespConnection connection = RespConnection.open(node.port(), 2000)) {
            return connection.callText(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
