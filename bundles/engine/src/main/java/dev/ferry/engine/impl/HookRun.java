package dev.ferry.engine.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the hooks of one exchange's chain about its request, one after the other on the exchange's event loop, each
 * with the request as the one before left it. Ends at the first denial or challenge, at the first hook that fails
 * (throws, completes exceptionally, answers nothing, or not within the timeout: a 500 naming it), or with the request
 * as the last hook left it. A hook that answers at once costs no thread hop and no timer.
 */
final class HookRun {

    /** What the chain decided. */
    static final class Outcome {
        /** The request with every hook's edits, user and target applied. */
        final ClientRequest request;
        /** A DENY or CHALLENGE, or null. */
        final Verdict refusal;
        /** The hook that refused, or null. */
        final String refusedBy;
        /** A hook that failed, as the error the client gets, or null. */
        final ProxyError failure;

        private Outcome(ClientRequest request, Verdict refusal, String refusedBy, ProxyError failure) {
            this.request = request;
            this.refusal = refusal;
            this.refusedBy = refusedBy;
            this.failure = failure;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(HookRun.class);

    private final List<ExchangeHooks.Ranked> chain;
    private final EventExecutor loop;
    private final long timeoutMillis;
    private final Promise<Outcome> result;

    private HookRun(List<ExchangeHooks.Ranked> chain, EventExecutor loop, long timeoutMillis) {
        this.chain = chain;
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
        this.result = loop.newPromise();
    }

    /** Runs {@code chain} for {@code request}; call on {@code loop}. Cancelling the result ignores later answers. */
    static Future<Outcome> start(List<ExchangeHooks.Ranked> chain, ClientRequest request, EventExecutor loop,
            long timeoutMillis) {
        HookRun run = new HookRun(chain, loop, timeoutMillis);
        run.ask(0, request);
        return run.result;
    }

    private void ask(int index, ClientRequest request) {
        if (index == chain.size()) {
            result.trySuccess(new Outcome(request, null, null, null));
            return;
        }
        ExchangeHooks.Ranked hook = chain.get(index);
        CompletableFuture<Verdict> answer;
        try {
            CompletionStage<Verdict> stage = hook.hook.onRequest(request);
            if (stage == null) {
                fail(hook, "returned no answer", null);
                return;
            }
            answer = stage.toCompletableFuture();
        } catch (RuntimeException | LinkageError e) {
            fail(hook, "failed: " + e, e);
            return;
        }
        if (answer.isDone()) {
            answered(index, request, answer);
            return;
        }
        ScheduledFuture<?> deadline = loop.schedule(() -> fail(hook, "did not answer within " + timeoutMillis + " ms",
                null), timeoutMillis, TimeUnit.MILLISECONDS);
        answer.whenComplete((v, e) -> loop.execute(() -> {
            deadline.cancel(false);
            if (!result.isDone()) {
                answered(index, request, answer);
            }
        }));
    }

    private void answered(int index, ClientRequest request, CompletableFuture<Verdict> answer) {
        ExchangeHooks.Ranked hook = chain.get(index);
        Verdict verdict;
        try {
            verdict = answer.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            fail(hook, "failed: " + cause, cause);
            return;
        }
        if (verdict == null) {
            fail(hook, "answered null", null);
            return;
        }
        if (verdict.kind() != Verdict.Kind.PROCEED) {
            result.trySuccess(new Outcome(request, verdict, hook.name, null));
            return;
        }
        ClientRequest next;
        try {
            next = applied(request, verdict);
        } catch (IllegalArgumentException e) {
            fail(hook, "set an unusable target: " + e.getMessage(), null);
            return;
        }
        ask(index + 1, next);
    }

    /** {@code request} with a PROCEED verdict's header edits, target and user. */
    static ClientRequest applied(ClientRequest request, Verdict verdict) {
        if (verdict.headerEdits().isEmpty() && verdict.target() == null && verdict.user() == null) {
            return request;
        }
        ClientRequest.Builder b = request.toBuilder().headers(request.headers().with(verdict.headerEdits()));
        if (verdict.target() != null) {
            HostAndPort destination = request.isConnect() ? RequestTarget.authority(verdict.target()).destination()
                    : RequestTarget.absolute(verdict.target()).destination();
            b.target(verdict.target(), destination.host(), destination.port());
        }
        if (verdict.user() != null) {
            b.user(verdict.user());
        }
        return b.build();
    }

    private void fail(ExchangeHooks.Ranked hook, String what, Throwable cause) {
        if (result.isDone()) {
            return;
        }
        String details = "plugin " + hook.name + " " + what;
        if (cause != null) {
            LOG.warn(details, cause);
        } else {
            LOG.warn(details);
        }
        result.trySuccess(new Outcome(null, null, null, new ProxyError(ProxyErrorType.PROXY_INTERNAL_ERROR,
                details)));
    }
}
