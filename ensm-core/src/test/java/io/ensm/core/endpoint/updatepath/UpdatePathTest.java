package io.ensm.core.endpoint.updatepath;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static org.assertj.core.api.Assertions.assertThat;

class UpdatePathTest {
    private static final String OWN = "ensm-1";

    private final RecordingTail tail = new RecordingTail();
    private final Endpoint endpoint = new Endpoint(List.of(new UpdatePath(OWN), tail));

    private Connection request(NetworkServiceRequest r) {
        return endpoint.request(r, CallContext.client());
    }

    private static NetworkServiceRequest withPath(NetworkServiceRequest r, String id, Path path) {
        return r.toBuilder().setConnection(r.getConnection().toBuilder().setId(id).setPath(path)).build();
    }

    @Test
    void newSegmentIsAppendedWithFreshUuidAndIndexAdvancedBelow() {
        NetworkServiceRequest r = Requests.request().id("nsc-1").build();
        request(r);
        Connection below = tail.lastRequest().getConnection();
        assertThat(below.getPath().getIndex()).isEqualTo(1);
        assertThat(below.getPath().getPathSegmentsCount()).isEqualTo(2);
        PathSegment own = below.getPath().getPathSegments(1);
        assertThat(own.getName()).isEqualTo(OWN);
        assertThat(UUID.fromString(own.getId())).isNotNull();
        assertThat(below.getId()).isEqualTo(own.getId());
        assertThat(tail.lastContext().get(UpdatePath.CALLER_INDEX)).isZero();
    }

    @Test
    void replyCarriesCallerIdAndIndexWithOwnSegment() {
        Connection reply = request(Requests.request().id("nsc-1").build());
        assertThat(reply.getId()).isEqualTo("nsc-1");
        assertThat(reply.getPath().getIndex()).isZero();
        assertThat(reply.getPath().getPathSegmentsList()).extracting(PathSegment::getName).containsExactly(Requests.NSC, OWN);
        assertThat(reply.getPath().getPathSegments(1).getId()).isEqualTo(tail.lastRequest().getConnection().getId());
    }

    @Test
    void refreshReusesOwnSegment() {
        NetworkServiceRequest first = Requests.request().id("nsc-1").build();
        Connection reply = request(first);
        String ownId = reply.getPath().getPathSegments(1).getId();

        Connection again = request(first.toBuilder().setConnection(reply).build());

        assertThat(tail.lastRequest().getConnection().getId()).isEqualTo(ownId);
        assertThat(again.getPath().getPathSegmentsCount()).isEqualTo(2);
        assertThat(again.getPath().getPathSegments(1).getId()).isEqualTo(ownId);
        assertThat(again.getId()).isEqualTo("nsc-1");
    }

    @Test
    void emptyPathGetsOwnSegmentAtIndexZero() {
        NetworkServiceRequest r = withPath(Requests.simple(), "", Path.getDefaultInstance());
        Connection reply = request(r);
        Connection below = tail.lastRequest().getConnection();
        assertThat(below.getPath().getIndex()).isZero();
        assertThat(below.getPath().getPathSegmentsList()).extracting(PathSegment::getName).containsExactly(OWN);
        assertThat(reply.getId()).isEqualTo(below.getId()).isNotEmpty();
        assertThat(reply.getPath().getIndex()).isZero();
    }

    /** Found by fuzzing: a connection stored under an empty id could never be closed by its id. */
    @Test
    void ownSegmentWithAnEmptyIdIsRejected() {
        Path next = Path.newBuilder().setIndex(0)
                .addPathSegments(PathSegment.newBuilder().setName("nsc").setId("nsc-1"))
                .addPathSegments(PathSegment.newBuilder().setName(OWN).setId("")).build();
        assertStatus(() -> request(withPath(Requests.simple(), "nsc-1", next)), INVALID_ARGUMENT,
                "path segment 1 is this ensm's ('ensm-1') but has an empty id");
        Path direct = Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder().setName(OWN).setId("")).build();
        assertStatus(() -> request(withPath(Requests.simple(), "", direct)), INVALID_ARGUMENT, "path segment 0");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void indexOutOfRangeIsRejected() {
        NetworkServiceRequest r = Requests.request().id("nsc-1").build();
        NetworkServiceRequest bad = withPath(r, "nsc-1", r.getConnection().getPath().toBuilder().setIndex(3).build());
        assertStatus(() -> request(bad), INVALID_ARGUMENT, "path index 3", "1 segments");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void connectionIdOtherThanSegmentIdIsRejected() {
        NetworkServiceRequest r = Requests.request().id("nsc-1").build();
        assertStatus(() -> request(withPath(r, "someone-else", r.getConnection().getPath())), INVALID_ARGUMENT,
                "connection id 'someone-else'", "'nsc-1'");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void segmentsAfterOwnAreTrimmed() {
        NetworkServiceRequest r = Requests.request().id("nsc-1").build();
        Path path = r.getConnection().getPath().toBuilder()
                .addPathSegments(PathSegment.newBuilder().setName(OWN).setId("own-1"))
                .addPathSegments(PathSegment.newBuilder().setName("stale").setId("stale-1"))
                .build();
        Connection reply = request(withPath(r, "nsc-1", path));
        assertThat(tail.lastRequest().getConnection().getPath().getPathSegmentsList())
                .extracting(PathSegment::getId).containsExactly("nsc-1", "own-1");
        assertThat(reply.getPath().getPathSegmentsCount()).isEqualTo(2);
    }

    @Test
    void foreignSegmentsAfterCallerAreReplacedByOwn() {
        NetworkServiceRequest r = Requests.request().id("nsc-1").build();
        Path path = r.getConnection().getPath().toBuilder()
                .addPathSegments(PathSegment.newBuilder().setName("other-nse").setId("other-1"))
                .build();
        request(withPath(r, "nsc-1", path));
        Path below = tail.lastRequest().getConnection().getPath();
        assertThat(below.getPathSegmentsList()).extracting(PathSegment::getName).containsExactly(Requests.NSC, OWN);
        assertThat(below.getPathSegments(1).getId()).isNotEqualTo("other-1");
    }

    @Test
    void requestAddressedAtOwnSegmentDirectlyKeepsIt() {
        Path path = Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder().setName(OWN).setId("own-1")).build();
        Connection reply = request(withPath(Requests.simple(), "own-1", path));
        assertThat(tail.lastRequest().getConnection().getId()).isEqualTo("own-1");
        assertThat(reply.getId()).isEqualTo("own-1");
    }

    private static Connection reachedUs() {
        return Requests.request().id("nsc-1").connection().toBuilder()
                .setPath(Path.newBuilder().setIndex(0)
                        .addPathSegments(PathSegment.newBuilder().setName(Requests.NSC).setId("nsc-1"))
                        .addPathSegments(PathSegment.newBuilder().setName(OWN).setId("own-1")))
                .build();
    }

    @Test
    void closeWithOwnSegmentNextProceedsWithOwnId() {
        endpoint.close(reachedUs(), CallContext.client());
        assertThat(tail.closes()).hasSize(1);
        Connection below = tail.closes().getFirst();
        assertThat(below.getId()).isEqualTo("own-1");
        assertThat(below.getPath().getIndex()).isEqualTo(1);
    }

    @Test
    void closeOfPathThatNeverReachedUsDoesNothing() {
        endpoint.close(Requests.request().id("nsc-1").connection(), CallContext.client());
        assertThat(tail.calls()).isZero();
    }

    @Test
    void closeAddressedAtOwnSegmentDirectlyProceeds() {
        Connection c = reachedUs().toBuilder().setId("own-1").setPath(reachedUs().getPath().toBuilder().setIndex(1)).build();
        endpoint.close(c, CallContext.client());
        assertThat(tail.closes()).containsExactly(c);
    }

    @Test
    void closeByOwnIdAloneProceeds() {
        Connection c = Connection.newBuilder().setId("own-1").build();
        endpoint.close(c, CallContext.client());
        assertThat(tail.closes()).containsExactly(c);
    }

    @Test
    void closeWithMismatchedIdIsRejected() {
        Connection c = reachedUs().toBuilder().setId("nobody").build();
        assertStatus(() -> endpoint.close(c, CallContext.client()), INVALID_ARGUMENT, "'nobody'");
        assertThat(tail.calls()).isZero();
    }
}
