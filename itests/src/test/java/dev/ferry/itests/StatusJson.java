package dev.ferry.itests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the arrays of flat objects in Ferry's console status JSON ({@code {"badProxies":[{...}],"pools":[...]}})
 * with regular expressions. Values come back as strings, numbers in their JSON spelling.
 */
final class StatusJson {

    private static final Pattern OBJECT = Pattern.compile("\\{[^{}]*}");
    private static final Pattern FIELD = Pattern.compile(
            "\"(\\w+)\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([-\\w.+]+))");

    private StatusJson() {
    }

    /** The objects of the top-level array {@code name}; fails the test when the array is missing. */
    static List<Map<String, String>> entries(String json, String name) {
        String array = arrayText(json, name);
        List<Map<String, String>> entries = new ArrayList<>();
        Matcher object = OBJECT.matcher(array);
        while (object.find()) {
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher field = FIELD.matcher(object.group());
            while (field.find()) {
                fields.put(field.group(1), field.group(2) != null ? unescape(field.group(2)) : field.group(3));
            }
            entries.add(fields);
        }
        return entries;
    }

    /** The first object in array {@code name} whose {@code field} is {@code value}, or null. */
    static Map<String, String> find(String json, String name, String field, String value) {
        return entries(json, name).stream().filter(e -> value.equals(e.get(field))).findFirst().orElse(null);
    }

    /** The text between the brackets of {@code "name":[...]}, found by counting brackets outside strings. */
    private static String arrayText(String json, String name) {
        Matcher start = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\\[").matcher(json);
        if (!start.find()) {
            throw new AssertionError("no array \"" + name + "\" in status JSON: " + json);
        }
        int depth = 1;
        boolean inString = false;
        for (int i = start.end(); i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if ((c == ']' || c == '}') && --depth == 0) {
                return json.substring(start.end(), i);
            }
        }
        throw new AssertionError("array \"" + name + "\" not closed in status JSON: " + json);
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'n': out.append('\n'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                    break;
                default: out.append(next);
            }
        }
        return out.toString();
    }
}
