package dev.ferry.pac.impl;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;

/**
 * Makes the Rhino contexts PAC scripts run in: interpreted (no generated classes, which matters inside OSGi and is
 * what makes the instruction observer work), no access to any Java class, a bounded JavaScript call depth, and a
 * deadline per call that {@link #observeInstructionCount} enforces.
 *
 * <p>This factory is private to the resolver; the process-wide {@link ContextFactory#getGlobal()} is left alone so
 * that other Rhino users in the framework keep their own settings.
 */
final class SandboxContextFactory extends ContextFactory {

    /** How often (in interpreter instructions) the deadline is checked: a few microseconds of work at most. */
    static final int INSTRUCTIONS_PER_DEADLINE_CHECK = 10_000;

    /** Nested JavaScript calls allowed; PAC scripts barely recurse, a runaway recursion fails fast instead. */
    static final int MAX_CALL_DEPTH = 1_000;

    /**
     * Thrown from the instruction observer when a call runs past its deadline. An {@link Error}, because Rhino's
     * interpreter lets JavaScript {@code catch} and {@code finally} see only exceptions (without
     * FEATURE_ENHANCED_JAVA_ACCESS), so a script cannot swallow its own time-out. No stack trace: it is expected.
     */
    static final class DeadlineExceeded extends Error {
        private static final long serialVersionUID = 1L;

        DeadlineExceeded() {
            super("deadline passed", null, false, false);
        }
    }

    /** A context that knows the deadline of the call it is running. */
    static final class SandboxContext extends Context {
        private long deadlineNanos;

        SandboxContext(ContextFactory factory) {
            super(factory);
        }

        /** Milliseconds left before the deadline, never negative. */
        long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        }

        void checkDeadline() {
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new DeadlineExceeded();
            }
        }
    }

    @Override
    protected Context makeContext() {
        SandboxContext cx = new SandboxContext(this);
        cx.setLanguageVersion(Context.VERSION_ES6);
        cx.setOptimizationLevel(-1);
        cx.setMaximumInterpreterStackDepth(MAX_CALL_DEPTH);
        cx.setClassShutter(fullClassName -> false);
        cx.setInstructionObserverThreshold(INSTRUCTIONS_PER_DEADLINE_CHECK);
        return cx;
    }

    @Override
    protected boolean hasFeature(Context cx, int featureIndex) {
        switch (featureIndex) {
            case Context.FEATURE_E4X:
                // E4X would bring an XML parser into the sandbox; PAC scripts never use it
                return false;
            case Context.FEATURE_ENHANCED_JAVA_ACCESS:
                // off: Java exceptions and errors stay out of JavaScript catch blocks (the deadline is doubly safe:
                // Rhino also ends a script outright when the observer throws while it handles an exception)
                return false;
            default:
                return super.hasFeature(cx, featureIndex);
        }
    }

    @Override
    protected void observeInstructionCount(Context cx, int instructionCount) {
        ((SandboxContext) cx).checkDeadline();
    }

    /**
     * Runs {@code action} in a sandbox context on this thread, stopped by {@link DeadlineExceeded} once
     * {@code timeoutMillis} have passed (checked while JavaScript runs; host functions bound their own waits with
     * {@link SandboxContext#remainingMillis()}).
     */
    <T> T callWithin(long timeoutMillis, Function<SandboxContext, T> action) {
        try (Context entered = enterContext()) {
            if (!(entered instanceof SandboxContext)) {
                // Rhino reuses a context already entered on this thread, whatever its factory
                throw new IllegalStateException("this thread already runs a Rhino context of another factory");
            }
            SandboxContext cx = (SandboxContext) entered;
            long previous = cx.deadlineNanos;
            cx.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            try {
                return action.apply(cx);
            } finally {
                cx.deadlineNanos = previous;
            }
        }
    }
}
