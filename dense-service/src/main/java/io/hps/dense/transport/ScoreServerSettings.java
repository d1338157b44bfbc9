package io.hps.dense.transport;

/**
 * Where and how the score server listens.
 *
 * @param host          bind address
 * @param port          TCP port; 0 picks a free one
 * @param workerThreads threads scoring requests (never the event loop), at least 1
 * @param queue         requests that may wait for a worker, at least 1; more are answered OVERLOADED
 * @param maxFrameBytes largest request frame accepted, at least 64
 */
public record ScoreServerSettings(String host, int port, int workerThreads, int queue, int maxFrameBytes) {
    public ScoreServerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank: host=" + host);
        }
        if (port < 0 || port > 65535 || workerThreads < 1 || queue < 1 || maxFrameBytes < 64) {
            throw new IllegalArgumentException("score server settings out of range: port=" + port
                    + " workerThreads=" + workerThreads + " queue=" + queue + " maxFrameBytes=" + maxFrameBytes);
        }
    }
}
