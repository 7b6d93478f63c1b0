package io.ensm.ctl;

import java.nio.file.Path;

/**
 * How ensmctl proves who it is: PEM files (SVID chain, PKCS#8 key, trust bundle), the SPIFFE
 * Workload API, or nothing (plaintext, for ensm on loopback).
 */
record ClientTls(Path svid, Path key, Path bundle, String workloadApi) {

    static ClientTls plaintext() {
        return new ClientTls(null, null, null, null);
    }

    boolean pemFiles() {
        return svid != null || key != null || bundle != null;
    }

    boolean workloadApiSet() {
        return workloadApi != null && !workloadApi.isBlank();
    }

    boolean enabled() {
        return pemFiles() || workloadApiSet();
    }
}
