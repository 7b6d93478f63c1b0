package io.ensm.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact text encoding of the store's list and map columns, readable in the sqlite3 shell:
 * <ul>
 *   <li>a list is each element followed by {@code ,}: {@code 10.0.0.1/32,fd00::1/128,} (empty list: empty text);</li>
 *   <li>a map is each entry as {@code key=value;}: {@code uplink=eth1;vlan=100;} (order kept);</li>
 *   <li>{@code %}, {@code ,}, {@code ;} and {@code =} inside a value are written {@code %25 %2C %3B %3D}.</li>
 * </ul>
 * A terminator after every element (rather than a separator) keeps an empty element distinct
 * from an empty list.
 */
final class FieldCodec {
    private FieldCodec() {}

    static String encodeList(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            escape(v, sb);
            sb.append(',');
        }
        return sb.toString();
    }

    static List<String> decodeList(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ',') {
                out.add(unescape(text, start, i));
                start = i + 1;
            }
        }
        if (start != text.length()) {
            throw new IllegalArgumentException("list '" + text + "' lacks its final ','");
        }
        return List.copyOf(out);
    }

    static String encodeMap(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            escape(e.getKey(), sb);
            sb.append('=');
            escape(e.getValue(), sb);
            sb.append(';');
        }
        return sb.toString();
    }

    static Map<String, String> decodeMap(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ';') {
                int eq = text.indexOf('=', start);
                if (eq < 0 || eq > i) {
                    throw new IllegalArgumentException("map entry '" + text.substring(start, i) + "' lacks '='");
                }
                out.put(unescape(text, start, eq), unescape(text, eq + 1, i));
                start = i + 1;
            }
        }
        if (start != text.length()) {
            throw new IllegalArgumentException("map '" + text + "' lacks its final ';'");
        }
        return out;
    }

    private static void escape(String v, StringBuilder sb) {
        if (v == null) {
            throw new IllegalArgumentException("null value cannot be stored");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '%' -> sb.append("%25");
                case ',' -> sb.append("%2C");
                case ';' -> sb.append("%3B");
                case '=' -> sb.append("%3D");
                default -> sb.append(c);
            }
        }
    }

    private static String unescape(String text, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (i + 3 > to) {
                throw new IllegalArgumentException("truncated escape in '" + text + "'");
            }
            String code = text.substring(i + 1, i + 3);
            sb.append(switch (code) {
                case "25" -> '%';
                case "2C" -> ',';
                case "3B" -> ';';
                case "3D" -> '=';
                default -> throw new IllegalArgumentException("unknown escape %" + code + " in '" + text + "'");
            });
            i += 2;
        }
        return sb.toString();
    }
}
