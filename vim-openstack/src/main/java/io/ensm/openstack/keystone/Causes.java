package io.ensm.openstack.keystone;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The causes of a transport failure in one line, outermost first ("SocketTimeoutException: timeout
 * / SocketException: Socket closed"): the outer ones say what happened (a timeout), the inner ones
 * how. Wrappers that only repeat their cause's message are left out.
 */
public final class Causes {
    private Causes() {}

    public static String describe(Throwable e) {
        Set<String> parts = new LinkedHashSet<>();
        Set<String> messages = new LinkedHashSet<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            boolean wrapperOnly = t.getCause() != null && m != null && m.equals(t.getCause().getMessage())
                    || t.getCause() != null && m != null && t.getCause().toString().equals(m);
            if (wrapperOnly || (m != null && !messages.add(m))) {
                continue;
            }
            parts.add(t.getClass().getSimpleName() + (m == null ? "" : ": " + m));
        }
        return String.join(" / ", parts);
    }
}
