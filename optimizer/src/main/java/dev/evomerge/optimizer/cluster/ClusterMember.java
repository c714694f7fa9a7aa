package dev.evomerge.optimizer.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Starts this process's Hazelcast member the way every evomerge member starts: joined by an explicit member list
 * over TCP/IP (multicast and auto-detection off), bound to one interface (loopback unless told otherwise, and never
 * beyond it without a secret), no phone-home, Hazelcast's own log at errors only (its warnings are about its own
 * housekeeping: migrations, members leaving), and Java deserialization limited to Hazelcast's and the JDK's classes: evomerge's payloads are strings, so nothing a foreign member
 * offers as a serialized object can make a member run code.
 *
 * {@snippet :
 * HazelcastInstance hz = ClusterMember.start(ClusterMember.Role.WORKER, List.of("127.0.0.1:5701"),
 *         ClusterMember.Bind.parse("127.0.0.1:5701"), secret);
 * }
 */
public final class ClusterMember {

    /** The name every evomerge cluster shares; members of other Hazelcast clusters do not join it. */
    public static final String CLUSTER_NAME = "evomerge";
    /** The first port tried when none is given (Hazelcast's usual one). */
    public static final int DEFAULT_PORT = 5701;

    /** A JVM property naming Hazelcast's log level ({@code -Devomerge.hazelcast.log=INFO} to see its membership news). */
    public static final String LOG_LEVEL_PROPERTY = "evomerge.hazelcast.log";

    // Kept so that the level set on it is not lost when the logger is collected.
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    /** A search (a lite member: it holds no cluster data and scores nothing itself), or a worker. */
    public enum Role { SEARCH, WORKER }

    /** Where a member listens: a host (name or address) and a first port, tried upwards when taken. */
    public record Bind(String host, int port) {
        public Bind {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range");
            }
        }

        public static final Bind LOOPBACK = new Bind("127.0.0.1", DEFAULT_PORT);

        /** {@code host:port} or {@code host}; the key names the option or config entry in errors. */
        public static Bind parse(String text, String key) {
            String t = text.strip();
            int colon = t.lastIndexOf(':');
            if (colon < 0) {
                return new Bind(t, DEFAULT_PORT);
            }
            try {
                return new Bind(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": '" + text + "' is not host:port");
            }
        }

        boolean isLoopback() {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bind address '" + host + "' does not resolve");
            }
        }

        /** Whether this machine has an interface with this host's address. */
        boolean isLocal() {
            try {
                InetAddress a = InetAddress.getByName(host);
                return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
            } catch (UnknownHostException | SocketException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private ClusterMember() {
    }

    /**
     * Where a member binds when not told: the first listed member that is one of this machine's addresses (a search
     * on a machine that is also in the list), else loopback.
     */
    public static Bind defaultBind(List<String> members) {
        for (String m : members) {
            Bind b = Bind.parse(m, "members");
            if (!b.isLoopback() && b.isLocal()) {
                return b;
            }
        }
        return Bind.LOOPBACK;
    }

    /** Starts and joins a member; fails with a one-line error when binding beyond loopback without a secret. */
    public static HazelcastInstance start(Role role, List<String> members, Bind bind, ClusterSecret secret) {
        checkBind(bind, secret);
        HAZELCAST_LOG.setLevel(Level.parse(System.getProperty(LOG_LEVEL_PROPERTY, "SEVERE")));
        return Hazelcast.newHazelcastInstance(config(role, members, bind));
    }

    /** Refuses to bind beyond loopback without a secret. */
    public static void checkBind(Bind bind, ClusterSecret secret) {
        if (!bind.isLoopback() && !secret.isGiven()) {
            throw new IllegalArgumentException("binding to " + bind + " (beyond loopback) needs a cluster secret:"
                    + " --secret-file FILE (mode 0600) or " + ClusterSecret.ENVIRONMENT);
        }
    }

    static Config config(Role role, List<String> members, Bind bind) {
        Config config = new Config();
        config.setClusterName(CLUSTER_NAME);
        config.setInstanceName("evomerge-" + role.name().toLowerCase(java.util.Locale.ROOT) + "-" + UUID.randomUUID());
        config.setLiteMember(role == Role.SEARCH);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.socket.bind.any", "false");
        // A worker killed mid-candidate must be noticed in seconds, not Hazelcast's default minute.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        // Workers stop when told (or killed); Hazelcast's own hook would race evomerge's orderly shutdown.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        quiet(config);
        NetworkConfig net = config.getNetworkConfig();
        net.setPort(bind.port()).setPortAutoIncrement(true).setPortCount(100);
        net.getInterfaces().setEnabled(true).addInterface(resolve(bind.host()));
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members.isEmpty() ? List.of(bind.toString()) : members);
        ClassFilter allowed = new ClassFilter()
                .addPrefixes("com.hazelcast.", "java.lang.", "java.util.", "[Ljava.lang.", "[Ljava.util.");
        config.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
                .setDefaultsDisabled(true).setWhitelist(allowed));
        return config;
    }

    /**
     * Few threads and little housekeeping: where every core scores candidates, each CPU-millisecond Hazelcast spends
     * is taken from a worker, and evomerge's data is a handful of small queues. With Hazelcast's defaults the search
     * spent about 27 ms of CPU per candidate in Hazelcast's threads (bench-cluster, 2 workers on 2 cores): metrics
     * collection, the health monitor, migrations of 271 partitions when a worker joins, pools sized for a server.
     */
    private static void quiet(Config config) {
        // Every member must have the same count; a few suffice to spread the workers' inboxes.
        config.setProperty("hazelcast.partition.count", String.valueOf(PARTITIONS));
        config.setProperty("hazelcast.operation.thread.count", "1");
        config.setProperty("hazelcast.operation.generic.thread.count", "1");
        config.setProperty("hazelcast.operation.response.thread.count", "1");
        config.setProperty("hazelcast.io.thread.count", "1");
        config.setProperty("hazelcast.io.balancer.interval.seconds", "-1");
        config.setProperty("hazelcast.event.thread.count", "1");
        config.setProperty("hazelcast.health.monitoring.level", "OFF");
        config.setProperty("hazelcast.slow.operation.detector.enabled", "false");
        config.getMetricsConfig().setEnabled(false);
    }

    /** Partitions of an evomerge cluster's data (Hazelcast's default, 271, is for large maps). */
    static final int PARTITIONS = 7;

    private static String resolve(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind address '" + host + "' does not resolve");
        }
    }

    /** A member's {@code host:port}. */
    public static String address(Member m) {
        return m.getAddress().getHost() + ":" + m.getAddress().getPort();
    }

    /** The ids of the cluster's data members (workers; the search is a lite member). */
    static Set<String> workerIds(HazelcastInstance hz) {
        return hz.getCluster().getMembers().stream().filter(m -> !m.isLiteMember())
                .map(m -> m.getUuid().toString()).collect(Collectors.toSet());
    }
}
