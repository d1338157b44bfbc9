package io.hps.load;

/** The server's statistics or metrics answer is not in the expected shape. */
final class StatisticsFormatException extends RuntimeException {
    StatisticsFormatException(String message) {
        super(message);
    }
}
