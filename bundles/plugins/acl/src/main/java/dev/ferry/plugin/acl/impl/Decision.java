package dev.ferry.plugin.acl.impl;

import dev.ferry.api.exchange.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the access policy decided for a request: proceed, deny (with the answer and, for the log, what denied it), or
 * that it cannot say before the destination's name is resolved. Answers are completed stages, made once where they
 * can be (proceed, and each rule's denial) rather than for every request on the I/O thread.
 */
final class Decision {

    /** A completed stage no caller can complete again or obtrude a value on. */
    private static final CompletionStage<Verdict> PROCEED_ANSWER = CompletableFuture.completedStage(Verdict.proceed());

    static final Decision PROCEED = new Decision(PROCEED_ANSWER, null);
    static final Decision NEEDS_LOOKUP = new Decision(null, null);

    private final CompletionStage<Verdict> answer;
    private final String deniedBy;

    private Decision(CompletionStage<Verdict> answer, String deniedBy) {
        this.answer = answer;
        this.deniedBy = deniedBy;
    }

    /** @param deniedBy the rule or setting that denied, as the log names it */
    static Decision deny(Verdict verdict, String deniedBy) {
        return new Decision(CompletableFuture.completedStage(verdict), deniedBy);
    }

    boolean denies() {
        return deniedBy != null;
    }

    /** The rule or setting that denied; null unless {@link #denies()}. */
    String deniedBy() {
        return deniedBy;
    }

    /** The answer for the engine; null for {@link #NEEDS_LOOKUP}. */
    CompletionStage<Verdict> answer() {
        return answer;
    }

    /** The verdict of a decided request. */
    Verdict verdict() {
        return answer.toCompletableFuture().join();
    }

    @Override
    public String toString() {
        return this == NEEDS_LOOKUP ? "needs the destination's addresses" : verdict().toString();
    }
}
