package dev.ferry.pac.impl;

import dev.ferry.pac.impl.SandboxContextFactory.DeadlineExceeded;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

/**
 * One loaded PAC script, ready to answer {@code FindProxyForURL} from any thread within the time each call is given
 * (the resolver passes its current {@code timeoutMillis}, so a changed setting applies to the script in use).
 *
 * <p>Concurrency: a Rhino scope is not thread-safe, and resolve() is called from many threads. Serializing the
 * calls would let one slow call (a DNS helper may wait {@code dnsTimeoutMillis}) hold up every request; a fresh
 * scope per call would redo the standard objects, the helpers and the script's top level for every URL. So the
 * compiled script is shared (it holds no state) and scopes are pooled: a call borrows an idle scope or makes one,
 * uses it alone, and gives it back only when the script returned normally; a scope whose call threw or was stopped
 * midway may hold half-updated globals and is dropped. The pool holds at most as many scopes as calls ever ran at
 * once. It is not a ThreadLocal so that no caller's thread keeps this bundle's classes alive after the resolver is
 * gone. A script that keeps state in globals therefore has one copy per pooled scope, which PAC scripts (caches at
 * most) do not notice.
 */
final class PacScript {

    static final String ENTRY_POINT = "FindProxyForURL";

    /** Longest excerpt of a bad result quoted in a message. */
    private static final int QUOTED_RESULT_CHARS = 200;

    private final PacRuntime runtime;
    private final String location;
    private final Script script;
    private final Queue<Scriptable> idleScopes = new ConcurrentLinkedQueue<>();

    private PacScript(PacRuntime runtime, String location, Script script) {
        this.runtime = runtime;
        this.location = location;
        this.script = script;
    }

    /**
     * Compiles the script and runs its top level once, so that a script that does not compile, throws, loops or
     * defines no {@code FindProxyForURL} is refused here (and the previous one stays in use).
     *
     * @param timeoutMillis how long the script's top level may run
     */
    static PacScript load(PacRuntime runtime, String location, String source, int timeoutMillis)
            throws PacScriptException {
        Script compiled;
        try {
            compiled = runtime.compile(source, location);
        } catch (EvaluatorException e) {
            throw new PacScriptException("PAC script " + location + " does not compile: " + e.getMessage(), e);
        }
        PacScript pac = new PacScript(runtime, location, compiled);
        try {
            Scriptable scope = runtime.callWithin(timeoutMillis, pac::newScope);
            if (!(ScriptableObject.getProperty(scope, ENTRY_POINT) instanceof Function)) {
                throw new PacScriptException("PAC script " + location + " defines no function " + ENTRY_POINT);
            }
            pac.idleScopes.add(scope);
        } catch (DeadlineExceeded e) {
            throw new PacScriptException("PAC script " + location + " did not finish loading within "
                    + timeoutMillis + " ms", e);
        } catch (RhinoException | StackOverflowError e) {
            throw new PacScriptException("PAC script " + location + " failed while loading: " + reason(e), e);
        }
        return pac;
    }

    String location() {
        return location;
    }

    /**
     * Calls {@code FindProxyForURL(url, host)}, stopping it after {@code timeoutMillis}.
     *
     * @return the script's answer, not yet parsed
     * @throws PacScriptException when the script throws, runs out of time or returns something other than a string
     */
    String findProxyForUrl(PacTarget target, int timeoutMillis) throws PacScriptException {
        Object result;
        try {
            result = runtime.callWithin(timeoutMillis, cx -> call(cx, target));
        } catch (DeadlineExceeded e) {
            throw new PacScriptException("PAC script " + location + " did not return within " + timeoutMillis
                    + " ms for " + target.url(), e);
        } catch (RhinoException | StackOverflowError e) {
            throw new PacScriptException("PAC script " + location + " failed for " + target.url() + ": "
                    + reason(e), e);
        }
        if (!(result instanceof CharSequence)) {
            // Rhino strings are String or, after concatenation, another CharSequence
            throw new PacScriptException("PAC script " + location + " returned " + ScriptRuntime.typeof(result)
                    + " instead of a string for " + target.url());
        }
        return result.toString();
    }

    /**
     * A JavaScript error's message with its source line; a stack overflow comes from recursion through built-ins
     * (such as a map callback calling itself), which the interpreter's call-depth limit does not see.
     */
    private static String reason(Throwable failure) {
        return failure instanceof StackOverflowError ? "recursion too deep (Java stack overflow)"
                : failure.getMessage();
    }

    /** Quotes a result for a message, shortened when long. */
    static String quote(String result) {
        return result.length() <= QUOTED_RESULT_CHARS ? "'" + result + "'"
                : "'" + result.substring(0, QUOTED_RESULT_CHARS) + "...'";
    }

    private Object call(Context cx, PacTarget target) {
        Scriptable scope = idleScopes.poll();
        if (scope == null) {
            scope = newScope(cx);
        }
        Object entryPoint = ScriptableObject.getProperty(scope, ENTRY_POINT);
        if (!(entryPoint instanceof Function)) {
            // the script may have deleted or replaced it in an earlier call; this scope is not given back
            throw ScriptRuntime.typeError(ENTRY_POINT + " is no longer a function");
        }
        Object result = ((Function) entryPoint).call(cx, scope, scope, new Object[] {target.url(), target.host()});
        idleScopes.add(scope);
        return result;
    }

    private Scriptable newScope(Context cx) {
        Scriptable scope = runtime.newGlobalScope(cx);
        script.exec(cx, scope);
        return scope;
    }
}
