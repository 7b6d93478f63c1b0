package io.ensm.core.spi;

/**
 * Told when a Request or a Close passes one of its named steps, with ensm's connection id. It
 * exists so that tests can stop the real service at an exact point and kill it there; the service
 * runs with {@link #NONE} unless one is found through {@link java.util.ServiceLoader}, which only
 * test class paths provide. An implementation runs on the call's thread and must not throw.
 */
@FunctionalInterface
public interface StepProbe {
    StepProbe NONE = (step, connectionId) -> {};

    void reached(Step step, String connectionId);

    /** The steps, in the order a Request and a Close pass them. Names are stable. */
    enum Step {
        /** The intent is stored as PENDING; nothing is provisioned yet. */
        REQUEST_INTENT_STORED("request.intent-stored"),
        /** The backend's provision returned (the box committed). */
        REQUEST_BACKEND_PROVISIONED("request.backend-provisioned"),
        /** The forwarder made the cross-connect (passed also by plans without a kernel leg). */
        REQUEST_CROSS_CONNECTED("request.cross-connected"),
        /** APPLIED is stored; the reply has not left. */
        REQUEST_APPLIED_STORED("request.applied-stored"),
        /** RELEASING is stored; nothing is undone yet. */
        CLOSE_RELEASING_STORED("close.releasing-stored"),
        /** The forwarder removed the cross-connect (passed also by plans without a kernel leg). */
        CLOSE_DISCONNECTED("close.disconnected"),
        /**
         * The backend's release returned; a segment's leave (which removes its shared objects after
         * its last connection) has not run. Passed also by point-to-point connections.
         */
        CLOSE_BEFORE_SEGMENT_LEAVE("close.before-segment-leave"),
        /** The backend's release (and a segment's leave) returned. */
        CLOSE_BACKEND_RELEASED("close.backend-released"),
        /** The record is removed; the reply has not left. */
        CLOSE_RECORD_REMOVED("close.record-removed");

        private final String stableName;

        Step(String stableName) {
            this.stableName = stableName;
        }

        public String stableName() {
            return stableName;
        }

        /** The step with this stable name; IllegalArgumentException naming the valid ones otherwise. */
        public static Step named(String name) {
            for (Step s : values()) {
                if (s.stableName.equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown step '" + name + "'; steps are "
                    + java.util.Arrays.stream(values()).map(Step::stableName).toList());
        }

        @Override
        public String toString() {
            return stableName;
        }
    }
}
