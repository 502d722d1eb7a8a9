package io.checkstripe.striping;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointSegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The redundancy policies one striper applies: each checkpoint names its own policy (or none, for the
 * default), and only the policies the operator allows are used, as an object store lets each object choose
 * its parity from a set the cluster offers. One striper then serves applications that need different
 * protection, while a producer cannot make it write, say, a policy with no parity that the operator has not
 * agreed to.
 *
 * <p>The striper job and the producer's local striping decide through this class, so a checkpoint is refused
 * for the same reasons, with the same {@link DeadLetterReason} and dead-letter headers, on either path.
 * Policies are compared by canonical name ({@link RedundancyPolicy#name()}), so {@code rs-6-3} is
 * {@code RS-6-3}.
 *
 * <p>Not thread-safe: it keeps one {@link SegmentStriper}, with its buffers, per policy used, so each stream
 * thread or producer holds its own.
 */
public final class PolicyStripers {

    private final RedundancyPolicy defaultPolicy;
    private final Map<String, RedundancyPolicy> allowed;
    private final List<String> allowedNames;
    private final int servers;
    private final Map<String, SegmentStriper> stripers = new HashMap<>();

    /**
     * @param defaultPolicy the policy of a checkpoint that names none
     * @param allowed       the policies checkpoints may name, the default among them ({@link #allowed})
     * @param servers       N, the backup servers (stripes topic partitions), enough for the default policy
     * @throws IllegalArgumentException when the default is not allowed or needs more than N servers
     */
    public PolicyStripers(RedundancyPolicy defaultPolicy, List<RedundancyPolicy> allowed, int servers) {
        if (defaultPolicy == null || allowed == null) {
            throw new IllegalArgumentException("need a default policy and the allowed ones, got " + defaultPolicy
                    + " and " + allowed);
        }
        SegmentStriper.checkServers(defaultPolicy, servers);
        Map<String, RedundancyPolicy> byName = byName(defaultPolicy, allowed);
        this.defaultPolicy = defaultPolicy;
        this.allowed = Map.copyOf(byName);
        this.allowedNames = List.copyOf(byName.keySet());
        this.servers = servers;
    }

    /**
     * The policies a configuration allows: {@code names} parsed, in order and without repeats, or only the
     * default when {@code names} is empty.
     *
     * @throws IllegalArgumentException naming a policy that does not parse, or the default when it is not listed
     */
    public static List<RedundancyPolicy> allowed(RedundancyPolicy defaultPolicy, List<String> names) {
        if (names.isEmpty()) {
            return List.of(defaultPolicy);
        }
        return List.copyOf(byName(defaultPolicy, names.stream().map(RedundancyPolicy::parse).toList()).values());
    }

    /** The policies by canonical name, first occurrence kept, checking that the default is one of them. */
    private static Map<String, RedundancyPolicy> byName(RedundancyPolicy defaultPolicy, List<RedundancyPolicy> policies) {
        Map<String, RedundancyPolicy> byName = new LinkedHashMap<>();
        policies.forEach(policy -> byName.putIfAbsent(policy.name(), policy));
        if (!byName.containsKey(defaultPolicy.name())) {
            throw new IllegalArgumentException("the default policy " + defaultPolicy.name()
                    + " must be among the allowed policies " + byName.keySet());
        }
        return byName;
    }

    /** The policy of a checkpoint that names none. */
    public RedundancyPolicy defaultPolicy() {
        return defaultPolicy;
    }

    /** The canonical names of the allowed policies, in the order configured. */
    public List<String> allowedNames() {
        return allowedNames;
    }

    /** N, the number of backup servers. */
    public int servers() {
        return servers;
    }

    /**
     * The policy a checkpoint is striped with.
     *
     * @param requested the policy its record names, or null for the default
     * @param where     the record, for messages ("application a checkpoint 3 segment 0")
     * @throws RejectedRecordException {@link DeadLetterReason#INVALID_RECORD} when the name does not parse,
     *     {@link DeadLetterReason#POLICY_NOT_ALLOWED} when it is not allowed, {@link DeadLetterReason#TOO_FEW_SERVERS}
     *     when its cells per stripe exceed N; the last two with headers naming the policy and what there is
     */
    public RedundancyPolicy resolve(String requested, String where) {
        if (requested == null) {
            return defaultPolicy;
        }
        RedundancyPolicy policy;
        try {
            policy = RedundancyPolicy.parse(requested);
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " names a policy that does not "
                    + "parse: " + e.getMessage());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Topics.DLQ_POLICY_HEADER, requested);
        RedundancyPolicy known = allowed.get(policy.name());
        if (known == null) {
            headers.put(Topics.DLQ_ALLOWED_POLICIES_HEADER, String.join(",", allowedNames));
            throw new RejectedRecordException(DeadLetterReason.POLICY_NOT_ALLOWED, where + " asks for policy "
                    + policy.name() + ", which is not among the allowed policies " + allowedNames, null, headers);
        }
        try {
            SegmentStriper.checkServers(known, servers);
        } catch (IllegalArgumentException e) {
            headers.put(Topics.DLQ_SERVERS_HEADER, Integer.toString(servers));
            throw new RejectedRecordException(DeadLetterReason.TOO_FEW_SERVERS, where + ": " + e.getMessage(), null,
                    headers);
        }
        return known;
    }

    /**
     * The striper of a segment's checkpoint, once its application id and format version pass and its policy
     * {@linkplain #resolve resolves}.
     *
     * @throws RejectedRecordException when one of those checks fails
     */
    public SegmentStriper forSegment(CheckpointSegment segment) {
        SegmentStriper.checkFormat(segment.getFormatVersion(), "segment", segment.getAppId(),
                segment.getCheckpointId());
        return striper(resolve(segment.getPolicy(), SegmentStriper.where(segment.getAppId(),
                segment.getCheckpointId()) + " segment " + segment.getSegmentIndex()));
    }

    /**
     * The striper of a commit's checkpoint, as {@link #forSegment} finds it.
     *
     * @throws RejectedRecordException when a check fails
     */
    public SegmentStriper forCommit(CheckpointCommit commit) {
        SegmentStriper.checkFormat(commit.getFormatVersion(), "commit", commit.getAppId(), commit.getCheckpointId());
        return striper(resolve(commit.getPolicy(), "commit of " + SegmentStriper.where(commit.getAppId(),
                commit.getCheckpointId())));
    }

    /** The striper of {@code policy}, made at its first use and kept. */
    public SegmentStriper striper(RedundancyPolicy policy) {
        return stripers.computeIfAbsent(policy.name(), name -> new SegmentStriper(policy, servers));
    }

    /** The default and allowed policies and N, for a log line. */
    @Override
    public String toString() {
        return "default " + defaultPolicy.name() + ", allowed " + allowedNames + ", " + servers + " servers";
    }
}
