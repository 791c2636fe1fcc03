package com.twingate.gateway.token;

import com.nimbusds.jwt.JWTClaimsSet;
import com.twingate.gateway.config.TwingateConfig;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every claim rule of (docs/token.md), applied to a token whose signature already checked out. Each failure
 * names the rule it broke, for the log.
 */
final class GatClaimsReader {

    static final String SUPPORTED_VERSION = "1";
    /**
     * Tolerance for the controller's clock running ahead of ours on {@code iat}. None on {@code exp}:
     * a token is never honoured past its expiry.
     */
    static final Duration ISSUED_AT_SKEW = Duration.ofSeconds(30);

    private final TwingateConfig twingate;

    GatClaimsReader(TwingateConfig twingate) {
        this.twingate = twingate;
    }

    GatClaims read(JWTClaimsSet claims, Instant now) throws InvalidTokenException {
        try {
            return readChecked(claims, now);
        } catch (ParseException wrongType) {
            throw new InvalidTokenException("a claim has the wrong type: " + wrongType.getMessage());
        }
    }

    private GatClaims readChecked(JWTClaimsSet claims, Instant now) throws ParseException, InvalidTokenException {
        String issuer = claims.getIssuer();
        if (!twingate.issuer().equals(issuer)) {
            throw new InvalidTokenException("iss " + issuer + " is not the expected issuer " + twingate.issuer());
        }
        List<String> audience = claims.getAudience();
        if (!audience.contains(twingate.network())) {
            throw new InvalidTokenException("aud does not contain network " + twingate.network());
        }
        Instant expiresAt = required(claims.getExpirationTime(), "exp");
        if (!expiresAt.isAfter(now)) {
            throw new InvalidTokenException("token expired at " + expiresAt);
        }
        Instant issuedAt = Optional.ofNullable(claims.getIssueTime()).map(Date::toInstant).orElse(null);
        if (issuedAt != null && issuedAt.isAfter(now.plus(ISSUED_AT_SKEW))) {
            throw new InvalidTokenException("iat " + issuedAt + " is in the future");
        }
        String version = claims.getStringClaim("ver");
        if (!SUPPORTED_VERSION.equals(version)) {
            throw new InvalidTokenException("ver " + version + " is not supported (only " + SUPPORTED_VERSION + ")");
        }
        Instant renewAt = required(claims.getDateClaim("rnw"), "rnw");
        String cpk = requiredString(claims.getStringClaim("cpk"), "cpk");
        Map<String, Object> user = requiredObject(claims.getJSONObjectClaim("user"), "user");
        Optional<Map<String, Object>> device = Optional.ofNullable(claims.getJSONObjectClaim("device"));
        Map<String, Object> resource = requiredObject(claims.getJSONObjectClaim("resource"), "resource");
        return new GatClaims(
                issuer,
                audience,
                expiresAt,
                issuedAt,
                renewAt,
                ClientPublicKey.parse(cpk),
                new GatClaims.User(
                        headerSafe(requiredString(string(user, "id", "user.id"), "user.id"), "user.id"),
                        headerSafe(requiredString(string(user, "username", "user.username"), "user.username"), "user.username"),
                        groups(user)),
                device.map(d -> d.get("id")).filter(String.class::isInstance).map(String.class::cast),
                new GatClaims.Resource(
                        requiredString(string(resource, "id", "resource.id"), "resource.id"),
                        requiredString(string(resource, "address", "resource.address"), "resource.address")));
    }

    private static List<String> groups(Map<String, Object> user) throws InvalidTokenException {
        Object groups = user.get("groups");
        if (groups == null) {
            return List.of();
        }
        if (!(groups instanceof List<?> list)) {
            throw new InvalidTokenException("user.groups is not a list");
        }
        List<String> result = new ArrayList<>(list.size());
        for (Object group : list) {
            if (!(group instanceof String name)) {
                throw new InvalidTokenException("user.groups holds a value that is not a string");
            }
            result.add(headerSafe(name, "user.groups"));
        }
        return result;
    }

    private static String string(Map<String, Object> object, String field, String claim) throws InvalidTokenException {
        Object value = object.get(field);
        if (value != null && !(value instanceof String)) {
            throw new InvalidTokenException(claim + " is not a string");
        }
        return (String) value;
    }

    /**
     * The user's identity travels to the API server in {@code Impersonate-*} header values: a control
     * character there (CR, LF, NUL, ...) could end the header and start another, or be rewritten by an
     * HTTP stack into a different name. Such a token names no user the gateway can pass on exactly.
     */
    private static String headerSafe(String value, String claim) throws InvalidTokenException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidTokenException(claim + " contains the control character U+%04X".formatted((int) c));
            }
        }
        return value;
    }

    private static Instant required(Date date, String claim) throws InvalidTokenException {
        if (date == null) {
            throw new InvalidTokenException("missing claim " + claim);
        }
        return date.toInstant();
    }

    private static String requiredString(String value, String claim) throws InvalidTokenException {
        if (value == null || value.isBlank()) {
            throw new InvalidTokenException("missing claim " + claim);
        }
        return value;
    }

    private static Map<String, Object> requiredObject(Map<String, Object> value, String claim) throws InvalidTokenException {
        if (value == null) {
            throw new InvalidTokenException("missing claim " + claim);
        }
        return value;
    }
}
