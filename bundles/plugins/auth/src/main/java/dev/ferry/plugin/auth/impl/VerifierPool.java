package dev.ferry.plugin.auth.impl;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The threads that verify passwords, off the proxy's I/O threads. The queue is bounded: a flood of attempts (from
 * more addresses than the failure throttle holds back) is refused at once rather than piling up work that would only
 * time out.
 */
final class VerifierPool {

    /** Queued verifications per thread: at 0.1 s each, a few seconds of work. */
    static final int QUEUE_PER_THREAD = 32;

    private static final AtomicInteger POOLS = new AtomicInteger();

    /** One verification and the stage it completes. */
    private static final class Task<T> implements Runnable {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final Supplier<T> work;

        Task(Supplier<T> work) {
            this.work = work;
        }

        @Override
        public void run() {
            try {
                result.complete(work.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }
    }

    private final ThreadPoolExecutor executor;
    private volatile int threads;

    VerifierPool(int threads) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "ferry-auth-verify-" + pool + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        // Sized for the largest pool; submit() holds the queue to the current size's share.
        executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_PER_THREAD * AuthSettings.VERIFY_THREADS_LIMIT), factory);
        // an idle proxy keeps no verification threads
        executor.allowCoreThreadTimeOut(true);
        this.threads = threads;
    }

    /**
     * Runs {@code work} on a pool thread.
     *
     * @throws RejectedExecutionException when the queue is full or the pool shut down
     */
    <T> CompletableFuture<T> submit(Supplier<T> work) {
        if (executor.getQueue().size() >= QUEUE_PER_THREAD * threads) {
            throw new RejectedExecutionException("verification queue full");
        }
        Task<T> task = new Task<>(work);
        executor.execute(task);
        return task.result;
    }

    /** Changes the number of threads in place; queued work stays. */
    synchronized void resize(int newThreads) {
        if (newThreads > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(newThreads);
            executor.setCorePoolSize(newThreads);
        } else {
            executor.setCorePoolSize(newThreads);
            executor.setMaximumPoolSize(newThreads);
        }
        threads = newThreads;
    }

    int threads() {
        return threads;
    }

    /** Stops the threads; queued verifications fail at once rather than when the engine stops waiting. */
    void shutdown() {
        for (Runnable queued : executor.shutdownNow()) {
            ((Task<?>) queued).result.completeExceptionally(
                    new IllegalStateException("proxy authentication stopped before the password was verified"));
        }
    }

    /** Waits for the threads to end (tests). */
    boolean awaitTermination(long millis) throws InterruptedException {
        return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
}
