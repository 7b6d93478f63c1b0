package io.ensm.store.etcd.client;

/**
 * One member's view of the cluster, from its Maintenance.Status.
 *
 * @param endpoint the client URL asked
 * @param memberId the member's id
 * @param leaderId the leader it follows, or 0 when it knows none
 */
public record MemberStatus(String endpoint, long memberId, long leaderId, long raftTerm, long raftIndex, String version,
                           boolean learner) {
    public boolean leader() {
        return memberId != 0 && memberId == leaderId;
    }
}
