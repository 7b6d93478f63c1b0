package io.ensm.core.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Checks an ES256 JWT without the JWT library ensm uses: splits the compact form, decodes the
 * base64url parts, parses the JSON with Gson, and verifies the signature with the JDK's
 * {@code SHA256withECDSAinP1363Format} (JWS carries ECDSA signatures as 64 raw bytes R||S,
 * RFC 7518 section 3.4). Tests use it to show that ensm's tokens are standard JWTs.
 */
public final class IndependentJwt {
    private final JsonObject header;
    private final JsonObject claims;
    private final byte[] signingInput;
    private final byte[] signature;

    private IndependentJwt(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a compact JWS has 3 parts, this has " + parts.length);
        }
        Base64.Decoder d = Base64.getUrlDecoder();
        this.header = JsonParser.parseString(new String(d.decode(parts[0]), StandardCharsets.UTF_8)).getAsJsonObject();
        this.claims = JsonParser.parseString(new String(d.decode(parts[1]), StandardCharsets.UTF_8)).getAsJsonObject();
        this.signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        this.signature = d.decode(parts[2]);
    }

    public static IndependentJwt parse(String token) {
        return new IndependentJwt(token);
    }

    public JsonObject header() {
        return header;
    }

    public JsonObject claims() {
        return claims;
    }

    public JsonElement claim(String name) {
        return claims.get(name);
    }

    /** True when the header says ES256 and the signature verifies with the key. */
    public boolean verifiesWith(PublicKey key) {
        if (!"ES256".equals(header.get("alg").getAsString()) || signature.length != 64) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Signs arbitrary claims the same way, for tests that need tokens ensm did not mint (e.g. a string aud). */
    public static String sign(String headerJson, String claimsJson, java.security.PrivateKey key) {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String input = e.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + e.encodeToString(s.sign());
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
