package io.ensm.ctl;

import io.ensm.api.connection.Mechanism;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses a mechanism preference written as {@code TYPE[:k=v[,k=v...]]}, for example
 * {@code VXLAN:src_ip=192.0.2.1,src_port=4789}, {@code VLAN} or {@code KERNEL}. The class
 * ({@code LOCAL}/{@code REMOTE}) follows from the type.
 */
public final class MechanismSpec implements ITypeConverter<Mechanism> {

    public static final String LOCAL = "LOCAL";
    public static final String REMOTE = "REMOTE";

    private static final Map<String, String> CLASS_BY_TYPE = Map.of(
            "KERNEL", LOCAL,
            "MEMIF", LOCAL,
            "VFIO", LOCAL,
            "VXLAN", REMOTE,
            "VLAN", REMOTE,
            "WIREGUARD", REMOTE,
            "IPSEC", REMOTE,
            "SRV6", REMOTE);

    /** The preference sent when none is given: VXLAN from the loopback on the standard port. */
    public static Mechanism defaultPreference() {
        return parse("VXLAN:src_ip=127.0.0.1,src_port=4789");
    }

    @Override
    public Mechanism convert(String value) {
        return parse(value);
    }

    public static Mechanism parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new TypeConversionException("empty mechanism spec; expected TYPE[:k=v[,k=v...]]");
        }
        int colon = spec.indexOf(':');
        String type = (colon < 0 ? spec : spec.substring(0, colon)).trim().toUpperCase(Locale.ROOT);
        String cls = CLASS_BY_TYPE.get(type);
        if (cls == null) {
            throw new TypeConversionException("unknown mechanism type '" + (colon < 0 ? spec : spec.substring(0, colon))
                    + "' in '" + spec + "'; known types: " + String.join(", ", CLASS_BY_TYPE.keySet().stream().sorted().toList()));
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (colon >= 0) {
            String list = spec.substring(colon + 1);
            if (list.isBlank()) {
                throw new TypeConversionException("no parameters after ':' in mechanism spec '" + spec + "'");
            }
            for (String pair : list.split(",", -1)) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? "" : pair.substring(0, eq).trim();
                if (eq < 0 || key.isEmpty()) {
                    throw new TypeConversionException("parameter '" + pair + "' in mechanism spec '" + spec
                            + "' is not k=v");
                }
                if (parameters.put(key, pair.substring(eq + 1).trim()) != null) {
                    throw new TypeConversionException("parameter '" + key + "' repeated in mechanism spec '" + spec + "'");
                }
            }
        }
        return Mechanism.newBuilder().setCls(cls).setType(type).putAllParameters(parameters).build();
    }
}
