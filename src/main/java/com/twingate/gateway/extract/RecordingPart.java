package com.twingate.gateway.extract;

/**
 * One recording part as a gateway log line carries it (docs/recording.md).
 *
 * @param username  the session's user, from the line or else its asciicast header
 * @param last      the {@code session finished} part
 * @param asciicast the header line and this part's events
 */
record RecordingPart(String requestId, int sequence, boolean last, String username, String asciicast) {}
