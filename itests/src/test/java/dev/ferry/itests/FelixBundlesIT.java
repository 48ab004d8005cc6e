package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.codec.ProtocolNegotiator;
import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.spi.Transport;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.UpstreamConnector;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.jar.JarFile;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Felix with exactly the bundles of the distribution's {@code bundle/} folder: the services are wired, a listener
 * follows its factory configuration, and stopping the HTTP/1 codec bundle takes the listeners down until it starts
 * again.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FelixBundlesIT {

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        File bundles = new File(System.getProperty("ferry.distribution", "../distribution/target/ferry"), "bundle");
        List<Option> options = new ArrayList<>();
        File[] jars = bundles.listFiles((dir, name) -> name.endsWith(".jar"));
        assertNotNull("no bundles in " + bundles.getAbsolutePath(), jars);
        Arrays.sort(jars);
        for (File jar : jars) {
            options.add(bundle(jar.toURI().toString()).start(!isFragment(jar)));
        }
        options.add(junitBundles());
        options.add(frameworkProperty("ferry.data").value(Files.createTempDirectory("ferry-paxexam").toString()));
        options.add(frameworkProperty("org.osgi.service.http.port").value(Integer.toString(Ports.free())));
        options.add(frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"));
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(systemProperty("io.netty.leakDetection.level").value("paranoid"));
        return options.toArray(new Option[0]);
    }

    private static boolean isFragment(File jar) throws IOException {
        try (JarFile j = new JarFile(jar)) {
            return j.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        }
    }


    /** Every test: nothing the bundles' Netty allocated was collected unreleased (paranoid detection). */
    @After
    public void noBufferLeaked() throws Exception {
        List<String> leaks = OsgiLeakCheck.leaks(context);
        assertTrue(leaks.size() + " buffers leaked:\n" + String.join("\n", leaks), leaks.isEmpty());
    }

    @Test
    public void theLeakCheckSeesABufferLeakedInTheBundlesNetty() throws Exception {
        OsgiLeakCheck.leaks(context);
        OsgiLeakCheck.leakOneBuffer(context);
        List<String> leaks = OsgiLeakCheck.leaks(context);
        assertEquals(leaks.toString(), 1, leaks.size());
    }

    @Test
    public void everyBundleIsActiveAndTheServicesAreWired() throws Exception {
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            assertTrue(b.getSymbolicName() + " is in state " + b.getState(),
                    fragment || b.getState() == Bundle.ACTIVE);
        }
        for (Class<?> type : new Class<?>[] {Transport.class, ProtocolNegotiator.class, TunnelRelay.class,
            ConnectionPool.class, ProxyResolver.class, ClientCodec.class, UpstreamConnector.class, BadProxies.class}) {
            assertNotNull(type.getSimpleName() + " registered", awaitService(type, null));
        }
        assertNotNull(awaitService(ServerCodec.class, "(" + ServerCodec.PROTOCOL + "=http/1.1)"));
    }

    @Test
    public void listenerFollowsItsFactoryConfiguration() throws Exception {
        int first = Ports.free();
        org.osgi.service.cm.Configuration listener = configAdmin.createFactoryConfiguration("dev.ferry.listener",
                "?");
        listener.update(listenerProperties("paxexam-rebind", first));
        awaitProxyAnswers(first);
        int second = Ports.free();
        listener.update(listenerProperties("paxexam-rebind", second));
        awaitProxyAnswers(second);
        Ports.awaitRefused(first);
        listener.delete();
        Ports.awaitRefused(second);
    }

    @Test
    public void whileTheHttp1BundleIsStoppedConnectionsWaitForItThenGet503() throws Exception {
        int port = Ports.free();
        org.osgi.service.cm.Configuration listener = configAdmin.createFactoryConfiguration("dev.ferry.listener",
                "?");
        Dictionary<String, Object> props = listenerProperties("paxexam-stop", port);
        props.put("serviceWaitMillis", 1500);
        listener.update(props);
        awaitProxyAnswers(port);
        Bundle http1 = Arrays.stream(context.getBundles())
                .filter(b -> "dev.ferry.http1".equals(b.getSymbolicName())).findFirst().orElseThrow();
        http1.stop();
        try {
            // Still accepting: the connection waits for the codec, then is answered 503 naming the missing bundle.
            long start = System.nanoTime();
            String answer = request(port);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(answer, answer.startsWith("HTTP/1.1 503 ") && answer.contains("error=proxy_internal_error")
                    && answer.contains("dev.ferry.http1"));
            assertTrue("answered after the wait, not before: " + waitedMillis + " ms", waitedMillis >= 1400);
            // A connection that arrives while the bundle is away is served once it is back.
            java.util.concurrent.CompletableFuture<String> waiting = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return request(port);
                        } catch (IOException e) {
                            return e.toString();
                        }
                    });
            Thread.sleep(300);
            http1.start();
            String served = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(served, served.startsWith("HTTP/1.1 502 ") && served.contains("error=connection_refused"));
        } finally {
            if (http1.getState() != Bundle.ACTIVE) {
                http1.start();
            }
        }
        awaitProxyAnswers(port);
        listener.delete();
    }

    @Test
    public void aListenerOnANonLoopbackAddressServesOnlyWhenAnOpenProxyIsMeant() throws Exception {
        int port = Ports.free();
        org.osgi.service.cm.Configuration listener = configAdmin.createFactoryConfiguration("dev.ferry.listener",
                "?");
        Dictionary<String, Object> props = listenerProperties("paxexam-open", port);
        props.put("host", "0.0.0.0");
        listener.update(props);
        // Every interface (loopback included) would be reachable: without openProxy it does not even listen.
        Thread.sleep(1500);
        Ports.awaitRefused(port);
        props.put("openProxy", true);
        listener.update(props);
        awaitProxyAnswers(port);
        props.put("openProxy", false);
        listener.update(props);
        Ports.awaitRefused(port);
        listener.delete();
    }

    /** One request for a closed origin port: the proxy answers 502 connection_refused when it proxies. */
    private static String request(int port) throws IOException {
        int closed = Ports.free();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET http://127.0.0.1:" + closed + "/ HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static Dictionary<String, Object> listenerProperties(String name, int port) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("name", name);
        props.put("host", "127.0.0.1");
        props.put("port", port);
        return props;
    }

    private Object awaitService(Class<?> type, String filter) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var refs = context.getServiceReferences(type.getName(), filter);
            if (refs != null && refs.length > 0) {
                return context.getService(refs[0]);
            }
            Thread.sleep(50);
        }
        return null;
    }

    /** Waits until the port proxies: a request to a closed origin port gets the proxy's 502. */
    private static void awaitProxyAnswers(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                last = request(port);
                if (last.startsWith("HTTP/1.1 502 ") && last.contains("error=connection_refused")) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("port " + port + " does not proxy; last answer: " + last);
    }

}
