package dev.ferry.launcher;

import sun.misc.Signal;

/**
 * Starts Felix exactly as its own launcher does, with one difference: SIGTERM (what a service manager sends, and
 * {@code kill}) is a graceful stop that ends with exit status 0.
 *
 * <p>Without this the JVM still runs Felix's shutdown hook on SIGTERM (the framework stops, and Ferry holds that stop
 * until its connections have drained), but then exits with 143, the status of a process killed by a signal, which a
 * service manager reports as a failure. Here the signal becomes {@code System.exit(0)}: the same shutdown hooks run,
 * then the process ends with 0. SIGINT (Ctrl-C) keeps the JVM's own handling: the same graceful stop, status 130.
 */
public final class FerryMain {

    private FerryMain() {
    }

    public static void main(String[] args) throws Exception {
        // System.exit runs the shutdown hooks (Felix's stops the framework and waits for it) and blocks this
        // signal's thread meanwhile; a second SIGTERM during the stop changes nothing.
        Signal.handle(new Signal("TERM"), signal -> System.exit(0));
        org.apache.felix.main.Main.main(args);
    }
}
