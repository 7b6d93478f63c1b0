package io.ensm.tf.vncdouble;

import java.util.List;
import java.util.stream.Collectors;

/** Lists as TF's messages print them: Python's repr of a list of strings, {@code ['a', 'b']}. */
final class PyRepr {
    private PyRepr() {}

    static String of(List<String> items) {
        return items.stream().map(s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
