package dev.metacluster.api.client;

/** The retry knobs of a client (see {@link MetadataClient.Builder} for their meaning). */
record RetryPolicy(
    int maxAttempts, long attemptTimeoutNanos, long initialBackoffNanos, long maxBackoffNanos) {}
