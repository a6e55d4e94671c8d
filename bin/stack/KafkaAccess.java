// Users, ACLs and topics of the secured local stack's Kafka broker (bin/stack.sh, `stack up --secure`).
// Run with Java's source launcher on the `kafka` classpath of bin/stack/pom.xml:
//   java -cp <classpath> bin/stack/KafkaAccess.java <secure dir> <bootstrap of the mTLS INTERNAL listener>
// Connects as the broker's own certificate identity (a super user), so no password is needed to bootstrap. Passwords
// are read from <secure dir>/<user>.password and never passed as arguments (those show in process lists), which is
// why this is Java and not kafka-storage --add-scram / kafka-configs. Kafka's ACL command line lives in kafka-tools,
// which the stack does not otherwise need.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaAccess {
    /** Topics the default job reads: telemetry, and the rule, service-catalog and silence updates (compacted). */
    static final List<String> READ = List.of("vigil-telemetry", "vigil-rules", "vigil-services", "vigil-silences");
    /** Topics the default job writes. */
    static final List<String> WRITE = List.of("vigil-alerts", "vigil-dead-letters", "vigil-rollups", "vigil-incidents");
    /** The job user's consumer groups and transactional ids start with this (the job name). */
    static final String PREFIX = "vigil";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Properties p = new Properties();
        p.put("bootstrap.servers", args[1]);
        p.put("security.protocol", "SSL");
        p.put("ssl.keystore.type", "PEM");
        p.put("ssl.keystore.location", dir.resolve("server.pem").toString());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", dir.resolve("ca.crt").toString());
        try (Admin admin = Admin.create(p)) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (String user : List.of("admin", "vigil")) {
                String password =
                        Files.readString(dir.resolve(user + ".password")).strip();
                users.add(new UserScramCredentialUpsertion(
                        user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password));
            }
            admin.alterUserScramCredentials(List.copyOf(users)).all().get();

            List<NewTopic> topics = new ArrayList<>();
            for (String t : READ) {
                NewTopic nt = new NewTopic(t, 2, (short) 1);
                if (!t.equals("vigil-telemetry")) nt.configs(Map.of("cleanup.policy", "compact"));
                topics.add(nt);
            }
            for (String t : WRITE) topics.add(new NewTopic(t, 2, (short) 1));
            for (NewTopic t : topics) {
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }

            // The job user: reads its input topics, writes its output topics, owns its groups and transactions.
            String job = "User:vigil";
            List<AclBinding> acls = new ArrayList<>();
            for (String t : READ) {
                acls.add(allow(ResourceType.TOPIC, t, PatternType.LITERAL, job, AclOperation.READ));
                acls.add(allow(ResourceType.TOPIC, t, PatternType.LITERAL, job, AclOperation.DESCRIBE));
            }
            for (String t : WRITE) {
                acls.add(allow(ResourceType.TOPIC, t, PatternType.LITERAL, job, AclOperation.WRITE));
                acls.add(allow(ResourceType.TOPIC, t, PatternType.LITERAL, job, AclOperation.DESCRIBE));
            }
            acls.add(allow(ResourceType.GROUP, PREFIX, PatternType.PREFIXED, job, AclOperation.READ));
            acls.add(allow(ResourceType.GROUP, PREFIX, PatternType.PREFIXED, job, AclOperation.DESCRIBE));
            // Exactly once: the Kafka sink's transactional producers (ids <prefix>-...).
            acls.add(allow(ResourceType.TRANSACTIONAL_ID, PREFIX, PatternType.PREFIXED, job, AclOperation.WRITE));
            acls.add(allow(ResourceType.TRANSACTIONAL_ID, PREFIX, PatternType.PREFIXED, job, AclOperation.DESCRIBE));
            acls.add(allow(
                    ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, job, AclOperation.IDEMPOTENT_WRITE));
            admin.createAcls(acls).all().get();
        }
        System.out.println("vigil: Kafka users admin and vigil, ACLs of vigil and topics ready");
    }

    static AclBinding allow(ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }
}
