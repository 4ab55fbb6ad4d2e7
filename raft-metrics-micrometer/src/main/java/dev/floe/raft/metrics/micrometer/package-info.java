/**
 * Micrometer for Floe: {@link dev.floe.raft.metrics.micrometer.MicrometerMetrics} records what a
 * node measures in a Micrometer {@code MeterRegistry}. See {@code docs/metrics.md} for the meters
 * and what to alert on.
 */
package dev.floe.raft.metrics.micrometer;
