package dev.ferry.console.impl;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the Felix Web Console a generated password instead of its built-in admin/admin (see
 * {@link CredentialsManager}), and keeps it so: a deleted console configuration gets the generated password back.
 * <p>
 * The password file is {@code ${ferry.data}/console-password}, or {@code console-password} in this bundle's data
 * area when the {@code ferry.data} framework property is not set.
 * <p>
 * Until this component has run, the distribution keeps the console locked: its {@code felix.webconsole.password}
 * framework property is a hash no password matches, so the console's fallback is never admin/admin.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public final class ConsoleCredentials implements ConfigurationListener {

    /** Framework property naming Ferry's data folder (set by bin/ferry). */
    static final String DATA_PROPERTY = "ferry.data";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleCredentials.class);

    private final CredentialsManager manager;

    @Activate
    public ConsoleCredentials(@Reference(name = "configAdmin") ConfigurationAdmin configAdmin, BundleContext context)
            throws IOException {
        SecureRandom random = new SecureRandom();
        Path file = dataDirectory(context).resolve(PasswordFile.FILE_NAME);
        this.manager = new CredentialsManager(configAdmin, new PasswordFile(file, random), random);
        manager.ensure();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!CredentialsManager.WEBCONSOLE_PID.equals(event.getPid())) {
            return;
        }
        if (event.getType() != ConfigurationEvent.CM_UPDATED && event.getType() != ConfigurationEvent.CM_DELETED) {
            return;
        }
        try {
            manager.ensure();
        } catch (IOException | RuntimeException e) {
            LOG.error("Web Console: could not restore the generated password after a configuration change", e);
        }
    }

    static Path dataDirectory(BundleContext context) throws IOException {
        String configured = context.getProperty(DATA_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.strip());
        }
        File area = context.getDataFile("");
        if (area == null) {
            throw new IOException("Neither the " + DATA_PROPERTY
                    + " property nor a bundle data area is available to keep the Web Console password in");
        }
        return area.toPath();
    }
}
