package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * User names and passwords for upstream proxies, from {@code proxyCredentials} entries {@code host:port=user:password}
 * (IPv6 as {@code [::1]:3128}). Passwords never appear in messages, logs or {@code toString()}.
 */
final class ProxyCredentials {

    /** One proxy's user and password. */
    static final class Login {
        final String user;
        private final String password;
        /** Encoded once: forwarded requests through the proxy carry it on every request. */
        private final String basicAuthorization;

        Login(String user, String password) {
            this.user = user;
            this.password = password;
            byte[] token = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
            this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(token);
        }

        /** The value of a {@code Proxy-Authorization} header for Basic authentication. */
        String basicAuthorization() {
            return basicAuthorization;
        }

        String password() {
            return password;
        }

        @Override
        public String toString() {
            return "user '" + user + "'";
        }
    }

    private final Map<HostAndPort, Login> logins;

    private ProxyCredentials(Map<HostAndPort, Login> logins) {
        this.logins = logins;
    }

    static ProxyCredentials parse(String[] entries) {
        Map<HostAndPort, Login> logins = new HashMap<>();
        for (int i = 0; entries != null && i < entries.length; i++) {
            String entry = entries[i].trim();
            if (entry.isEmpty()) {
                continue;
            }
            // The index names the bad entry without quoting it: it may hold a password.
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("dev.ferry.pool proxyCredentials entry " + (i + 1)
                        + " is not host:port=user:password (no '=')");
            }
            HostAndPort proxy;
            try {
                proxy = HostAndPort.parse(entry.substring(0, eq).trim(), -1);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dev.ferry.pool proxyCredentials entry " + (i + 1)
                        + " has a bad proxy host:port '" + entry.substring(0, eq).trim() + "': " + e.getMessage(), e);
            }
            String userPassword = entry.substring(eq + 1);
            int colon = userPassword.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("dev.ferry.pool proxyCredentials entry " + (i + 1) + " for "
                        + proxy + " needs user:password after '='");
            }
            if (logins.put(proxy, new Login(userPassword.substring(0, colon), userPassword.substring(colon + 1)))
                    != null) {
                throw new IllegalArgumentException("dev.ferry.pool proxyCredentials has two entries for " + proxy);
            }
        }
        return new ProxyCredentials(Map.copyOf(logins));
    }

    /** The login for {@code proxy}, or null (always null for DIRECT). */
    Login find(ProxyServer proxy) {
        return proxy.isDirect() ? null : logins.get(HostAndPort.of(proxy.host(), proxy.port()));
    }

    int size() {
        return logins.size();
    }

    @Override
    public String toString() {
        return "credentials for " + logins.keySet();
    }
}
