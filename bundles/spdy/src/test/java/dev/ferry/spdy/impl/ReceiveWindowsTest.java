package dev.ferry.spdy.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.spdy.impl.ReceiveWindows.Admission;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** The receive accounting of one session: every byte counted once, given back once, in half-window batches. */
public class ReceiveWindowsTest {

    private static final int STREAM = 64 * 1024;
    private static final int SESSION = 1024 * 1024;

    private final List<String> updates = new ArrayList<>();
    private final ReceiveWindows windows = new ReceiveWindows(STREAM, SESSION,
            (id, delta) -> updates.add(id + "+" + delta));

    @Test
    public void aLargerSessionWindowIsGrantedAtTheStart() {
        windows.open();
        assertEquals(List.of("0+" + (SESSION - 65536)), updates);
    }

    @Test
    public void dataWithinBothWindowsIsAcceptedAndPassedOnDataIsGivenBackInHalfWindowBatches() {
        windows.open();
        updates.clear();
        ReceiveWindows.Stream stream = windows.newStream(1);
        assertEquals(Admission.ACCEPTED, windows.admit(stream, STREAM));
        windows.passedOn(stream, STREAM / 2 - 1, true);
        assertEquals("less than half a window: nothing yet", List.of(), updates);
        windows.passedOn(stream, 1, true);
        assertEquals(List.of("1+" + STREAM / 2), updates);
        assertEquals("the stream window has room again", Admission.ACCEPTED, windows.admit(stream, STREAM / 2));
    }

    @Test
    public void aStreamOverrunIsDroppedAndItsBytesGoBackToTheSession() {
        windows.open();
        updates.clear();
        ReceiveWindows.Stream stream = windows.newStream(1);
        assertEquals(Admission.ACCEPTED, windows.admit(stream, STREAM - 10));
        assertEquals(Admission.STREAM_OVERRUN, windows.admit(stream, 11));
        // The 11 overrunning bytes count towards the session's next batch: 11 short of half a window.
        windows.dropped(SESSION / 2 - 12);
        assertEquals(List.of(), updates);
        windows.dropped(1);
        assertEquals(List.of("0+" + SESSION / 2), updates);
    }

    @Test
    public void theSessionWindowIsAHardLimit() {
        assertEquals(Admission.ACCEPTED, windows.admit(windows.newStream(1), 65536));
        assertEquals(Admission.SESSION_OVERRUN, windows.admit(windows.newStream(3), 1));
        assertEquals(1, windows.sessionOverrun(1));
    }

    @Test
    public void droppedBytesOfCancelledStreamsKeepTheSessionWindowOpenForever() {
        windows.open();
        long moved = 0;
        for (int id = 1; id < 2000; id += 2) {
            ReceiveWindows.Stream stream = windows.newStream(id);
            assertEquals("stream " + id, Admission.ACCEPTED, windows.admit(stream, 32 * 1024));
            windows.dropped(32 * 1024);
            moved += 32 * 1024;
        }
        assertEquals(1000L * 32 * 1024, moved);
        long sessionCredits = updates.stream().filter(u -> u.startsWith("0+")).skip(1)
                .mapToLong(u -> Long.parseLong(u.substring(2))).sum();
        assertEquals("every dropped byte given back, but for less than half a window", moved,
                sessionCredits + moved % (SESSION / 2));
    }

    @Test
    public void afterTheClientsFinOnlyTheSessionGetsCredit() {
        windows.open();
        updates.clear();
        ReceiveWindows.Stream stream = windows.newStream(1);
        windows.admit(stream, STREAM);
        windows.passedOn(stream, STREAM, false);
        assertEquals(List.of(), updates);
        windows.passedOn(windows.newStream(3), SESSION / 2 - STREAM, false);
        assertEquals(List.of("0+" + SESSION / 2), updates);
    }
}
