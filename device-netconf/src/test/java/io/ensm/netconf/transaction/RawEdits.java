package io.ensm.netconf.transaction;

import java.util.List;
import java.util.Optional;

/** Edits given as ready {@code <config>} children, read back by nothing: for tests of the transaction itself. */
public final class RawEdits {
    private RawEdits() {}

    /** The codec; its read filter is the one port the edits touch. */
    public static EditCodec<String> onPort(String port) {
        return new EditCodec<>() {
            @Override
            public String render(List<String> items) {
                return String.join("", items);
            }

            @Override
            public String readFilter(List<String> items) {
                return "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface><name>" + port + "</name></interface></interfaces>";
            }

            @Override
            public ReadBack<String> readBack(String dataXml) {
                return item -> Optional.empty();
            }
        };
    }
}
