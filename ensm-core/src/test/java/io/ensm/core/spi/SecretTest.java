package io.ensm.core.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretTest {
    private static final String VALUE = "S3cr3t+pw/x%y";

    @TempDir
    Path dir;

    @Test
    void toStringNeverShowsTheValue() {
        Secret s = Secret.of(VALUE);
        assertThat(s.toString()).doesNotContain(VALUE).doesNotContain("S3cr3t").isEqualTo("(secret)");
        record Holder(String user, Secret password) {}
        assertThat(new Holder("ensm", s).toString()).doesNotContain(VALUE).contains("ensm");
        assertThat(s.reveal()).isEqualTo(VALUE);
    }

    @Test
    void anEmptyValueIsRefused() {
        assertThatThrownBy(() -> Secret.of("")).isInstanceOf(IllegalArgumentException.class).hasMessage("the secret is empty");
        assertThatThrownBy(() -> Secret.of(null)).isInstanceOf(IllegalArgumentException.class).hasMessage("the secret is empty");
    }

    @Test
    void aFileGivesItsFirstLineWithoutTheLineEnd() throws IOException {
        assertThat(Secret.fromFile(write("lf", VALUE + "\n")).reveal()).isEqualTo(VALUE);
        assertThat(Secret.fromFile(write("crlf", VALUE + "\r\nsecond line\r\n")).reveal()).isEqualTo(VALUE);
        assertThat(Secret.fromFile(write("bare", VALUE)).reveal()).isEqualTo(VALUE);
        // blanks inside and around the line belong to the secret
        assertThat(Secret.fromFile(write("blanks", " a b \n")).reveal()).isEqualTo(" a b ");
    }

    @Test
    void anEmptyFileIsRefusedWithoutPathOrContent() throws IOException {
        for (String content : new String[] {"", "\n", "\r\n", "\n" + VALUE + "\n"}) {
            Path file = write("empty", content);
            assertThatThrownBy(() -> Secret.fromFile(file)).isInstanceOf(Secret.EmptyFileException.class)
                    .hasMessage("the file is empty");
        }
    }

    @Test
    void anUnreadableFileFailsAsTheFileSystemSays() {
        Path pasted = dir.resolve(VALUE.replace('/', '_'));
        assertThatThrownBy(() -> Secret.fromFile(pasted)).isInstanceOf(NoSuchFileException.class)
                .satisfies(e -> assertThat(Redact.readFailure((IOException) e)).isEqualTo("no such file"));
        assertThatThrownBy(() -> Secret.fromFile(dir)).isInstanceOf(IOException.class)
                .isNotInstanceOf(Secret.EmptyFileException.class);
    }

    @Test
    void aLeakCheckFindsTheValueInsideText() {
        Secret s = Secret.of(VALUE);
        assertThat(s.occursIn("error: login refused for " + VALUE + " at keystone")).isTrue();
        assertThat(s.occursIn("error: login refused for " + s + " at keystone")).isFalse();
        assertThat(s.occursIn(null)).isFalse();
    }

    @Test
    void secretsAreEqualByValue() throws IOException {
        Secret a = Secret.of(VALUE);
        Secret fromFile = Secret.fromFile(write("same", VALUE + "\n"));
        assertThat(a).isEqualTo(fromFile).hasSameHashCodeAs(fromFile);
        assertThat(a).isNotEqualTo(Secret.of(VALUE + "x")).isNotEqualTo(VALUE);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
