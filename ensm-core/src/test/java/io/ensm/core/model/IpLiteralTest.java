package io.ensm.core.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IpLiteralTest {

    @Test
    void acceptsAddressesOfBothFamilies() {
        assertThat(IpLiteral.isValid("10.0.0.1")).isTrue();
        assertThat(IpLiteral.isValid("fd00:e5::1")).isTrue();
        assertThat(IpLiteral.isValid("::")).isTrue();
        assertThat(IpLiteral.isValid("::ffff:10.0.0.1")).isTrue();
        assertThat(IpLiteral.isValid("2001:db8::1")).isTrue();
    }

    @Test
    void rejectsWhatIsNoAddress() {
        assertThat(IpLiteral.isValid("")).isFalse();
        assertThat(IpLiteral.isValid(null)).isFalse();
        assertThat(IpLiteral.isValid("example.com")).isFalse();
        assertThat(IpLiteral.isValid("10.0.0.256")).isFalse();
        assertThat(IpLiteral.isValid("fd00::e5::1")).isFalse();
        assertThat(IpLiteral.isValid("fd00:zz::1")).isFalse();
        assertThat(IpLiteral.isValid("10.0.0.1:80")).isFalse();
    }

    @Test
    void checksPrefixLengthAgainstTheFamily() {
        assertThat(IpLiteral.isValidPrefix("10.0.0.1/32")).isTrue();
        assertThat(IpLiteral.isValidPrefix("10.0.0.0/33")).isFalse();
        assertThat(IpLiteral.isValidPrefix("fd00:e5::1/128")).isTrue();
        assertThat(IpLiteral.isValidPrefix("fd00:e5::/129")).isFalse();
        assertThat(IpLiteral.isValidPrefix("fd00:e5::1")).isTrue();
        assertThat(IpLiteral.isValidPrefix("fd00:e5::1/")).isFalse();
        assertThat(IpLiteral.isValidPrefix("fd00:e5::1/x")).isFalse();
    }
}
