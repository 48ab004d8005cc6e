package dev.ferry.pac.impl;

import dev.ferry.pac.impl.SandboxContextFactory.SandboxContext;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.mozilla.javascript.Callable;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PAC helpers that need the world outside the sandbox, written in Java: {@code dnsResolve},
 * {@code myIpAddress}, {@code alert}, and the clock behind the date and time helpers. Everything else is JavaScript
 * in {@code pac-helpers.js}.
 */
final class PacHostFunctions {

    /**
     * Name under which the clock is handed to {@code pac-helpers.js}, which captures it and deletes the global, so
     * PAC scripts never see it.
     */
    static final String CLOCK_FUNCTION = "__ferryNow";

    private static final Logger LOG = LoggerFactory.getLogger(PacHostFunctions.class);

    private final DnsLookups dns;
    private final Clock clock;

    PacHostFunctions(DnsLookups dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    /** Defines the host functions as globals of {@code scope}, before the JavaScript helpers run in it. */
    void defineIn(ScriptableObject scope) {
        define(scope, "dnsResolve", 1, (cx, s, thisObj, args) ->
                dns.resolveIpv4(argument(args, 0), ((SandboxContext) cx).remainingMillis()));
        define(scope, "myIpAddress", 0, (cx, s, thisObj, args) -> dns.myIpAddress());
        define(scope, "alert", 1, (cx, s, thisObj, args) -> {
            LOG.info("PAC alert: {}", argument(args, 0));
            return Undefined.instance;
        });
        define(scope, CLOCK_FUNCTION, 1, (cx, s, thisObj, args) -> now(cx, scope,
                args.length > 0 && Context.toBoolean(args[0])));
    }

    /**
     * The current date and time as {@code [year, month 0-11, day 1-31, weekday 0-6 from Sunday, hour, minute,
     * second]}, in the clock's zone or in GMT.
     */
    private Object now(Context cx, ScriptableObject scope, boolean gmt) {
        ZonedDateTime t = ZonedDateTime.ofInstant(clock.instant(), gmt ? ZoneOffset.UTC : clock.getZone());
        return cx.newArray(scope, new Object[] {
            t.getYear(), t.getMonthValue() - 1, t.getDayOfMonth(), t.getDayOfWeek().getValue() % 7,
            t.getHour(), t.getMinute(), t.getSecond()
        });
    }

    private static String argument(Object[] args, int index) {
        return index < args.length ? Context.toString(args[index]) : "undefined";
    }

    private static void define(ScriptableObject scope, String name, int arity, Callable body) {
        // DONTENUM like built-ins; deletable and writable, as a PAC script may define its own version
        scope.defineProperty(name, new LambdaFunction(scope, name, arity, body), ScriptableObject.DONTENUM);
    }
}
