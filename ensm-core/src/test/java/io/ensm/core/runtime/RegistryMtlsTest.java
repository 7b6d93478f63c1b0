package io.ensm.core.runtime;

import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.core.authz.Policy;
import io.ensm.core.registry.Await;
import io.ensm.core.registry.ProtoTime;
import io.ensm.core.testing.SecureClient;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.ensm.core.tls.MtlsCredentials;
import io.ensm.core.token.RegistryPath;
import io.ensm.core.token.TokenCredentials;
import io.ensm.core.token.TokenMetadata;
import io.ensm.core.token.TokenMinter;
import io.grpc.CallCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** The embedded registry over mutual TLS: NSM's registry policies, path metadata and token-bound expiry. */
class RegistryMtlsTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid MALLORY = CA.issue("mallory", Duration.ofHours(1));

    @TempDir
    Path dir;
    private SecureRuntimes ensm;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() {
        ensm = new SecureRuntimes(CA.issue("ensm", Duration.ofHours(1)), dir, Duration.ZERO, Set.of());
        Await.until("ensm registered", () -> ensm.runtime.status().registered());
    }

    @AfterEach
    void stop() {
        channels.forEach(SecureClient::close);
        ensm.close();
    }

    private ManagedChannel registryChannel(TestCa.Svid as, CallCredentials tokens) {
        var identity = StaticIdentity.of(as);
        var credentials = tokens == null ? MtlsCredentials.client(identity)
                : CompositeChannelCredentials.create(MtlsCredentials.client(identity), tokens);
        ManagedChannel c = Grpc.newChannelBuilder(ensm.target(), credentials).build();
        channels.add(c);
        return c;
    }

    private ManagedChannel withTokens(TestCa.Svid as) {
        return registryChannel(as, TokenCredentials.forRegistry(new TokenMinter(StaticIdentity.of(as), Duration.ofMinutes(10),
                Clock.systemUTC())));
    }

    private static NetworkServiceEndpointRegistryGrpc.NetworkServiceEndpointRegistryBlockingStub nse(ManagedChannel c) {
        return NetworkServiceEndpointRegistryGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static NetworkServiceEndpoint endpoint(String name) {
        return NetworkServiceEndpoint.newBuilder().setName(name).addNetworkServiceNames(SecureRuntimes.SERVICE)
                .setUrl("tcp://192.0.2.9:5001").build();
    }

    @Test
    void ensmsOwnRegistrationCarriesPathIdsAndATokenBoundExpiry() {
        var found = nse(withTokens(MALLORY)).find(NetworkServiceEndpointQuery.newBuilder()
                .setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder().setName(SecureRuntimes.ENDPOINT)).build());
        NetworkServiceEndpoint box = found.next().getNetworkServiceEndpoint();
        assertThat(box.getPathIdsList()).containsExactly(CA.id("ensm"), CA.id("ensm"));
        assertThat(ProtoTime.toInstant(box.getExpirationTime())).isBefore(Instant.now().plus(Duration.ofMinutes(1)).plusSeconds(1));
    }

    @Test
    void aNewRegistrantGetsThePathBackInTheResponseHeader() {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var stub = nse(withTokens(MALLORY)).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

        NetworkServiceEndpoint granted = stub.register(endpoint("mallory-nse"));

        RegistryPath path = RegistryPath.parse(headers.get().get(TokenMetadata.PATH));
        assertThat(path.index()).isZero();
        assertThat(path.tokens()).hasSize(2);
        assertThat(granted.getPathIdsList()).containsExactly(MALLORY.spiffeId(), CA.id("ensm"));
        assertThat(ensm.refusals).isEmpty();
    }

    @Test
    void onlyTheFirstRegistrantMayRegisterOrUnregisterAName() {
        var mallory = nse(withTokens(MALLORY));
        assertStatus(() -> mallory.register(endpoint(SecureRuntimes.ENDPOINT)), Status.Code.PERMISSION_DENIED,
                "authorization policy client_allowed failed", CA.id("ensm"), MALLORY.spiffeId());
        assertStatus(() -> mallory.unregister(endpoint(SecureRuntimes.ENDPOINT)), Status.Code.PERMISSION_DENIED, "client_allowed");
        assertThat(ensm.refusals).containsExactly(Policy.CLIENT_ALLOWED, Policy.CLIENT_ALLOWED);
        assertThat(ensm.runtime.status().registered()).isTrue();
    }

    @Test
    void aRegistrationWithoutTokenIsRefused() {
        assertStatus(() -> nse(registryChannel(MALLORY, null)).register(endpoint("mallory-nse")), Status.Code.PERMISSION_DENIED,
                "authorization policy tokens_valid failed");
        assertThat(ensm.refusals).containsExactly(Policy.TOKENS_VALID);
    }

    @Test
    void malformedPathMetadataIsInvalidArgument() {
        TokenMinter minter = new TokenMinter(StaticIdentity.of(MALLORY), Duration.ofMinutes(10), Clock.systemUTC());
        CallCredentials badPath = new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(TokenMetadata.TOKEN, minter.mint(CA.id("ensm")).token());
                m.put(TokenMetadata.PATH, "{\"Index\":5,\"PathSegments\":[{\"token\":\"x\"}]}");
                applier.apply(m);
            }
        };
        assertStatus(() -> nse(registryChannel(MALLORY, badPath)).register(endpoint("mallory-nse")), Status.Code.INVALID_ARGUMENT,
                "metadata path");
    }
}
