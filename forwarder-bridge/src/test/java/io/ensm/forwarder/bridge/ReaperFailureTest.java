package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Cmd;
import io.ensm.forwarder.netlink.Errno;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.Rtnetlink;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.KernelTestBed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.ensm.forwarder.testbed.CrossConnectBed.NODE_UNDERLAY;
import static org.assertj.core.api.Assertions.assertThat;

/** The reaper that deletes closed connections' links outlives a deletion that fails in a way nobody planned for. */
@Tag("kernel")
class ReaperFailureTest {
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final int VNI = 4300;

    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    private CrossConnectBed net;
    private final String failing = UUID.randomUUID().toString();
    private final String later = UUID.randomUUID().toString();

    @BeforeEach
    void network() {
        net = new CrossConnectBed(bed);
    }

    private CrossConnect cc(String id, int vni, String ifname) {
        return new CrossConnect(id, vni, NODE_UNDERLAY, 4789, new Attachment.Namespace(net.attach, ifname), 1450);
    }

    private List<String> linksOf(String connectionId) {
        LinkNames names = LinkNames.of(io.ensm.core.testing.Contexts.OWNER, connectionId);
        List<String> ours = List.of(names.bridge(), names.vxlan(), names.veth());
        return CrossConnectBed.links(net.ensm).stream().map(Link::name).filter(ours::contains).toList();
    }

    @Test
    void aDeletionThatThrowsLeavesLaterDeletionsWorkingAndItsLinksToTheOrphanSweep() throws Exception {
        try (BridgeForwarder fwd = net.forwarder()) {
            CountDownLatch failed = new CountDownLatch(1);
            fwd.reaper().onDeleting(id -> {
                if (id.equals(failing)) {
                    failed.countDown();
                    throw new IllegalStateException("injected failure deleting the links of " + id);
                }
            });
            CrossConnect first = cc(failing, VNI, "nsm0");
            CrossConnect second = cc(later, VNI + 1, "nsm1");
            fwd.connect(first);
            fwd.connect(second);

            fwd.disconnect(first);
            assertThat(failed.await(10, TimeUnit.SECONDS)).as("the reaper tried the failing deletion").isTrue();
            fwd.disconnect(second);

            assertThat(fwd.settle(SETTLE)).as("deletions queued after a failed one complete").isTrue();
            assertThat(linksOf(later)).as("links of the connection closed after the failure").isEmpty();

            // Its names and VNI are free again: connecting it anew does not wait for a deletion.
            long start = System.nanoTime();
            fwd.connect(second);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(fwd.verify(second)).isEqualTo(Verification.PRESENT);
            fwd.disconnect(second);
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(linksOf(later)).isEmpty();

            // The failed deletion's links keep ensm's mark; the orphan sweep of the next reconcile pass removes them.
            assertThat(linksOf(failing)).isNotEmpty();
            assertThat(fwd.removeOrphans(id -> false)).contains(failing);
            assertThat(linksOf(failing)).isEmpty();
        }
        assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
    }

    @Test
    void aReaperWhoseSocketCannotBeOpenedAtFirstStillDeletes() throws Exception {
        String ns = net.ensm;
        Cmd.run("ip", "-n", ns, "link", "add", "reapme0", "type", "bridge");
        Cmd.run("ip", "-n", ns, "link", "add", "reapme1", "type", "bridge");
        AtomicInteger opens = new AtomicInteger();
        // As when the process is out of file descriptors at the moment the reaper starts.
        Supplier<Rtnetlink> open = () -> {
            if (opens.getAndIncrement() == 0) {
                throw new NetlinkException("open rtnetlink socket", Errno.EMFILE, "too many open files (injected)");
            }
            return Rtnetlink.openIn(ns);
        };
        try (LinkDeleter deleter = new LinkDeleter(2, () -> Rtnetlink.openIn(ns));
             Reaper reaper = new Reaper(open, deleter, "network namespace '" + ns + "'")) {
            reaper.delete("c0", List.of(link(ns, "reapme0")), List.of("link:reapme0"));
            assertThat(reaper.drain(SETTLE)).isTrue();
            reaper.delete("c1", List.of(link(ns, "reapme1")), List.of("link:reapme1"));
            assertThat(reaper.drain(SETTLE)).as("deletions after the failed open complete").isTrue();
            assertThat(reaper.holds("link:reapme1")).isFalse();
        }
        assertThat(CrossConnectBed.links(ns)).extracting(Link::name).doesNotContain("reapme0", "reapme1");
        assertThat(opens.get()).as("the socket was opened again after the failure").isGreaterThanOrEqualTo(2);
    }

    private static Link link(String ns, String name) {
        return CrossConnectBed.links(ns).stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }
}
