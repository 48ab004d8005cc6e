package dev.ferry.api.exchange;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A header section as received: names and values in order, names compared without regard to case. Immutable. */
public final class Headers {

    private static final Headers EMPTY = new Headers(List.of());

    private final List<Map.Entry<String, String>> entries;

    private Headers(List<Map.Entry<String, String>> entries) {
        this.entries = entries;
    }

    /** The given entries, in order. */
    public static Headers of(List<? extends Map.Entry<String, String>> entries) {
        List<Map.Entry<String, String>> copy = new ArrayList<>(entries.size());
        for (Map.Entry<String, String> e : entries) {
            copy.add(new SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return copy.isEmpty() ? EMPTY : new Headers(Collections.unmodifiableList(copy));
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order. */
    public List<String> getAll(String name) {
        List<String> values = new ArrayList<>(1);
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().equalsIgnoreCase(name)) {
                values.add(e.getValue());
            }
        }
        return values;
    }

    public boolean contains(String name) {
        return get(name) != null;
    }

    /** The names, as first spelled, in order of first appearance. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : entries) {
            names.add(e.getKey());
        }
        return names;
    }

    /** Every name/value pair, in order. */
    public List<Map.Entry<String, String>> entries() {
        return entries;
    }

    /** These headers with {@code edits} applied, in order. */
    public Headers with(List<HeaderEdit> edits) {
        if (edits.isEmpty()) {
            return this;
        }
        List<Map.Entry<String, String>> result = new ArrayList<>(entries);
        for (HeaderEdit edit : edits) {
            if (edit.op() != HeaderEdit.Op.ADD) {
                result.removeIf(e -> e.getKey().equalsIgnoreCase(edit.name()));
            }
            if (edit.op() != HeaderEdit.Op.REMOVE) {
                result.add(new SimpleImmutableEntry<>(edit.name(), edit.value()));
            }
        }
        return new Headers(Collections.unmodifiableList(result));
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
