package io.ensm.ctl;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ensm.api.connection.Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Saves a Connection as protobuf JSON and reads it back. */
public final class ConnectionFile {

    private ConnectionFile() {
    }

    public static void save(Path file, Connection connection) {
        try {
            Files.writeString(file, Json.pretty(connection) + System.lineSeparator(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliFailure("cannot write " + file + ": " + e.getMessage(), Ensmctl.EXIT_FILE, e);
        }
    }

    public static Connection load(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliFailure("cannot read " + file + ": " + e.getMessage(), Ensmctl.EXIT_FILE, e);
        }
        try {
            Connection connection = Json.merge(json, Connection.newBuilder()).build();
            if (connection.getId().isEmpty()) {
                throw new CliFailure(file + " holds no connection id", Ensmctl.EXIT_FILE, null);
            }
            return connection;
        } catch (InvalidProtocolBufferException e) {
            throw new CliFailure(file + " is not a saved connection: " + e.getMessage(), Ensmctl.EXIT_FILE, e);
        }
    }
}
