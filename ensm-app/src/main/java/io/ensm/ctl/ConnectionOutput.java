package io.ensm.ctl;

import io.ensm.api.connection.Connection;
import java.nio.file.Path;

/** Prints a granted Connection in the chosen format and optionally saves it. */
final class ConnectionOutput {

    private ConnectionOutput() {
    }

    static void show(ClientCommand command, Connection connection, Path save) {
        if (command.json()) {
            command.out().println(Json.line(connection));
            command.out().flush();
        } else {
            ConnectionText.print(connection, command.out());
        }
        if (save != null) {
            ConnectionFile.save(save, connection);
        }
    }
}
