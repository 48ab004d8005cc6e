package dev.ferry.pac.impl;

import dev.ferry.pac.impl.SandboxContextFactory.SandboxContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Function;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.ScriptableObject;

/**
 * What every PAC script of one resolver runs on: the sandbox, the host functions and the JavaScript helpers
 * ({@code pac-helpers.js}, compiled once). Compiled scripts hold no state and are shared by all threads; scopes are
 * not, see {@link PacScript}.
 */
final class PacRuntime {

    private static final String HELPERS = "pac-helpers.js";

    private final SandboxContextFactory sandbox = new SandboxContextFactory();
    private final PacHostFunctions hostFunctions;
    private final Script helpers;

    PacRuntime(DnsLookups dns, Clock clock) {
        this.hostFunctions = new PacHostFunctions(dns, clock);
        this.helpers = compile(readHelpers(), "ferry:" + HELPERS);
    }

    /**
     * Compiles JavaScript for the interpreter.
     *
     * @throws org.mozilla.javascript.EvaluatorException on a syntax error
     */
    Script compile(String source, String sourceName) {
        return sandbox.call(cx -> cx.compileString(source, sourceName, 1, null));
    }

    /** Runs {@code action} in a sandbox context that is stopped once {@code timeoutMillis} have passed. */
    <T> T callWithin(long timeoutMillis, Function<SandboxContext, T> action) {
        return sandbox.callWithin(timeoutMillis, action);
    }

    /**
     * A new global scope for a PAC script: the safe standard objects (no {@code Packages}, {@code java},
     * {@code JavaAdapter}), the host functions and the JavaScript helpers. Runs in the caller's sandbox context.
     */
    ScriptableObject newGlobalScope(Context cx) {
        ScriptableObject scope = cx.initSafeStandardObjects();
        hostFunctions.defineIn(scope);
        helpers.exec(cx, scope);
        return scope;
    }

    private static String readHelpers() {
        try (InputStream in = PacRuntime.class.getResourceAsStream(HELPERS)) {
            if (in == null) {
                throw new IllegalStateException(HELPERS + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + HELPERS, e);
        }
    }
}
