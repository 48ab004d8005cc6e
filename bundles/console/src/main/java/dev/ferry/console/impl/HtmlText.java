package dev.ferry.console.impl;

/**
 * Escapes a value for HTML text and quoted attribute values. Besides the five HTML specials it escapes {@code $} and
 * {@code \}: the Web Console passes an HTML page through a filter that replaces {@code ${name}} with its variables
 * and drops a backslash before {@code $}, so a value such as {@code ${brand.name}} must reach the browser as text,
 * and an unclosed {@code ${} must not swallow the rest of the page.
 */
final class HtmlText {

    private HtmlText() {
    }

    static StringBuilder append(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&': out.append("&amp;"); break;
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&#39;"); break;
                case '$': out.append("&#36;"); break;
                case '\\': out.append("&#92;"); break;
                default:
                    // Other control characters are not allowed in HTML text; show that something was there.
                    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                        out.append("&#xfffd;");
                    } else {
                        out.append(c);
                    }
            }
        }
        return out;
    }

    static String escape(String text) {
        return append(new StringBuilder(text.length() + 16), text).toString();
    }
}
