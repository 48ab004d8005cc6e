package dev.ferry.spdy.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Completes the futures the application sees on a client thread, never on the event loop, so that whatever the
 * application chains onto them may block.
 */
final class Completions {

    private final Executor executor;

    Completions(Executor executor) {
        this.executor = executor;
    }

    <T> void complete(CompletableFuture<T> future, T value) {
        run(() -> future.complete(value));
    }

    <T> void fail(CompletableFuture<T> future, Throwable cause) {
        run(() -> future.completeExceptionally(cause));
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // The client is closing: complete here rather than never.
            task.run();
        }
    }
}
