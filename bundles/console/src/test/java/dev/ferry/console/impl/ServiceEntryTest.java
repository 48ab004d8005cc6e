package dev.ferry.console.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.testing.LeakCheck;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

public class ServiceEntryTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    static ServiceReference<?> reference(Map<String, Object> properties, String bundleName) {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(ServiceEntryTest.class.getClassLoader(),
                new Class<?>[] {Bundle.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getSymbolicName")) {
                        return bundleName;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (ServiceReference<?>) Proxy.newProxyInstance(ServiceEntryTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getProperty": return properties.get((String) args[0]);
                        case "getBundle": return bundle;
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default: throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Test
    public void isNamedByItsPidAndTakesRankingAndBundleFromTheServiceProperties() {
        ServiceEntry entry = ServiceEntry.of(reference(Map.of("component.name", "dev.ferry.pac.impl.PacResolver",
                "service.pid", "dev.ferry.pac", "service.ranking", 50, "service.id", 17L), "dev.ferry.pac"));

        assertEquals("dev.ferry.pac", entry.name());
        assertEquals("dev.ferry.pac.impl.PacResolver", entry.component());
        assertEquals(50, entry.ranking());
        assertEquals(17L, entry.serviceId());
        assertEquals("dev.ferry.pac", entry.bundle());
    }

    @Test
    public void fallsBackToTheComponentNameThenTheServiceId() {
        assertEquals("a, b", ServiceEntry.of(reference(Map.of("service.pid", new String[] {"a", "b"},
                "component.name", "c", "service.id", 3L), "x")).name());
        assertEquals("c", ServiceEntry.of(reference(Map.of("component.name", "c", "service.id", 3L), "x")).name());
        assertEquals("service 3", ServiceEntry.of(reference(Map.of("service.id", 3L), "x")).name());
    }

    @Test
    public void aRankingThatIsNotAnIntegerCountsAsZeroAsInTheFramework() {
        assertEquals(0, ServiceEntry.of(reference(Map.of("service.ranking", "100", "service.id", 1L), "x"))
                .ranking());
    }

    @Test
    public void aServiceUnregisteredMeanwhileHasNoBundle() {
        assertEquals("", ServiceEntry.of(reference(Map.of("service.id", 1L), null)).bundle());
    }
}
