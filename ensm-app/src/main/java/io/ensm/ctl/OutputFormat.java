package io.ensm.ctl;

/** How results are printed. */
public enum OutputFormat {
    /** Human readable text and tables. */
    text,
    /** Protobuf JSON with proto field names, one object per line. */
    json
}
