package io.ensm.openstack;

import io.ensm.openstack.keystone.Credentials;
import io.ensm.openstack.keystone.PasswordLogin;
import io.ensm.openstack.keystone.TokenKeeper;
import io.ensm.openstack.neutron.CallCounter;
import io.ensm.openstack.neutron.Neutron;
import io.ensm.openstack.neutron.NeutronTransport;
import io.ensm.openstack.neutron.TagSupport;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/**
 * One cloud as one set of credentials sees it: the shared token and the Neutron client. Endpoints
 * with equal credentials and timeouts share one, so they share one token.
 */
public final class Cloud {
    /** Clouds of the providers ServiceLoader makes: the discovery source and the endpoints it finds share tokens. */
    private static final java.util.Map<Key, Cloud> SHARED = new java.util.concurrent.ConcurrentHashMap<>();

    private final Credentials credentials;
    private final TokenKeeper tokens;
    private final Neutron neutron;
    private final TagSupport tagSupport;
    private final CallCounter calls = new CallCounter();

    /** What makes two endpoints share a cloud. */
    record Key(Credentials credentials, Duration timeout, Duration renewBefore, Duration retryAfter) {
        static Key of(OpenStackSettings s) {
            return new Key(s.credentials(), s.timeout(), s.tokenRenewBefore(), s.authRetryAfter());
        }
    }

    static Cloud shared(Key key) {
        return SHARED.computeIfAbsent(key, k -> new Cloud(k, Clock.systemUTC()));
    }

    Cloud(Key key, Clock clock) {
        this.credentials = key.credentials();
        int millis = (int) Math.min(Integer.MAX_VALUE, key.timeout().toMillis());
        Config config = Config.newConfig().withConnectionTimeout(millis).withReadTimeout(millis);
        this.tokens = new TokenKeeper(new PasswordLogin(credentials, config), credentials.describe(), clock,
                key.renewBefore(), key.retryAfter());
        Facing facing = Facing.valueOf(credentials.endpointInterface().toUpperCase(Locale.ROOT));
        this.neutron = new Neutron(new NeutronTransport(tokens, facing, credentials.region(), config, calls));
        this.tagSupport = new TagSupport(neutron);
    }

    public Credentials credentials() {
        return credentials;
    }

    public TokenKeeper tokens() {
        return tokens;
    }

    public Neutron neutron() {
        return neutron;
    }

    public TagSupport tagSupport() {
        return tagSupport;
    }

    /** Neutron requests sent with these credentials. */
    public CallCounter calls() {
        return calls;
    }

    @Override
    public String toString() {
        return "Cloud[" + credentials.describe() + "]";
    }
}
