package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ExchangeSummary;
import java.util.Locale;

/**
 * The formats a log can be written in, by their {@code format} setting. Each turns one summary into one line
 * (without the line end); formatting is cheap and allocation-light, since it runs on the proxy's I/O thread.
 */
enum LineFormat {

    /** Squid's native {@code logformat squid}, for Squid's log tools (SARG, Calamaris, ...). */
    SQUID("squid") {
        @Override
        String line(ExchangeSummary summary, String contentType) {
            return SquidLine.format(summary, contentType);
        }
    },
    /** NCSA Common Log Format, as Apache's {@code common}. */
    COMMON("common") {
        @Override
        String line(ExchangeSummary summary, String contentType) {
            return NcsaLine.common(summary);
        }
    },
    /** NCSA Combined: Common with the Referer and User-Agent, as Apache's {@code combined}. */
    COMBINED("combined") {
        @Override
        String line(ExchangeSummary summary, String contentType) {
            return NcsaLine.combined(summary);
        }
    },
    /** One JSON object per line, for log shippers (Filebeat, Fluent Bit, Vector, ...). */
    JSON("json") {
        @Override
        String line(ExchangeSummary summary, String contentType) {
            return JsonLine.format(summary);
        }
    };

    /** The allowed values of {@code format}, for error messages and the example configuration. */
    static final String ALLOWED = "squid, common, combined, json";

    private final String setting;

    LineFormat(String setting) {
        this.setting = setting;
    }

    /**
     * @param contentType the response's Content-Type, or null when unknown; only Squid's format has a field for it
     */
    abstract String line(ExchangeSummary summary, String contentType);

    /** Whether lines of this format show the response's Content-Type, so that it is worth recording. */
    boolean needsContentType() {
        return this == SQUID;
    }

    /** The value of the {@code format} setting naming this format. */
    String setting() {
        return setting;
    }

    /**
     * @throws IllegalArgumentException naming the setting and the allowed values, when {@code value} is none of them
     */
    static LineFormat parse(String value) {
        String wanted = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (LineFormat format : values()) {
            if (format.setting.equals(wanted)) {
                return format;
            }
        }
        throw new IllegalArgumentException("format " + (value == null || value.isBlank() ? "is not set"
                : "'" + value + "' is not known") + "; it must be one of " + ALLOWED);
    }

    @Override
    public String toString() {
        return setting;
    }
}
