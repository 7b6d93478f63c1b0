package io.ensm.netconf.transaction;

import io.ensm.netconf.client.Capability;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.ScriptedDevice;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Paths netconfd cannot exercise, on a scripted device: it validates every edit at edit-config
 * time, so it never refuses a commit, and it always offers rollback-on-error. The scripted device
 * keeps a candidate of item names and refuses a commit that contains an item named "late-*", or
 * an edit of an item named "bad-*".
 */
class CommitIsolationTest {
    private static final Pattern ITEM = Pattern.compile("<item>([^<]+)</item>");

    /** A minimal datastore model: candidate and running as lists of item names. */
    private static class Store implements ScriptedDevice.Handler {
        final List<String> candidate = new ArrayList<>();
        final List<String> running = new ArrayList<>();
        /** Running before the first unconfirmed commit, restored by cancel-commit. */
        List<String> beforeConfirm;
        final boolean rollbackOnError;

        Store(boolean rollbackOnError) {
            this.rollbackOnError = rollbackOnError;
        }

        @Override
        public synchronized String apply(String op) {
            if (op.startsWith("<edit-config>")) {
                List<String> names = new ArrayList<>();
                Matcher m = ITEM.matcher(op);
                while (m.find()) {
                    names.add(m.group(1));
                }
                for (String n : names) {
                    if (n.startsWith("bad-")) {
                        return ScriptedDevice.error("application", "invalid-value", "refusing " + n);
                    }
                    if (!rollbackOnError) {
                        candidate.add(n); // items before the refused one stay behind
                    }
                }
                if (rollbackOnError) {
                    candidate.addAll(names);
                }
                return "<ok/>";
            }
            if (op.startsWith("<commit>") || op.equals("<commit/>")) {
                for (String n : candidate) {
                    if (n.startsWith("late-")) {
                        return ScriptedDevice.error("application", "operation-failed", "commit check refuses " + n);
                    }
                }
                if (op.startsWith("<commit><confirmed/>")) {
                    if (beforeConfirm == null) {
                        beforeConfirm = new ArrayList<>(running);
                    }
                } else {
                    beforeConfirm = null;
                }
                running.clear();
                running.addAll(candidate);
                return "<ok/>";
            }
            if (op.equals("<cancel-commit/>") && beforeConfirm != null) {
                running.clear();
                running.addAll(beforeConfirm);
                beforeConfirm = null;
            }
            if (op.equals("<discard-changes/>") || op.equals("<cancel-commit/>")) {
                candidate.clear();
                candidate.addAll(running);
                return "<ok/>";
            }
            if (op.startsWith("<get-config>")) {
                StringBuilder b = new StringBuilder("<data>");
                running.forEach(n -> b.append("<item xmlns=\"urn:t\">").append(n).append("</item>"));
                return b.append("</data>").toString();
            }
            return "<ok/>"; // lock, unlock
        }
    }

    private static final EditCodec<String> CODEC = new EditCodec<>() {
        @Override
        public String render(List<String> items) {
            StringBuilder b = new StringBuilder();
            items.forEach(i -> b.append("<item>").append(i).append("</item>"));
            return b.toString();
        }

        @Override
        public String readFilter(List<String> items) {
            return "<item xmlns=\"urn:t\"/>";
        }

        @Override
        public ReadBack<String> readBack(String dataXml) {
            return item -> dataXml.contains(">" + item + "<") ? Optional.empty() : Optional.of("absent");
        }
    };

    private static Set<String> caps(String... extra) {
        Set<String> s = new java.util.HashSet<>(Set.of(Capability.BASE_1_0, Capability.BASE_1_1, Capability.CANDIDATE));
        s.addAll(List.of(extra));
        return s;
    }

    @Test
    void aCommitTimeRefusalIsIsolatedByCommittingHalvesSoOnlyTheCulpritFails() throws Exception {
        Store store = new Store(true);
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_1), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));
        List<String> items = List.of("a", "b", "late-c", "d", "e");

        List<ItemResult<String>> r = new TransactionRunner().run(s, items, CODEC);

        assertThat(r).extracting(ItemResult::ok).containsExactly(true, true, false, true, true);
        assertThat(r.get(2).failure()).hasValueSatisfying(e -> assertThat(e.getMessage())
                .isEqualTo("device scripted: commit: commit check refuses late-c (application operation-failed)"));
        assertThat(store.running).containsExactlyInAnyOrder("a", "b", "d", "e");
        assertThat(device.operations()).filteredOn(op -> op.startsWith("<commit><confirmed/>")).hasSizeGreaterThan(1);
        assertThat(device.operations()).last().isEqualTo("<unlock><target><candidate/></target></unlock>");
    }

    @Test
    void withoutRollbackOnErrorTheCandidateIsDiscardedAndTheAcceptedItemsReEdited() throws Exception {
        Store store = new Store(false);
        ScriptedDevice device = new ScriptedDevice(caps(Capability.CONFIRMED_COMMIT_1_0), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));

        List<ItemResult<String>> r = new TransactionRunner().run(s, List.of("a", "bad-b", "c"), CODEC);

        assertThat(r).extracting(ItemResult::ok).containsExactly(true, false, true);
        assertThat(store.running).containsExactly("a", "c");
        assertThat(device.operations()).noneMatch(op -> op.contains("<error-option>"));
    }

    @Test
    void aFailedReadBackWithConfirmedCommitOneZeroEndsTheSessionSoTheDeviceRollsBack() throws Exception {
        Store store = new Store(true) {
            @Override
            public synchronized String apply(String op) {
                return op.startsWith("<get-config>") ? ScriptedDevice.error("application", "operation-failed", "read refused")
                        : super.apply(op);
            }
        };
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_0), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));

        assertThatThrownBy(() -> new TransactionRunner().run(s, List.of("a"), CODEC))
                .isInstanceOf(NetconfException.Rejected.class)
                .hasMessage("device scripted: read-back: read refused (application operation-failed)");
        // :confirmed-commit:1.0 has no cancel-commit: ending the session is what rolls back.
        assertThat(s.isOpen()).isFalse();
        assertThat(device.operations()).noneMatch(op -> op.equals("<cancel-commit/>") || op.equals("<commit/>"));
    }

    @Test
    void aFailedReadBackWithConfirmedCommitOneOneIsCancelledDiscardedAndUnlocked() throws Exception {
        Store store = new Store(true) {
            @Override
            public synchronized String apply(String op) {
                return op.startsWith("<get-config>") ? ScriptedDevice.error("application", "operation-failed", "read refused")
                        : super.apply(op);
            }
        };
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_1), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));

        assertThatThrownBy(() -> new TransactionRunner().run(s, List.of("a"), CODEC)).isInstanceOf(NetconfException.Rejected.class);
        assertThat(s.isOpen()).isTrue();
        List<String> ops = device.operations();
        assertThat(ops.subList(ops.size() - 3, ops.size())).containsExactly("<cancel-commit/>", "<discard-changes/>",
                "<unlock><target><candidate/></target></unlock>");
        assertThat(store.running).isEmpty();
    }

    @Test
    void aCodecThatThrowsEndsTheSessionSoTheDeviceRollsBackAndDropsTheLock() throws Exception {
        Store store = new Store(true);
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_1), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));
        EditCodec<String> broken = new EditCodec<>() {
            @Override
            public String render(List<String> items) {
                return CODEC.render(items);
            }

            @Override
            public String readFilter(List<String> items) {
                return CODEC.readFilter(items);
            }

            @Override
            public ReadBack<String> readBack(String dataXml) {
                throw new IllegalArgumentException("unparsable read-back");
            }
        };
        assertThatThrownBy(() -> new TransactionRunner().run(s, List.of("a"), broken))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(s.isOpen()).isFalse();
        assertThat(device.closed()).isTrue();
        assertThat(device.operations()).noneMatch(op -> op.equals("<commit/>"));
    }

    @Test
    void aDeviceWithNeitherCandidateNorWritableRunningIsRefusedBeforeAnyLock() throws Exception {
        ScriptedDevice device = new ScriptedDevice(Set.of(Capability.BASE_1_1), new Store(true));
        NetconfSession s = device.connect(Duration.ofSeconds(2));
        assertThatThrownBy(() -> new TransactionRunner().run(s, List.of("a"), CODEC))
                .isInstanceOf(NetconfException.Rejected.class)
                .hasMessageContaining("neither :candidate nor :writable-running");
        assertThat(device.operations()).isEmpty();
    }

    @Test
    void aRefusedConfirmingCommitIsReportedAndTakenBackThoughTheUnlockWentWithIt() throws Exception {
        Store store = new Store(true) {
            @Override
            public synchronized String apply(String op) {
                return op.equals("<commit/>") ? ScriptedDevice.error("application", "operation-failed", "cannot save")
                        : super.apply(op);
            }
        };
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_1), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));

        assertThatThrownBy(() -> new TransactionRunner().run(s, List.of("a"), CODEC))
                .isInstanceOf(NetconfException.Rejected.class)
                .hasMessage("device scripted: confirming commit: cannot save (application operation-failed)");

        List<String> ops = device.operations();
        assertThat(ops.subList(ops.size() - 4, ops.size())).containsExactly("<commit/>",
                "<unlock><target><candidate/></target></unlock>", "<cancel-commit/>", "<discard-changes/>");
        assertThat(store.running).isEmpty();
        assertThat(s.isOpen()).isTrue();
    }

    @Test
    void commitAndReadBackShareOneWriteAndSoDoConfirmAndUnlock() throws Exception {
        Store store = new Store(true);
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_1), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));
        int before = device.writes();

        List<ItemResult<String>> r = new TransactionRunner().run(s, List.of("a", "b"), CODEC);

        assertThat(r).allMatch(ItemResult::ok);
        assertThat(store.running).containsExactly("a", "b");
        assertThat(device.operations()).extracting(op -> op.substring(0, op.indexOf('>') + 1))
                .containsExactly("<lock>", "<edit-config>", "<commit>", "<get-config>", "<commit/>", "<unlock>");
        assertThat(device.writes() - before).as("lock, edit, commit + read-back, confirm + unlock").isEqualTo(4);
    }

    @Test
    void withoutPipeliningEveryRpcWaitsForTheReplyBeforeIt() throws Exception {
        Store store = new Store(true);
        ScriptedDevice device = new ScriptedDevice(caps(Capability.ROLLBACK_ON_ERROR, Capability.CONFIRMED_COMMIT_1_1), store);
        NetconfSession s = device.connect(Duration.ofSeconds(2));
        int before = device.writes();

        List<ItemResult<String>> r = new TransactionRunner(TransactionOptions.DEFAULTS.withPipelining(false), TransactionListener.NONE)
                .run(s, List.of("a"), CODEC);

        assertThat(r).allMatch(ItemResult::ok);
        assertThat(store.running).containsExactly("a");
        assertThat(device.writes() - before).isEqualTo(6);
    }
}
