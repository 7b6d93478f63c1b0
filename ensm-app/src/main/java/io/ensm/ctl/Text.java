package io.ensm.ctl;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Small text renderings shared by the commands. */
final class Text {

    private Text() {
    }

    static String timestamp(Timestamp ts) {
        if (ts.getSeconds() == 0 && ts.getNanos() == 0) {
            return "-";
        }
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()).toString();
    }

    static String pairs(Map<String, String> map) {
        if (map.isEmpty()) {
            return "-";
        }
        return new TreeMap<>(map).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
