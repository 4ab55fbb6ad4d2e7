package dev.floe.raft;

/**
 * A committed and applied command.
 *
 * @param index the command's log index
 * @param term the term it was committed in
 * @param result what the state machine returned for it
 */
public record SubmitResult(long index, long term, byte[] result) {}
