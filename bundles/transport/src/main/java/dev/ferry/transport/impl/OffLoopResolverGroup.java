package dev.ferry.transport.impl;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Resolves host names with the JDK resolver (which honours /etc/hosts and the system's configuration) on a separate
 * thread pool: Netty's default resolver would block the event loop that asked.
 */
final class OffLoopResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final Executor lookups;

    OffLoopResolverGroup(Executor lookups) {
        this.lookups = lookups;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new OffLoopNameResolver(executor, lookups).asAddressResolver();
    }

    private static final class OffLoopNameResolver extends InetNameResolver {

        private final Executor lookups;

        OffLoopNameResolver(EventExecutor executor, Executor lookups) {
            super(executor);
            this.lookups = lookups;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.trySuccess(literal);
                return;
            }
            submit(promise, () -> {
                InetAddress[] all = InetAddress.getAllByName(host);
                return all[0];
            });
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            InetAddress literal = literal(host);
            if (literal != null) {
                promise.trySuccess(List.of(literal));
                return;
            }
            submit(promise, () -> Arrays.asList(InetAddress.getAllByName(host)));
        }

        /**
         * An IP literal's address, at once: there is nothing to look up, and the trip to the lookup pool and back
         * (two thread hand-offs) cost more than the rest of a connect. Null for a name.
         */
        private static InetAddress literal(String host) {
            byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
            if (address == null) {
                return null;
            }
            try {
                return InetAddress.getByAddress(host, address);
            } catch (UnknownHostException e) {
                return null; // (only for a length other than 4 or 16, which NetUtil does not return)
            }
        }

        private <T> void submit(Promise<T> promise, Lookup<T> lookup) {
            try {
                lookups.execute(() -> {
                    try {
                        promise.trySuccess(lookup.run());
                    } catch (Exception e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                promise.tryFailure(e);
            }
        }
    }

    @FunctionalInterface
    private interface Lookup<T> {
        T run() throws Exception;
    }
}
