package io.ensm.ctl;

import io.ensm.core.model.IpLiteral;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks an IP prefix written as {@code address/length} (IPv4 or IPv6) and returns it unchanged. */
public final class PrefixConverter implements ITypeConverter<String> {

    @Override
    public String convert(String value) {
        if (value.indexOf('/') > 0 && IpLiteral.isValidPrefix(value)) {
            return value;
        }
        throw new TypeConversionException("'" + value + "' is not an IP prefix (expected address/length, e.g. 10.0.0.0/8)");
    }
}
