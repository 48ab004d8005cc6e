package dev.ferry.plugin.auth.impl;

import static dev.ferry.plugin.auth.impl.HookFixture.await;
import static dev.ferry.plugin.auth.impl.HookFixture.basic;
import static dev.ferry.plugin.auth.impl.HookFixture.config;
import static dev.ferry.plugin.auth.impl.HookFixture.request;
import static dev.ferry.plugin.auth.impl.HookFixture.writeUsers;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.Verdict;
import dev.ferry.plugin.auth.impl.HookFixture.RecordingHasher;
import dev.ferry.testing.LeakCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Changes while the hook runs: its configuration ({@code @Modified}) and the users file. */
public class BasicAuthHookLiveChangeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final FakeClock clock = new FakeClock();
    private final RecordingHasher hasher = new RecordingHasher();
    private Path home;
    private Path users;
    private BasicAuthHook hook;

    @Before
    public void activate() throws Exception {
        home = folder.getRoot().toPath();
        users = writeUsers(home.resolve("ferry-users"), "alice", "old");
        hook = new BasicAuthHook(config("usersFile", "ferry-users", "maxFailures", 3), clock, hasher, home);
    }

    @After
    public void deactivate() {
        hook.deactivate();
    }

    /** Rewrites the users file so that its change shows even where modification times are coarse. */
    private void rewrite(String... userAndPassword) throws Exception {
        long before = Files.exists(users) ? Files.getLastModifiedTime(users).toMillis() : System.currentTimeMillis();
        writeUsers(users, userAndPassword);
        Files.setLastModifiedTime(users, FileTime.fromMillis(before + 5_000));
    }

    @Test
    public void aChangedUsersFileIsReadAgainAndDropsTheCache() throws Exception {
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "old")))).user());

        rewrite("alice", "new", "bob", "builder");
        CompletableFuture<Verdict> withinTheSecond = hook.onRequest(request(basic("alice", "old")))
                .toCompletableFuture();
        assertTrue("looked at no more than once a second: still the cache", withinTheSecond.isDone());
        assertEquals("alice", withinTheSecond.get().user());

        clock.advance(1, TimeUnit.SECONDS);
        assertEquals("the old password's cache entry went with the old file", Verdict.Kind.CHALLENGE,
                await(hook.onRequest(request(basic("alice", "old")))).kind());
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "new")))).user());
        assertEquals("bob", await(hook.onRequest(request(basic("bob", "builder")))).user());
    }

    @Test
    public void aMalformedLineIsSkippedAndTheOthersLoad() throws Exception {
        String alice = "alice:" + new PasswordHasher(HookFixture.TEST_ITERATIONS).hash("a".toCharArray()).format();
        String bob = "bob:" + new PasswordHasher(HookFixture.TEST_ITERATIONS).hash("b".toCharArray()).format();
        Files.write(users, List.of("# users", "", alice, "carol:pbkdf2-sha256:1000:nonsense", "no colon here",
                "  " + bob + "  ", "alice:" + bob.substring(4)), StandardCharsets.UTF_8);

        UsersFile file = UsersFile.read(users);

        assertEquals(2, file.size());
        assertNull(file.passwordOf("carol"));
        assertTrue("the first line of a name counts", new PasswordHasher(1).verify("a".toCharArray(),
                file.passwordOf("alice")));

        clock.advance(1, TimeUnit.SECONDS);
        assertEquals("bob", await(hook.onRequest(request(basic("bob", "b")))).user());
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "a")))).user());
    }

    @Test
    public void aUsersFileThatDisappearsKeepsTheUsersLastRead() throws Exception {
        Files.delete(users);
        clock.advance(1, TimeUnit.SECONDS);

        assertEquals("alice", await(hook.onRequest(request(basic("alice", "old")))).user());

        rewrite("alice", "back");
        clock.advance(1, TimeUnit.SECONDS);
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "back")))).user());
    }

    @Test
    public void aChangeWithABadValueIsRefusedAsAWholeAndTheSettingsInUseStay() throws Exception {
        AuthSettings before = hook.settings();

        hook.modified(config("usersFile", "ferry-users", "realm", "new", "maxFailures", 0));
        hook.modified(config("usersFile", "ferry-users", "realm", "bad\"realm"));
        hook.modified(config("usersFile", "missing-users", "realm", "new"));

        assertEquals(before, hook.settings());
        Verdict challenge = await(hook.onRequest(request(null)));
        assertEquals("Basic realm=\"ferry\", charset=\"UTF-8\"", challenge.headerEdits().get(0).value());
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "old")))).user());
    }

    @Test
    public void aGoodChangeAppliesInPlaceKeepingTheFailuresCounted() throws Exception {
        assertEquals(Verdict.Kind.CHALLENGE, await(hook.onRequest(request(basic("alice", "x")))).kind());
        assertEquals(Verdict.Kind.CHALLENGE, await(hook.onRequest(request(basic("alice", "y")))).kind());

        hook.modified(config("usersFile", "ferry-users", "realm", "edge", "maxFailures", 2, "verifyThreads", 3,
                "listeners", new String[] {"public"}));

        assertEquals("Basic realm=\"edge\", charset=\"UTF-8\"",
                await(hook.onRequest(request("public", "10.0.0.9", null))).headerEdits().get(0).value());
        assertEquals(429, await(hook.onRequest(request("public", "10.0.0.1", basic("alice", "old")))).status());
        assertEquals(Verdict.Kind.PROCEED, await(hook.onRequest(request("http", "10.0.0.1", null))).kind());
    }

    @Test
    public void anotherUsersFileIsReadAtTheChange() throws Exception {
        writeUsers(home.resolve("other-users"), "carol", "c");
        assertEquals("alice", await(hook.onRequest(request(basic("alice", "old")))).user());

        hook.modified(config("usersFile", home.resolve("other-users").toString()));

        assertEquals("carol", await(hook.onRequest(request(basic("carol", "c")))).user());
        assertEquals("the cache went with the old file", Verdict.Kind.CHALLENGE,
                await(hook.onRequest(request(basic("alice", "old")))).kind());
    }
}
