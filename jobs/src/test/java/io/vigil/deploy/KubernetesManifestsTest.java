package io.vigil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vigil.cluster.JobArguments;
import io.vigil.cluster.KafkaDetectionJob;
import io.vigil.cluster.VigilJobConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/kubernetes/flinkdeployment.yaml} is a valid {@code FlinkDeployment} for the Flink Kubernetes Operator
 * (checked against the operator's own CRD schema, vendored under {@code deploy/kubernetes/crd/}) and fits the rest of
 * the repository: the Flink version of the build, the jar path of the Dockerfile, the job's own argument parser, the
 * rules as a ConfigMap volume lays them out, object storage for checkpoints and savepoints, savepoint upgrades and the
 * Prometheus reporter of the local stack.
 *
 * <p>The API server prunes unknown fields rather than rejecting them, which would hide a misspelt field; like
 * {@code kubectl apply --validate=strict}, this test rejects any field the schema does not name.
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DEPLOY = ROOT.resolve("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode crd;
    private static Schema schema;
    private static JsonNode deployment;

    @BeforeAll
    static void load() throws IOException {
        crd = YAML.readTree(
                DEPLOY.resolve("crd/flinkdeployments.flink.apache.org-v1.yml").toFile());
        JsonNode version = null;
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1beta1")) version = v;
        }
        assertNotNull(version, "the CRD serves v1beta1");
        JsonNode openApi = version.path("schema").path("openAPIV3Schema").deepCopy();
        strict(openApi);
        // A structural Kubernetes schema is OpenAPI 3.0's subset of JSON Schema draft 4; the x-kubernetes-* keywords
        // are extensions a validator ignores.
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(openApi);
        deployment = YAML.readTree(DEPLOY.resolve("flinkdeployment.yaml").toFile());
    }

    /** Closes every object schema that lists its properties and does not keep unknown fields on purpose. */
    private static void strict(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.has("properties")
                    && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
        }
        if (node.isContainerNode()) node.forEach(KubernetesManifestsTest::strict);
    }

    /** The problems the operator's schema finds in a resource (its body without apiVersion, kind and metadata). */
    private static List<String> problems(JsonNode resource) {
        ObjectNode body = resource.deepCopy();
        body.remove(List.of("apiVersion", "kind", "metadata"));
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(body)) out.add(e.getInstanceLocation() + ": " + e.getMessage());
        return out;
    }

    @Test
    void theFlinkDeploymentMatchesTheOperatorsCrdSchema() {
        String group = crd.path("spec").path("group").asText();
        assertEquals(group + "/v1beta1", deployment.path("apiVersion").asText());
        assertEquals(
                crd.path("spec").path("names").path("kind").asText(),
                deployment.path("kind").asText());
        assertTrue(
                deployment.path("metadata").path("name").asText().matches("[a-z]([-a-z0-9]*[a-z0-9])?"),
                "a DNS-1035 name");
        assertEquals(List.of(), problems(deployment));
    }

    @Test
    void theSchemaCheckRejectsMisspeltFieldsWrongValuesAndWrongTypes() {
        ObjectNode typo = deployment.deepCopy();
        ((ObjectNode) typo.path("spec").path("job")).put("upgradeMod", "savepoint");
        assertFalse(problems(typo).isEmpty(), "a misspelt field is reported");

        ObjectNode badEnum = deployment.deepCopy();
        ((ObjectNode) badEnum.path("spec").path("job")).put("upgradeMode", "sometimes");
        assertFalse(problems(badEnum).isEmpty(), "an upgrade mode the operator does not know is reported");

        ObjectNode badType = deployment.deepCopy();
        ((ObjectNode) badType.path("spec").path("job")).put("parallelism", "two");
        assertFalse(problems(badType).isEmpty(), "a string parallelism is reported");

        ObjectNode badPod = deployment.deepCopy();
        ((ObjectNode) badPod.path("spec").path("podTemplate").path("spec")).put("volumez", "x");
        assertFalse(problems(badPod).isEmpty(), "the pod template is checked against the Pod schema too");
    }

    @Test
    void upgradesGoThroughSavepointsAndStateLivesInObjectStorage() throws IOException {
        JsonNode spec = deployment.path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        assertEquals("savepoint", spec.path("job").path("upgradeMode").asText());
        assertEquals("running", spec.path("job").path("state").asText());
        for (String key : List.of(
                "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir",
                "high-availability.storageDir")) {
            assertTrue(conf.path(key).asText().startsWith("s3://"), key + " in object storage: " + conf.path(key));
        }
        // Flink's S3 plugin, from the image's own plugins, in the version the image carries.
        String plugins = env(spec, "ENABLE_BUILT_IN_PLUGINS");
        assertEquals("flink-s3-fs-presto-" + flinkVersion() + ".jar", plugins);
    }

    /** The local stack's cluster configuration, which the deployment's settings follow. */
    private static JsonNode localStack() throws IOException {
        return YAML.readTree(ROOT.resolve("flink-conf/config.yaml").toFile());
    }

    /** Every state backend setting of the local stack (backend, RocksDB options, where timers live) is deployed too. */
    @Test
    void theStateBackendIsTheLocalStacks() throws IOException {
        Map<String, String> local = new TreeMap<>();
        flatten("state", localStack().path("state"), local);
        assertTrue(
                local.containsKey("state.backend.rocksdb.timer-service.factory"),
                "flink-conf/config.yaml says where timers live: " + local);
        JsonNode conf = deployment.path("spec").path("flinkConfiguration");
        Map<String, String> deployed = new TreeMap<>();
        conf.fieldNames().forEachRemaining(k -> {
            if (k.startsWith("state.")) deployed.put(k, conf.path(k).asText());
        });
        assertEquals(local, deployed);
    }

    /** A YAML tree's leaves under dotted keys, as Flink reads nested and flat keys alike. */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, node.asText());
        }
    }

    @Test
    void theNetworkBuffersAreTheLocalStacks() throws IOException {
        JsonNode local = localStack();
        String segment = local.at("/taskmanager/memory/segment-size").asText();
        assertFalse(segment.isEmpty(), "flink-conf/config.yaml sets taskmanager.memory.segment-size");
        assertEquals(
                segment,
                deployment
                        .path("spec")
                        .path("flinkConfiguration")
                        .path("taskmanager.memory.segment-size")
                        .asText());
    }

    @Test
    void thePrometheusReporterIsTheLocalStacksAndItsPortIsExposed() throws IOException {
        JsonNode conf = deployment.path("spec").path("flinkConfiguration");
        JsonNode local = localStack();
        assertEquals(
                local.at("/metrics/reporter/prom/factory/class").asText(),
                conf.path("metrics.reporter.prom.factory.class").asText());
        String port = conf.path("metrics.reporter.prom.port").asText();
        boolean exposed = false;
        for (JsonNode p : mainContainer(deployment.path("spec")).path("ports")) {
            exposed |= p.path("containerPort").asText().equals(port);
        }
        assertTrue(exposed, "the reporter's port " + port + " is a container port");
        assertEquals(
                "pipeline.generic-types=false",
                "pipeline.generic-types=" + conf.path("pipeline.generic-types").asText());
    }

    @Test
    void theImageTheJarAndTheFlinkVersionFitTheBuild() throws Exception {
        JsonNode spec = deployment.path("spec");
        String v = flinkVersion();
        assertEquals(
                "v" + v.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"),
                spec.path("flinkVersion").asText());
        String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("FROM flink:" + v + "-java17"), "the image is Flink " + v + " on Java 17");
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(dockerfile);
        assertTrue(copy.find(), "the Dockerfile copies the job jar");
        assertEquals("local://" + copy.group(2), spec.path("job").path("jarURI").asText());
        String projectVersion = pomProperty("<version>([^<]+)</version>");
        assertEquals("jobs/target/vigil-jobs-" + projectVersion + "-job.jar", copy.group(1), "the shaded job jar");
        Class.forName(spec.path("job").path("entryClass").asText());
    }

    /**
     * The job's arguments pass its own parser, and the job graph builds with the repository's rules mounted as the
     * ConfigMaps of the docs: {@code vigil-rules} (every rule file outside {@code tests/} and the catalog, one key per
     * file name) and {@code vigil-lists} (the list files that rules name as {@code ../lists/...}), each laid out as
     * the kubelet mounts a ConfigMap.
     */
    @Test
    void theJobArgumentsParseAndTheRulesConfigMapsLoad(@TempDir Path tmp) throws Exception {
        JsonNode spec = deployment.path("spec");
        Map<String, String> mounts = new TreeMap<>(); // ConfigMap name -> mount path
        for (JsonNode m : mainContainer(spec).path("volumeMounts")) {
            for (JsonNode vol : spec.path("podTemplate").path("spec").path("volumes")) {
                if (vol.path("name").equals(m.path("name")) && vol.has("configMap")) {
                    mounts.put(
                            vol.path("configMap").path("name").asText(),
                            m.path("mountPath").asText());
                }
            }
        }
        assertEquals(Set.of("vigil-rules", "vigil-lists"), mounts.keySet(), "the ConfigMaps mounted");
        String mount = mounts.get("vigil-rules");
        Path mountRoot = Path.of(mount).getParent();
        assertEquals(
                mountRoot.resolve("lists").toString(),
                mounts.get("vigil-lists"),
                "lists beside the rules, at ../lists");

        Path root = tmp.resolve("opt");
        Path rules = configMap(
                root.resolve("rules"),
                ROOT.resolve("rules"),
                f -> f.toString().endsWith(".yaml") && !f.toString().contains("/tests/"));
        configMap(root.resolve("lists"), ROOT.resolve("rules/lists"), f -> true);

        List<String> args = new ArrayList<>();
        boolean rulesDir = false;
        for (JsonNode a : spec.path("job").path("args")) {
            String arg = a.asText();
            if (arg.equals("--rules-dir=" + mount)) {
                rulesDir = true;
                arg = "--rules-dir=" + rules;
            }
            args.add(arg);
        }
        assertTrue(rulesDir, "--rules-dir names the ConfigMap's mount path " + mount + ": " + args);
        VigilJobConfig c = JobArguments.parse(args.toArray(String[]::new));
        assertNotNull(c);
        assertEquals(rules.resolve("_services.yaml"), c.catalog, "the service catalog comes with the rules");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaDetectionJob.build(env, c, false);
        env.getStreamGraph(); // every rule compiles, every operator has its uid
    }

    /**
     * The files under {@code from} that {@code select} takes, laid out as the kubelet mounts a ConfigMap made of them
     * ({@code kubectl create configmap --from-file} per file): one key per file name, the files in a hidden
     * timestamped folder, {@code ..data} linking to it, each key a link through {@code ..data}.
     */
    private static Path configMap(Path mount, Path from, java.util.function.Predicate<Path> select) throws IOException {
        Path data = Files.createDirectories(mount.resolve("..2026_12_04_00_00_00.000000001"));
        Set<String> keys = new HashSet<>();
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.filter(Files::isRegularFile).filter(select).toList()) {
                String key = f.getFileName().toString();
                assertTrue(keys.add(key), "two files are named " + key + ": a ConfigMap has one key each");
                Files.copy(f, data.resolve(key));
                Files.createSymbolicLink(mount.resolve(key), Path.of("..data", key));
            }
        }
        Files.createSymbolicLink(mount.resolve("..data"), data.getFileName());
        return mount;
    }

    private static JsonNode mainContainer(JsonNode spec) {
        for (JsonNode c : spec.path("podTemplate").path("spec").path("containers")) {
            // the operator merges its Flink container into the one of this name
            if (c.path("name").asText().equals("flink-main-container")) return c;
        }
        throw new AssertionError("no flink-main-container in the pod template");
    }

    private static String env(JsonNode spec, String name) {
        for (JsonNode e : mainContainer(spec).path("env")) {
            if (e.path("name").asText().equals(name)) return e.path("value").asText();
        }
        throw new AssertionError("no " + name + " in the main container's env");
    }

    private static String flinkVersion() throws IOException {
        return pomProperty("<flink.version>([^<]+)</flink.version>");
    }

    private static String pomProperty(String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), regex + " in the root pom");
        return m.group(1);
    }
}
