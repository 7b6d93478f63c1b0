package io.ensm.store.etcd.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;

/** What one failed attempt on one member says about the request, from etcd's and gRPC's status. */
enum Failure {
    /** The request was refused before etcd could apply it (no connection, no leader, overloaded): any call may go to another member. */
    NOT_APPLIED,
    /** The member failed after the request may have reached it: reads may go elsewhere, a write's outcome is unknown. */
    UNKNOWN,
    /** etcd answered with a definite refusal: no retry. */
    REFUSED;

    static Failure of(StatusRuntimeException e) {
        Status s = e.getStatus();
        String d = s.getDescription() == null ? "" : s.getDescription();
        if (d.startsWith(Tokens.FAILED) && s.getCode() != Status.Code.UNAUTHENTICATED) {
            // The call waited for a token that its member could not give: it was never sent.
            return NOT_APPLIED;
        }
        return switch (s.getCode()) {
            case UNAVAILABLE -> d.startsWith("etcdserver: no leader") || d.startsWith("etcdserver: unhealthy cluster")
                    || connectionRefused(e) ? NOT_APPLIED : UNKNOWN;
            // etcd's rate limit and members that cannot serve the call (a learner, a member not yet capable)
            case RESOURCE_EXHAUSTED -> d.startsWith("etcdserver: too many requests") ? NOT_APPLIED : REFUSED;
            case FAILED_PRECONDITION -> d.startsWith("etcdserver: not capable") || d.startsWith("etcdserver: rpc not supported for learner")
                    ? NOT_APPLIED : REFUSED;
            case DEADLINE_EXCEEDED, CANCELLED, INTERNAL, UNKNOWN, ABORTED -> UNKNOWN;
            default -> REFUSED;
        };
    }

    /** gRPC fails a call without sending it when the member's port refuses connections. */
    private static boolean connectionRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** A short text of the status for messages: "UNAVAILABLE etcdserver: no leader". */
    static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        StringBuilder b = new StringBuilder(s.getCode().name());
        if (s.getDescription() != null) {
            // gRPC appends the channel pipeline on further lines of a handshake failure
            b.append(' ').append(s.getDescription().lines().findFirst().orElse(""));
        }
        String tls = tls(e);
        if (tls != null) {
            b.append(" (").append(tls).append(')');
        } else if (s.getCause() != null && s.getCause().getMessage() != null) {
            b.append(" (").append(s.getCause().getMessage()).append(')');
        }
        return b.toString();
    }

    /** What a failed TLS handshake says, in words an operator can act on; null when the failure is not one. */
    static String tls(Throwable e) {
        Throwable ssl = null;
        Throwable certificate = null;
        Throwable deepest = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException && ssl == null) {
                ssl = t;
            }
            if (t instanceof CertificateException || t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                certificate = t;
            }
            deepest = t;
        }
        if (ssl == null) {
            return null;
        }
        String detail = deepest.getMessage() != null ? deepest.getMessage() : deepest.getClass().getSimpleName();
        if (certificate != null) {
            String m = String.valueOf(certificate.getMessage());
            if (m.contains("subject alternative") || m.contains("No name matching")) {
                return "TLS: the member's certificate does not name the host of its endpoint: " + m;
            }
            return "TLS: the member's certificate is not trusted (check ca-file): " + detail;
        }
        String m = String.valueOf(ssl.getMessage());
        if (m.toLowerCase(java.util.Locale.ROOT).contains("certificate")) {
            return "TLS: the member refused the handshake over the client certificate (it may require one: cert-file, key-file): " + m;
        }
        return "TLS handshake failed: " + detail;
    }
}
