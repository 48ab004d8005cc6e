package dev.ferry.console.impl;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * One registered service as the console lists it: a name, its ranking and where it comes from. Taken from the
 * service's properties only, so listing a plugin never gets (or activates) the plugin itself.
 */
final class ServiceEntry {

    /** The order OSGi picks services in: highest {@code service.ranking} first, then the oldest (lowest id). */
    static final Comparator<ServiceEntry> OSGI_ORDER = Comparator.comparingInt(ServiceEntry::ranking).reversed()
            .thenComparingLong(ServiceEntry::serviceId);

    private final String name;
    private final String component;
    private final int ranking;
    private final long serviceId;
    private final String bundle;

    /**
     * @param name what to call the service: its {@code service.pid} (which tells factory configurations apart),
     *             else its DS component name
     * @param component its DS {@code component.name}, empty when it has none
     * @param bundle the symbolic name of the bundle that registered it, empty when unknown
     */
    ServiceEntry(String name, String component, int ranking, long serviceId, String bundle) {
        this.name = Objects.requireNonNull(name, "name");
        this.component = Objects.requireNonNull(component, "component");
        this.ranking = ranking;
        this.serviceId = serviceId;
        this.bundle = Objects.requireNonNull(bundle, "bundle");
    }

    static ServiceEntry of(ServiceReference<?> reference) {
        long serviceId = reference.getProperty(Constants.SERVICE_ID) instanceof Long
                ? (Long) reference.getProperty(Constants.SERVICE_ID) : -1L;
        String pid = text(reference.getProperty(Constants.SERVICE_PID));
        String componentName = text(reference.getProperty("component.name"));
        String name = !pid.isEmpty() ? pid : !componentName.isEmpty() ? componentName : "service " + serviceId;
        // The framework ignores a ranking that is not an Integer; so does the console.
        Object rankingProperty = reference.getProperty(Constants.SERVICE_RANKING);
        int ranking = rankingProperty instanceof Integer ? (Integer) rankingProperty : 0;
        Bundle bundle = reference.getBundle();
        String symbolicName = bundle == null || bundle.getSymbolicName() == null ? "" : bundle.getSymbolicName();
        return new ServiceEntry(name, componentName, ranking, serviceId, symbolicName);
    }

    /** A property that may be a String, an array of Strings (service.pid may be) or absent, as one string. */
    private static String text(Object property) {
        if (property == null) {
            return "";
        }
        if (property instanceof String[]) {
            return String.join(", ", (String[]) property);
        }
        if (property instanceof Object[]) {
            return Arrays.toString((Object[]) property);
        }
        return property.toString();
    }

    String name() {
        return name;
    }

    String component() {
        return component;
    }

    int ranking() {
        return ranking;
    }

    long serviceId() {
        return serviceId;
    }

    String bundle() {
        return bundle;
    }

    @Override
    public String toString() {
        return name + " (ranking " + ranking + ", service " + serviceId + ", " + bundle + ")";
    }
}
