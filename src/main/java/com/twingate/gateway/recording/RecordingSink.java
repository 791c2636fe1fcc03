package com.twingate.gateway.recording;

/** Where recorded parts go. Called off the relay threads, in order per session. */
public interface RecordingSink {

    /**
     * @param asciicast the header line and this part's event lines, joined by {@code \n}
     * @param sequence  1, 2, … within the session
     * @param last      the session's final part
     */
    void part(SessionInfo session, String asciicast, int sequence, boolean last);
}
