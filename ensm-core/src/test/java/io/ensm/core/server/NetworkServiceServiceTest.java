package io.ensm.core.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Found by fuzzing: refusal messages echoed caller input with line breaks into the log and the status. */
class NetworkServiceServiceTest {

    @Test
    void messagesAreOnePrintableLine() {
        String forged = "network service 'x\nevent=connection-applied connection=evil' is not served here";
        assertThat(NetworkServiceService.printable(forged))
                .isEqualTo("network service 'x\\nevent=connection-applied connection=evil' is not served here")
                .doesNotContain("\n");
        assertThat(NetworkServiceService.printable("a\u2028b\u0000c\"d\\e\tf"))
                .isEqualTo("a\\u2028b\\u0000c\\\"d\\\\e\\tf");
    }

    @Test
    void longMessagesAreCutWithAMarker() {
        String cut = NetworkServiceService.printable("x".repeat(5000));
        assertThat(cut).hasSize(NetworkServiceService.MAX_MESSAGE).endsWith("...");
        assertThat(NetworkServiceService.printable("x".repeat(NetworkServiceService.MAX_MESSAGE)))
                .hasSize(NetworkServiceService.MAX_MESSAGE).doesNotEndWith("...");
    }

    @Test
    void plainMessagesAreUnchanged() {
        String plain = "endpoint 'router-1': backend provision failed: box said no (ünïcode kept)";
        assertThat(NetworkServiceService.printable(plain)).isEqualTo(plain);
        assertThat(NetworkServiceService.printable(null)).isNull();
    }
}
