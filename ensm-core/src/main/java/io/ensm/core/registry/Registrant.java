package io.ensm.core.registry;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The registry calls for one kind of registered object, so {@link Registration} can treat both alike. */
sealed interface Registrant {

    String kind();

    String name();

    /** Log detail an operator needs to tell registrations apart. */
    String describe();

    /** Registers and returns the expiration the registry granted. Blocking; honours the current gRPC Context. */
    Instant register(Channel channel, Instant expires, Duration timeout);

    void unregister(Channel channel, Duration timeout);

    /**
     * Follows the registry's view of this object; {@code deleted} runs when the registry announces its
     * removal, {@code replaced} (with the other URL) when someone registered the same name with another
     * URL, {@code broken} when the stream ends for any reason. Returns the handle that stops watching,
     * or empty if this kind is not watched.
     */
    Optional<Runnable> watch(Channel channel, Runnable deleted, Consumer<String> replaced, Consumer<Throwable> broken);

    record Service(NetworkService service) implements Registrant {
        public String kind() { return "service"; }

        public String name() { return service.getName(); }

        public String describe() { return "payload=" + service.getPayload(); }

        public Instant register(Channel channel, Instant expires, Duration timeout) {
            // services carry no expiration; re-registering on the same cadence heals a restarted registry
            NetworkServiceRegistryGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).register(service);
            return expires;
        }

        public void unregister(Channel channel, Duration timeout) {
            NetworkServiceRegistryGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).unregister(service);
        }

        public Optional<Runnable> watch(Channel channel, Runnable deleted, Consumer<String> replaced, Consumer<Throwable> broken) {
            return Optional.empty();
        }
    }

    record Endpoint(NetworkServiceEndpoint endpoint) implements Registrant {
        public String kind() { return "endpoint"; }

        public String name() { return endpoint.getName(); }

        public String describe() { return "url=" + endpoint.getUrl(); }

        public Instant register(Channel channel, Instant expires, Duration timeout) {
            NetworkServiceEndpoint granted = NetworkServiceEndpointRegistryGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .register(endpoint.toBuilder().setExpirationTime(ProtoTime.toTimestamp(expires)).build());
            return ProtoTime.isUnset(granted.getExpirationTime()) ? expires : ProtoTime.toInstant(granted.getExpirationTime());
        }

        public void unregister(Channel channel, Duration timeout) {
            NetworkServiceEndpointRegistryGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .unregister(endpoint);
        }

        public Optional<Runnable> watch(Channel channel, Runnable deleted, Consumer<String> replaced, Consumer<Throwable> broken) {
            var query = NetworkServiceEndpointQuery.newBuilder()
                    .setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder().setName(endpoint.getName()))
                    .setWatch(true)
                    .build();
            var observer = new ClientResponseObserver<NetworkServiceEndpointQuery, NetworkServiceEndpointResponse>() {
                volatile ClientCallStreamObserver<NetworkServiceEndpointQuery> call;

                @Override
                public void beforeStart(ClientCallStreamObserver<NetworkServiceEndpointQuery> requestStream) {
                    call = requestStream;
                }

                @Override
                public void onNext(NetworkServiceEndpointResponse response) {
                    NetworkServiceEndpoint seen = response.getNetworkServiceEndpoint();
                    if (!seen.getName().equals(endpoint.getName())) {
                        return;
                    }
                    if (response.getDeleted()) {
                        deleted.run();
                    } else if (!seen.getUrl().equals(endpoint.getUrl())) {
                        replaced.accept(seen.getUrl());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    broken.accept(t);
                }

                @Override
                public void onCompleted() {
                    broken.accept(null);
                }
            };
            NetworkServiceEndpointRegistryGrpc.newStub(channel).find(query, observer);
            return Optional.of(() -> observer.call.cancel("registration closed", null));
        }
    }
}
