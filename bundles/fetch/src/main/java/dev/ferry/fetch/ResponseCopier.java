package dev.ferry.fetch;

import dev.ferry.api.proxy.ProxyErrorType;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Takes the events {@link ResponseRelay} queues and writes the body as it arrives, on the calling (main) thread; asks
 * the channel for its next read only when everything read so far is written. Interim (1xx) responses are shown with
 * -v and skipped. Every content buffer it takes is released here, once.
 */
final class ResponseCopier {

    private final Channel channel;
    private final BlockingQueue<ResponseEvent> events;
    private final Deadline deadline;
    private final BodyOutput output;
    private final VerboseTrace trace;

    /** @param trace the -v output, or null */
    ResponseCopier(Channel channel, BlockingQueue<ResponseEvent> events, Deadline deadline, BodyOutput output,
            VerboseTrace trace) {
        this.channel = channel;
        this.events = events;
        this.deadline = deadline;
        this.output = output;
        this.trace = trace;
    }

    /** Returns once the last byte of the final response is written and flushed. */
    void copy() throws FetchFailure, InterruptedException {
        boolean finalHead = false;
        boolean interim = false;
        while (true) {
            ResponseEvent event = next(finalHead);
            switch (event.kind()) {
                case HEAD:
                    HttpResponse head = event.head();
                    if (head.decoderResult().isFailure()) {
                        throw FetchFailure.exchangeFailed(head.decoderResult().cause());
                    }
                    if (trace != null) {
                        trace.response(head);
                    }
                    interim = head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                    if (!interim) {
                        finalHead = true;
                        open();
                    }
                    break;
                case CONTENT:
                    if (write(event.content(), interim)) {
                        if (!interim) {
                            flush();
                            return;
                        }
                        interim = false;
                    }
                    break;
                case READ_COMPLETE:
                    flush();
                    channel.read();
                    break;
                case CLOSED:
                    throw FetchFailure.of(ProxyErrorType.HTTP_RESPONSE_INCOMPLETE, finalHead
                            ? "connection closed before the end of the response body"
                            : "connection closed before a response", null);
                case FAILURE:
                    throw FetchFailure.exchangeFailed(event.failure());
                default:
                    throw new IllegalStateException("unknown response event " + event.kind());
            }
        }
    }

    private ResponseEvent next(boolean finalHead) throws FetchFailure, InterruptedException {
        ResponseEvent event = events.poll(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
        if (event == null) {
            throw deadline.expired(finalHead ? "while receiving the body" : "while waiting for the response");
        }
        return event;
    }

    /** Writes and releases one piece of the body; true when it was the last piece of its message. */
    private boolean write(HttpContent content, boolean interim) throws FetchFailure {
        try {
            if (content.decoderResult().isFailure()) {
                throw FetchFailure.exchangeFailed(content.decoderResult().cause());
            }
            if (!interim && content.content().isReadable()) {
                output.write(content.content());
            }
            return content instanceof LastHttpContent;
        } catch (IOException e) {
            throw FetchFailure.output(output.describe(), e);
        } finally {
            content.release();
        }
    }

    private void open() throws FetchFailure {
        try {
            output.open();
        } catch (IOException e) {
            throw FetchFailure.output(output.describe(), e);
        }
    }

    private void flush() throws FetchFailure {
        try {
            output.flush();
        } catch (IOException e) {
            throw FetchFailure.output(output.describe(), e);
        }
    }
}
