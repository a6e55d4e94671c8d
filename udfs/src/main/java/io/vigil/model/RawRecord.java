package io.vigil.model;

/** Bytes as they arrive from a source, before decoding, with their origin and the format to read them in. */
public class RawRecord {
    public byte[] payload;
    /** See {@link DeadLetter#origin}. */
    public String origin;
    /** json, otlp-json, otlp-proto, syslog. */
    public String format;

    public RawRecord() {}

    public RawRecord(byte[] payload, String origin, String format) {
        this.payload = payload;
        this.origin = origin;
        this.format = format;
    }
}
