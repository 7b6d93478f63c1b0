package io.ensm.openstack.keystone;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import org.openstack4j.api.OSClient;
import org.openstack4j.api.exceptions.AuthenticationException;
import org.openstack4j.api.exceptions.ClientResponseException;
import org.openstack4j.api.exceptions.ConnectionException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;

import java.time.Instant;
import java.util.Locale;

/** Keystone v3 password authentication through openstack4j, with failures in ensm's terms. */
public final class PasswordLogin implements KeystoneLogin {
    private final Credentials credentials;
    private final Config config;

    public PasswordLogin(Credentials credentials, Config config) {
        this.credentials = credentials;
        this.config = config;
    }

    @Override
    public IssuedToken login() throws BackendException {
        String url = identityUrl(credentials.authUrl().toString());
        try {
            OSClient.OSClientV3 client = OSFactory.builderV3()
                    .endpoint(url)
                    .credentials(credentials.username(), credentials.password().reveal(), identifier(credentials.userDomain()))
                    .scopeToProject(identifier(credentials.project()), identifier(credentials.projectDomain()))
                    .perspective(facing(credentials.endpointInterface()))
                    .withConfig(config)
                    .authenticate();
            Token token = client.getToken();
            return new IssuedToken(token, token.getIssuedAt().toInstant(), token.getExpires().toInstant());
        } catch (AuthenticationException e) {
            throw new BackendException(Kind.DENIED, "Keystone at " + url + " refused the password of " + credentials.who()
                    + " (HTTP 401): check the user, its domain, the project and the password", e);
        } catch (ClientResponseException e) {
            throw new BackendException(e.getStatus() == 403 ? Kind.DENIED : Kind.REJECTED,
                    "Keystone at " + url + " refused to authenticate " + credentials.who() + " (HTTP " + e.getStatus() + ": "
                            + e.getMessage() + ")", e);
        } catch (ConnectionException e) {
            throw new BackendException(Kind.UNREACHABLE, "Keystone at " + url + " is unreachable: " + Causes.describe(e), e);
        } catch (ResponseException e) {
            throw new BackendException(Kind.UNREACHABLE, "Keystone at " + url + " failed (HTTP " + e.getStatus() + ": " + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            // openstack4j wraps transport failures in plain runtime exceptions in places
            throw new BackendException(Kind.UNREACHABLE, "Keystone at " + url + " could not be used: " + Causes.describe(e), e);
        }
    }

    /** Keystone's v3 URL: clouds.yaml files often give the bare service URL. */
    static String identityUrl(String authUrl) {
        String u = authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
        return u.endsWith("/v3") ? u : u + "/v3";
    }

    static Facing facing(String endpointInterface) {
        return Facing.valueOf(endpointInterface.toUpperCase(Locale.ROOT));
    }

    private static Identifier identifier(Ref ref) {
        return ref.isId() ? Identifier.byId(ref.value()) : Identifier.byName(ref.value());
    }
}
