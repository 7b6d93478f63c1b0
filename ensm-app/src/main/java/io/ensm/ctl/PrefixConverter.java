package io.ensm.ctl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks an IP prefix written as {@code address/length} (IPv4 or IPv6) and returns it unchanged. */
public final class PrefixConverter implements ITypeConverter<String> {

    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern LENGTH = Pattern.compile("\\d{1,3}");

    @Override
    public String convert(String value) {
        int slash = value.indexOf('/');
        if (slash > 0 && LENGTH.matcher(value.substring(slash + 1)).matches()) {
            String address = value.substring(0, slash);
            int length = Integer.parseInt(value.substring(slash + 1));
            if (IPV4.matcher(address).matches() && length <= 32) {
                return value;
            }
            if (address.contains(":") && length <= 128 && isIpv6Literal(address)) {
                return value;
            }
        }
        throw new TypeConversionException("'" + value + "' is not an IP prefix (expected address/length, e.g. 10.0.0.0/8)");
    }

    private static boolean isIpv6Literal(String address) {
        try {
            // contains ':' so this is parsed as a literal, never resolved by DNS
            return InetAddress.getByName(address).getAddress().length == 16;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
