package dev.ferry.pac.impl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A PAC script served over http or https, fetched again at every check. The fetch never goes through a proxy (the
 * script is what decides about proxies), follows no redirects, accepts only 200, reads at most
 * {@code maxScriptBytes} and must be complete, body included, within {@code fetchTimeoutMillis}. The body is read
 * as UTF-8, which covers the ASCII PAC scripts are written in.
 */
final class UrlPacSource implements PacSource {

    private final URI url;
    private final int maxScriptBytes;
    private final Duration timeout;
    private final HttpClient client;
    private String lastText;

    UrlPacSource(URI url, int maxScriptBytes, int fetchTimeoutMillis) {
        this.url = url;
        this.maxScriptBytes = maxScriptBytes;
        this.timeout = Duration.ofMillis(fetchTimeoutMillis);
        this.client = HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /** The URL without user info, query or fragment: it appears in logs and in clients' error details. */
    @Override
    public String location() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String readIfChanged() throws IOException {
        String text = fetch();
        if (text.equals(lastText)) {
            return null;
        }
        lastText = text;
        return text;
    }

    private String fetch() throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        // the request timeout ends at the response head; the future's timeout also bounds a body that trickles
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request,
                info -> new LimitedBody(maxScriptBytes));
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new IOException("PAC script " + url + " was not fetched within fetchTimeoutMillis "
                    + timeout.toMillis(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            throw new IOException("cannot fetch PAC script " + url + ": " + reason, cause);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("PAC script " + url + " answered HTTP " + response.statusCode()
                    + "; only 200 is accepted");
        }
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** Collects a response body and gives up (cancelling the stream) as soon as it passes the size limit. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int maxBytes;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (buffer.remaining() > maxBytes - bytes.size()) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("the script is over maxScriptBytes " + maxBytes));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
