package io.ensm.core.registry;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one service or endpoint registered: registers, refreshes at 2/3 of the remaining time, retries with
 * backoff, and re-registers when its watch reports the registry dropped it or the watch breaks.
 * All registry calls run on the scheduler; watch callbacks only schedule work there.
 */
final class Registration {
    private static final Logger log = LoggerFactory.getLogger(Registration.class);
    /** Repeat a WARN this often while failures continue, so a long outage stays visible without flooding. */
    private static final int WARN_EVERY = 10;

    /** How soon an endpoint held back (not held here) is looked at again, unless it is forgotten first. */
    private static final Duration HELD_BACK_RECHECK = Duration.ofSeconds(1);

    record Settings(Channel channel, ScheduledExecutorService scheduler, Clock clock, Duration expiry,
                    Backoff backoff, Duration callTimeout, Consumer<String> errors, Predicate<String> publishWhile) {}

    private final Registrant target;
    private final Settings settings;

    // guarded by this
    private boolean closed;
    private boolean registered;
    private boolean everRegistered;
    private Instant lastRefresh;
    private Instant expiresAt;
    private String lastError;
    private int failures;
    private int watchBreaks;
    private boolean heldBack;
    private int replacements;
    private long lastReplacedAt;
    private ScheduledFuture<?> next;
    private Runnable stopWatch;
    private Object watchToken;
    private Context.CancellableContext inFlight;

    Registration(Registrant target, Settings settings) {
        this.target = target;
        this.settings = settings;
    }

    String name() {
        return target.name();
    }

    Registrant target() {
        return target;
    }

    /** Makes the first attempt on the calling (scheduler) thread, so callers can order first registrations. */
    void start() {
        attempt();
    }

    /** NSM refreshes at 2/3 of the remaining lifetime: one missed refresh still leaves time for a retry. */
    static Duration refreshDelay(Instant now, Instant expires) {
        Duration remaining = Duration.between(now, expires);
        return remaining.isNegative() ? Duration.ZERO : remaining.multipliedBy(2).dividedBy(3);
    }

    synchronized RegistrationStatus status() {
        boolean live = registered && (expiresAt == null || expiresAt.isAfter(settings.clock().instant()));
        return new RegistrationStatus(target.kind(), target.name(), live,
                Optional.ofNullable(lastRefresh), Optional.ofNullable(expiresAt), Optional.ofNullable(lastError));
    }

    private synchronized void schedule(Duration delay) {
        if (closed) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        next = settings.scheduler().schedule(this::attempt, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void attempt() {
        Context.CancellableContext ctx;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!mayPublish()) {
                return;
            }
            ctx = Context.ROOT.withCancellation();
            inFlight = ctx;
        }
        Instant asked = settings.clock().instant().plus(settings.expiry());
        try {
            Instant granted = ctx.call(() -> target.register(settings.channel(), asked, settings.callTimeout()));
            succeeded(granted);
        } catch (Exception e) {
            failed(e);
        } finally {
            synchronized (this) {
                inFlight = null;
            }
            ctx.cancel(null);
        }
    }

    /**
     * Checked right before each call, under the lock: an endpoint this replica no longer holds (a
     * pause that outlived its lease, say) must not overwrite its successor's registration, even once.
     */
    private boolean mayPublish() {
        boolean may = !(target instanceof Registrant.Endpoint) || settings.publishWhile().test(target.name());
        if (!may) {
            if (!heldBack) {
                heldBack = true;
                log.info("event=registration-held-back kind={} name={} reason=\"not held here\"", target.kind(), target.name());
            }
            schedule(HELD_BACK_RECHECK);
        } else if (heldBack) {
            heldBack = false;
            log.info("event=registration-resumed kind={} name={}", target.kind(), target.name());
        }
        return may;
    }

    private void succeeded(Instant granted) {
        boolean openWatch;
        synchronized (this) {
            if (closed) {
                return;
            }
            Instant now = settings.clock().instant();
            if (!registered || failures > 0) {
                log.info("registered kind={} name={} {} expires={}{}", target.kind(), target.name(), target.describe(),
                        granted, failures > 0 ? " after_failures=" + failures : "");
            } else {
                log.debug("refreshed kind={} name={} expires={}", target.kind(), target.name(), granted);
            }
            registered = true;
            everRegistered = true;
            lastRefresh = now;
            expiresAt = granted;
            lastError = null;
            failures = 0;
            openWatch = watchToken == null;
            schedule(refreshDelay(now, granted));
        }
        if (openWatch) {
            openWatch();
        }
    }

    private void failed(Exception e) {
        String reason = describe(e);
        synchronized (this) {
            if (closed) {
                return;
            }
            failures++;
            lastError = reason;
            Duration delay = settings.backoff().delay(failures, ThreadLocalRandom.current()::nextDouble);
            if (failures == 1 || failures % WARN_EVERY == 0) {
                log.warn("register failed kind={} name={} {} attempt={} retry_in_ms={} error=\"{}\"",
                        target.kind(), target.name(), target.describe(), failures, delay.toMillis(), reason);
            } else {
                log.debug("register failed kind={} name={} attempt={} error=\"{}\"", target.kind(), target.name(), failures, reason);
            }
            schedule(delay);
        }
        settings.errors().accept(target.kind() + " " + target.name() + ": " + reason);
    }

    private void openWatch() {
        // one token per stream, so callbacks from a stream we already replaced are ignored
        Object token = new Object();
        synchronized (this) {
            if (closed || watchToken != null) {
                return;
            }
            watchToken = token;
        }
        Optional<Runnable> stop;
        // the watch outlives the register call, so it must not inherit that call's cancellable context
        Context previous = Context.ROOT.attach();
        try {
            stop = target.watch(settings.channel(), () -> lost(token), url -> replaced(token, url), t -> watchBroke(token, t));
        } finally {
            Context.ROOT.detach(previous);
        }
        synchronized (this) {
            if (stop.isEmpty()) {
                return; // not watched; the token stays so we never try again
            }
            if (closed || watchToken != token) {
                stop.get().run();
                return;
            }
            stopWatch = stop.get();
        }
    }

    private synchronized void lost(Object token) {
        if (closed || token != watchToken) {
            return;
        }
        log.warn("registry dropped kind={} name={} {}; re-registering", target.kind(), target.name(), target.describe());
        registered = false;
        watchBreaks = 0;
        schedule(Duration.ZERO);
    }

    /**
     * Someone registered this name with another URL. A replica that lost the endpoint stops that
     * by itself ({@code publishWhile}); while it has not, the holder takes the name back at once,
     * then with backoff, so that two installations that share a name by mistake do not fight in a loop.
     */
    private synchronized void replaced(Object token, String url) {
        if (closed || token != watchToken) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastReplacedAt > settings.expiry().toNanos()) {
            replacements = 0;
        }
        lastReplacedAt = now;
        replacements++;
        Duration delay = replacements == 1 ? Duration.ZERO
                : settings.backoff().delay(replacements - 1, ThreadLocalRandom.current()::nextDouble);
        if (replacements == 1 || replacements % WARN_EVERY == 0) {
            log.warn("event=registration-replaced kind={} name={} {} by_url={} replacements={} retry_in_ms={}",
                    target.kind(), target.name(), target.describe(), url, replacements, delay.toMillis());
        }
        schedule(delay);
    }

    private synchronized void watchBroke(Object token, Throwable t) {
        if (closed || token != watchToken) {
            return;
        }
        watchToken = null;
        stopWatch = null;
        watchBreaks++;
        // the registry may have restarted empty: re-register, but back off if streams keep breaking
        Duration delay = watchBreaks == 1 ? Duration.ZERO
                : settings.backoff().delay(watchBreaks - 1, ThreadLocalRandom.current()::nextDouble);
        log.warn("registry watch ended kind={} name={} error=\"{}\" retry_in_ms={}",
                target.kind(), target.name(), t == null ? "completed by server" : describe(t), delay.toMillis());
        schedule(delay);
    }

    /** Stops all activity, then unregisters if we ever registered or a register call may have landed. */
    void close(Duration timeout) {
        Context.CancellableContext ctx;
        Runnable stop;
        boolean unregister;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
            stop = stopWatch;
            stopWatch = null;
            watchToken = null;
            ctx = inFlight;
            unregister = everRegistered || ctx != null;
            registered = false;
        }
        if (stop != null) {
            stop.run();
        }
        if (ctx != null) {
            ctx.cancel(null);
        }
        if (!unregister || timeout.isNegative() || timeout.isZero()) {
            return;
        }
        try {
            target.unregister(settings.channel(), timeout);
            log.info("unregistered kind={} name={} {}", target.kind(), target.name(), target.describe());
        } catch (RuntimeException e) {
            log.warn("unregister failed kind={} name={} error=\"{}\"", target.kind(), target.name(), describe(e));
        }
    }

    private static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        if (s.getCode() != Status.Code.UNKNOWN || t instanceof io.grpc.StatusRuntimeException) {
            return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
        }
        return t.toString();
    }
}
