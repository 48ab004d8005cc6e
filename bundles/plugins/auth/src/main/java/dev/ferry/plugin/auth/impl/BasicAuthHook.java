package dev.ferry.plugin.auth.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxy authentication with Basic credentials (RFC 7617) checked against a users file of salted PBKDF2 hashes. A
 * request without valid credentials gets {@code 407} with {@code Proxy-Authenticate: Basic realm="...",
 * charset="UTF-8"}; a valid one proceeds with its user set (for the ACL plugin after this one, ranked lower, and the
 * access log) and its {@code Proxy-Authorization} removed, so that the credentials never reach the next hop.
 *
 * <p>Passwords are verified on a small pool of its own, never on the calling I/O thread, and a verified header value
 * is cached, so the other requests of a keep-alive connection cost one SHA-256. An address with too many failures in
 * the window gets {@code 429} without its password being looked at.
 *
 * <p>Only with a configuration: without one there is no authentication (and no default user, ever). A change applies
 * in place: the failures counted and, unless {@code usersFile} changed, the cache stay. A change with a bad value is
 * refused as a whole with one ERROR line naming the setting; at activation a bad value fails the component.
 */
@Component(service = ExchangeHook.class, name = BasicAuthHook.PID, configurationPid = BasicAuthHook.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"service.ranking:Integer=2000", BasicAuthHook.RESTRICTS_CLIENTS + ":Boolean=true"})
@Designate(ocd = BasicAuthHook.Config.class)
public final class BasicAuthHook implements ExchangeHook {

    static final String PID = "dev.ferry.auth";
    /** Tells the engine this hook refuses unknown clients, so that a listener on a public address is not open. */
    static final String RESTRICTS_CLIENTS = "dev.ferry.exchange.restrictsClients";
    static final String PROXY_AUTHORIZATION = "Proxy-Authorization";
    static final int CACHE_ENTRIES = 1_024;
    static final long CACHE_TTL_NANOS = TimeUnit.MINUTES.toNanos(5);

    @ObjectClassDefinition(name = "Ferry plugin: proxy authentication",
            description = "Basic proxy authentication against a file of salted PBKDF2 password hashes")
    public @interface Config {
        @AttributeDefinition(name = "Users file", description = "One user per line, "
                + "name:pbkdf2-sha256:<iterations>:<salt>:<hash>, written by bin/ferry-passwd <user>. A relative "
                + "path is relative to the distribution's folder. Read again when it changes.")
        String usersFile() default "etc/ferry-users";

        @AttributeDefinition(name = "Realm", description = "The realm of the challenge, shown by browsers")
        String realm() default "ferry";

        @AttributeDefinition(name = "Listeners", description = "Names of the listeners whose clients must "
                + "authenticate; empty: every listener", required = false)
        String[] listeners() default {};

        @AttributeDefinition(name = "Failures allowed", description = "Failed attempts an address may make "
                + "within the window; further attempts get 429 until the window has passed")
        int maxFailures() default 5;

        @AttributeDefinition(name = "Failure window (seconds)")
        int failureWindowSeconds() default 60;

        @AttributeDefinition(name = "Verification threads", description = "Threads hashing passwords (about "
                + "0.1 s of CPU each at 210,000 iterations)")
        int verifyThreads() default 2;

        @AttributeDefinition(name = "Ranking", description = "Order among the exchange hooks, highest called "
                + "first; above the ACL plugin's 1000 so that its rules can match on the user")
        int service_ranking() default 2000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthHook.class);

    private final LongSupplier nanoTime;
    private final PasswordHasher hasher;
    private final Path home;
    private final VerifiedCredentials cache;
    private final FailureThrottle throttle;
    private final VerifierPool pool;
    private volatile AuthSettings settings;
    private volatile ReloadingUsers users;

    @Activate
    public BasicAuthHook(Config config) {
        this(config, System::nanoTime, new PasswordHasher(PasswordHasher.DEFAULT_ITERATIONS), home());
    }

    /** With a clock, hasher and home of the test's choosing. */
    BasicAuthHook(Config config, LongSupplier nanoTime, PasswordHasher hasher, Path home) {
        this.nanoTime = nanoTime;
        this.hasher = hasher;
        this.home = home;
        AuthSettings first = AuthSettings.parse(config, home);
        this.users = ReloadingUsers.open(first.usersFile, nanoTime);
        this.settings = first;
        this.cache = new VerifiedCredentials(CACHE_ENTRIES, CACHE_TTL_NANOS, nanoTime);
        this.throttle = new FailureThrottle(first.maxFailures, seconds(first.failureWindowSeconds), nanoTime);
        this.pool = new VerifierPool(first.verifyThreads);
        LOG.info("Proxy authentication: {}; {}", first, users);
        if (users.current().size() == 0) {
            LOG.warn("Proxy authentication: {} has no users yet, every client is refused; add one with"
                    + " bin/ferry-passwd <user>", first.usersFile);
        }
    }

    /** bin/ferry does not change directory; it names the distribution's folder in {@code ferry.home}. */
    private static Path home() {
        String home = System.getProperty("ferry.home");
        return Path.of(home == null || home.isBlank() ? "" : home).toAbsolutePath();
    }

    @Modified
    void modified(Config config) {
        AuthSettings next;
        ReloadingUsers nextUsers = users;
        try {
            next = AuthSettings.parse(config, home);
            if (!next.usersFile.equals(nextUsers.path())) {
                nextUsers = ReloadingUsers.open(next.usersFile, nanoTime);
            }
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; keeping {}", PID, e.getMessage(), settings);
            return;
        }
        if (nextUsers != users) {
            users = nextUsers;
            cache.clear();
        }
        throttle.reconfigure(next.maxFailures, seconds(next.failureWindowSeconds));
        pool.resize(next.verifyThreads);
        settings = next;
        LOG.info("Proxy authentication now: {}; {}", next, nextUsers);
    }

    @Deactivate
    void deactivate() {
        pool.shutdown();
        cache.clear();
    }

    @Override
    public CompletionStage<Verdict> onRequest(ClientRequest request) {
        AuthSettings current = settings;
        if (!current.checks(request.listener())) {
            return CompletableFuture.completedFuture(Verdict.proceed());
        }
        String header = request.headers().get(PROXY_AUTHORIZATION);
        BasicCredentials credentials = BasicCredentials.parse(header);
        if (credentials.kind() == BasicCredentials.Kind.NONE) {
            return CompletableFuture.completedFuture(challenge(current));
        }
        ReloadingUsers file = users;
        String key = VerifiedCredentials.key(header);
        if (!file.checkDue()) {
            String user = cache.user(key, file.current());
            if (user != null) {
                credentials.wipe();
                return CompletableFuture.completedFuture(success(user));
            }
        }
        String address = address(request);
        if (throttle.blocked(address)) {
            credentials.wipe();
            return CompletableFuture.completedFuture(Verdict.deny(429, ProxyErrorType.HTTP_REQUEST_DENIED,
                    "too many failed authentication attempts from " + address + "; retry later"));
        }
        if (credentials.kind() == BasicCredentials.Kind.MALFORMED) {
            return CompletableFuture.completedFuture(failure(current, request, address,
                    "malformed Basic credentials"));
        }
        boolean check = file.claimCheck();
        try {
            return pool.submit(() -> verify(file, check, key, credentials))
                    .thenApply(user -> user != null ? success(user) : failure(current, request, address,
                            "wrong user name or password for user '" + PasswordHash.printable(credentials.user())
                                    + "'"));
        } catch (RejectedExecutionException e) {
            credentials.wipe();
            LOG.warn("Proxy authentication: more requests to verify than the {} thread(s) keep up with; refusing"
                    + " the one from {}", pool.threads(), address);
            return CompletableFuture.completedFuture(Verdict.deny(503, ProxyErrorType.HTTP_REQUEST_DENIED,
                    "too many authentications in progress; retry later"));
        }
    }

    /** On the pool: the user {@code credentials} prove, or null. Never caches a failure. */
    private String verify(ReloadingUsers file, boolean check, String key, BasicCredentials credentials) {
        try {
            if (check && file.reloadIfChanged()) {
                cache.clear();
            }
            UsersFile current = file.current();
            String cached = cache.user(key, current);
            if (cached != null) {
                return cached;
            }
            PasswordHash stored = current.passwordOf(credentials.user());
            if (stored == null) {
                hasher.verifyUnknownUser(credentials.password(), current.typicalIterations());
                return null;
            }
            if (!hasher.verify(credentials.password(), stored)) {
                return null;
            }
            cache.put(key, credentials.user(), current);
            return credentials.user();
        } finally {
            credentials.wipe();
        }
    }

    private static Verdict success(String user) {
        return Verdict.proceed().withUser(user).with(HeaderEdit.remove(PROXY_AUTHORIZATION));
    }

    private static Verdict challenge(AuthSettings settings) {
        return Verdict.challenge("proxy authentication required", settings.challenge());
    }

    /** Counts the failure, logs it (one line, never the password), and challenges again. */
    private Verdict failure(AuthSettings current, ClientRequest request, String address, String what) {
        boolean nowBlocked = throttle.recordFailure(address);
        LOG.info("Proxy authentication failed from {} on listener {}: {}{}", address, request.listener(), what,
                nowBlocked ? "; " + current.maxFailures + " failures in " + current.failureWindowSeconds
                        + " s, further attempts from this address get 429 until the window has passed" : "");
        return challenge(current);
    }

    private static String address(ClientRequest request) {
        InetAddress address = request.client().getAddress();
        return address != null ? address.getHostAddress() : request.client().getHostString();
    }

    private static long seconds(int seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }

    /** The current settings (tests). */
    AuthSettings settings() {
        return settings;
    }
}
