package io.ensm.store.etcd.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures prove a request was not applied, from etcd's own status texts. */
class FailureTest {

    private static StatusRuntimeException status(Status.Code code, String description) {
        return Status.fromCode(code).withDescription(description).asRuntimeException();
    }

    @Test
    void refusalsBeforeApplyingAreNotApplied() {
        assertThat(Failure.of(status(Status.Code.UNAVAILABLE, "etcdserver: no leader"))).isEqualTo(Failure.NOT_APPLIED);
        assertThat(Failure.of(status(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: too many requests"))).isEqualTo(Failure.NOT_APPLIED);
        assertThat(Failure.of(status(Status.Code.FAILED_PRECONDITION, "etcdserver: not capable"))).isEqualTo(Failure.NOT_APPLIED);
        StatusRuntimeException refused = Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("Connection refused")).asRuntimeException();
        assertThat(Failure.of(refused)).isEqualTo(Failure.NOT_APPLIED);
    }

    @Test
    void failuresAfterTheRequestMayHaveArrivedLeaveTheOutcomeUnknown() {
        assertThat(Failure.of(status(Status.Code.UNAVAILABLE, "etcdserver: request timed out"))).isEqualTo(Failure.UNKNOWN);
        assertThat(Failure.of(status(Status.Code.UNAVAILABLE, "etcdserver: leader changed"))).isEqualTo(Failure.UNKNOWN);
        assertThat(Failure.of(status(Status.Code.UNAVAILABLE, "Network closed for unknown reason"))).isEqualTo(Failure.UNKNOWN);
        assertThat(Failure.of(status(Status.Code.DEADLINE_EXCEEDED, "deadline exceeded after 0.99s"))).isEqualTo(Failure.UNKNOWN);
    }

    @Test
    void definiteAnswersAreRefusals() {
        assertThat(Failure.of(status(Status.Code.NOT_FOUND, "etcdserver: requested lease not found"))).isEqualTo(Failure.REFUSED);
        assertThat(Failure.of(status(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted")))
                .isEqualTo(Failure.REFUSED);
        assertThat(Failure.of(status(Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided"))).isEqualTo(Failure.REFUSED);
        assertThat(Failure.of(status(Status.Code.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"))).isEqualTo(Failure.REFUSED);
    }

    @Test
    void prefixEndCoversExactlyThePrefix() {
        assertThat(Keys.prefixEnd("/a/").toStringUtf8()).isEqualTo("/a0");
        assertThat(Keys.prefixEnd("ab").toStringUtf8()).isEqualTo("ac");
        // "aÿ" is 61 C3 BF in UTF-8: the last byte goes up by one
        assertThat(Keys.prefixEnd("a\u00ff").toByteArray()).containsExactly((byte) 0x61, (byte) 0xc3, (byte) 0xc0);
    }
}
