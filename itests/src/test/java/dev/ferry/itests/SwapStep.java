package dev.ferry.itests;

/**
 * One change {@link HotSwapIT} makes to the running proxy under load: a name for the table, the config file it edits
 * (null for bundle steps, so the test can check that every shipped file is edited), and what it does.
 */
record SwapStep(String name, String configFile, Action action) {

    /** Does the change on the running proxy and returns once it has applied (or throws when it did not). */
    interface Action {
        void apply(HotSwaps swaps) throws Exception;
    }

    /** Sets {@code key = value} in {@code config/<file>} and waits until the components run with it. */
    static SwapStep editConfig(String file, String key, String value) {
        return new SwapStep("config " + file + ": " + key + "=" + value, file,
                swaps -> swaps.editConfig(file, key, value));
    }

    /** Updates the bundle from its location through the Web Console and waits until it runs again. */
    static SwapStep updateBundle(String symbolicName) {
        return new SwapStep("update " + symbolicName, null, swaps -> swaps.updateBundle(symbolicName));
    }

    /** Stops the bundle through the Web Console, lets the load run without it for a second, starts it again. */
    static SwapStep stopStartBundle(String symbolicName) {
        return new SwapStep("stop+start " + symbolicName, null, swaps -> swaps.stopStartBundle(symbolicName));
    }

    /** Moves the plain listener of {@code config/<file>} to a new port; the load follows it. */
    static SwapStep movePlainListener(String file) {
        return new SwapStep("move " + file + " to a new port", file, swaps -> swaps.movePlainListener(file));
    }
}
