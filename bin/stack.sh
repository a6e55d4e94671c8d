# shellcheck shell=bash
# The local stack behind `bin/vigil stack|submit|deploy`: a Kafka KRaft broker and a Flink standalone session cluster,
# both from Maven jars, on 127.0.0.1 with fixed ports and all data under one folder.
#
# Sourced by bin/vigil (which sets VIGIL_ROOT). Each service is a few functions, so adding one (an Alertmanager, ...)
# means writing them and appending its name to STACK_SERVICES, or to STACK_RESULT_SERVICES for an output of the job:
#   svc_<name>_start    start the process in the background (use stack_spawn), return at once
#   svc_<name>_ready    exit 0 once it answers (polled by stack_wait until VIGIL_STACK_TIMEOUT; `stack status` health)
#   svc_<name>_log      print the path of its main log
#   svc_<name>_address  print where it answers (`stack up`, `stack status`)
#   svc_<name>_job_args (result services) print the job arguments that send results to it: the default job of
#                       `vigil submit` writes to every result service that runs
# Stopping is generic (the pid file under run/), unless svc_<name>_stop exists.
#
# Environment:
#   VIGIL_HOME          data folder (default <repo>/.vigil/stack)
#   VIGIL_PORT_OFFSET   added to every port below (default 0), so tests can run a stack beside yours
#   VIGIL_STACK_TIMEOUT seconds to wait for each service to be ready (default 120)
#   VIGIL_STACK_DEBUG   comma-separated logger names the JobManager and TaskManagers log at DEBUG, e.g.
#                       org.apache.flink.connector.kafka.sink to see every transaction commit (default none)

VIGIL_HOME="${VIGIL_HOME:-$VIGIL_ROOT/.vigil/stack}"
VIGIL_PORT_OFFSET="${VIGIL_PORT_OFFSET:-0}"
VIGIL_STACK_TIMEOUT="${VIGIL_STACK_TIMEOUT:-120}"

STACK_SERVICES=(kafka jobmanager taskmanager-1)
# Outputs of the job, started by `stack up` after the core services unless left out with --without (which takes
# these names, or `search` for opensearch).
STACK_RESULT_SERVICES=(opensearch prometheus)

# Fixed ports (plus the offset). TaskManager n gets 6200+10n (rpc), +1 (data), +2 (metrics query), 9250+n (Prometheus).
KAFKA_PORT=$((9092 + VIGIL_PORT_OFFSET))
KAFKA_CONTROLLER_PORT=$((9093 + VIGIL_PORT_OFFSET))
JM_RPC_PORT=$((6123 + VIGIL_PORT_OFFSET))
JM_BLOB_PORT=$((6124 + VIGIL_PORT_OFFSET))
JM_QUERY_PORT=$((6125 + VIGIL_PORT_OFFSET))
JM_PROM_PORT=$((9249 + VIGIL_PORT_OFFSET))
REST_PORT=$((8081 + VIGIL_PORT_OFFSET))
# Where results go (`stack up` starts them; `--without search,prometheus` leaves them out).
SEARCH_PORT=$((9200 + VIGIL_PORT_OFFSET))
SEARCH_TRANSPORT_PORT=$((9300 + VIGIL_PORT_OFFSET))
PROMETHEUS_PORT=$((9090 + VIGIL_PORT_OFFSET))
# The secured stack (`stack up --secure`) only: Kafka's mTLS listener for the broker itself and the stack's admin
# tool, and the OpenSearch node's own HTTP port behind the authenticating TLS proxy (which takes SEARCH_PORT).
KAFKA_INTERNAL_PORT=$((9097 + VIGIL_PORT_OFFSET))
SEARCH_INTERNAL_PORT=$((9210 + VIGIL_PORT_OFFSET))

STACK_RUN="$VIGIL_HOME/run"
# Flink looks for plugins here; an empty folder of our own keeps it from warning about ./plugins.
export FLINK_PLUGINS_DIR="$VIGIL_HOME/flink/plugins"
STACK_LOGS="$VIGIL_HOME/logs"
FLINK_CONF="$VIGIL_HOME/flink/conf"

stack_die() { echo "vigil stack: $*" >&2; exit 1; }

# The --add-opens list Flink needs on Java 17, from the root pom (one place for it).
stack_jvm_opens() {
    sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' "$VIGIL_ROOT/pom.xml"
}

# Resolves a server classpath (profile kafka or flink of bin/stack/pom.xml) once, again when a pom changes.
stack_classpath() {
    local profile=$1 cp="$VIGIL_HOME/classpath/$1.cp"
    if [[ ! -s "$cp" || "$VIGIL_ROOT/pom.xml" -nt "$cp" || "$VIGIL_ROOT/bin/stack/pom.xml" -nt "$cp" ]]; then
        mkdir -p "$VIGIL_HOME/classpath"
        echo "vigil stack: resolving the $profile classpath from Maven (once)..." >&2
        # bin/stack/pom.xml finds its parent (the root pom, with every version) by relative path.
        mvn -q -B -Dstyle.color=never -f "$VIGIL_ROOT/bin/stack/pom.xml" -P"$profile" dependency:build-classpath \
            -Dmdep.outputFile="$cp" >"$VIGIL_HOME/classpath/$profile.mvn.log" 2>&1 \
            || stack_die "cannot resolve the $profile classpath; see $VIGIL_HOME/classpath/$profile.mvn.log"
    fi
    cat "$cp"
}

stack_pid() { local f="$STACK_RUN/$1.pid"; [[ -f "$f" ]] && cat "$f"; }

# True when the service's recorded process is alive and is still ours (pids get reused).
stack_alive() {
    local pid; pid=$(stack_pid "$1") || return 1
    [[ -n "$pid" && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "-Dvigil.service=$1 -Dvigil.home=$VIGIL_HOME " && return 0
    # Services that are not Java (Prometheus) carry the same marker in their environment (stack_spawn_exec).
    { tr '\0' '\n' </proc/"$pid"/environ; } 2>/dev/null | grep -qx -- "VIGIL_SERVICE=$1@$VIGIL_HOME"
}

# stack_spawn NAME LOGFILE JAVA_ARGS...: runs java detached (own session, no inherited stdio), records the pid.
stack_spawn() {
    local name=$1 out=$2; shift 2
    mkdir -p "$STACK_RUN" "$STACK_LOGS"
    setsid java "-Dvigil.service=$name" "-Dvigil.home=$VIGIL_HOME" "$@" </dev/null >"$out" 2>&1 &
    echo $! >"$STACK_RUN/$name.pid"
}

# stack_spawn_exec NAME LOGFILE COMMAND...: like stack_spawn for a program that is not Java.
stack_spawn_exec() {
    local name=$1 out=$2; shift 2
    mkdir -p "$STACK_RUN" "$STACK_LOGS"
    setsid env "VIGIL_SERVICE=$name@$VIGIL_HOME" "$@" </dev/null >"$out" 2>&1 &
    echo $! >"$STACK_RUN/$name.pid"
}

stack_address() {
    local fn="svc_${1%%-*}_address"
    "$fn" "$1"
}

stack_log() {
    local fn="svc_${1%%-*}_log"
    "$fn" "$1"
}

# Waits until the service is ready; fails with its log's tail if it dies or the timeout passes.
stack_wait() {
    local name=$1 fn="svc_${1%%-*}_ready" deadline=$((SECONDS + VIGIL_STACK_TIMEOUT)) grace=$((SECONDS + 10))
    while ! "$fn" "$name"; do
        # On a loaded machine the spawned child may not have exec'd java yet (its cmdline is still the shell's):
        # a process that exists is given a few seconds before it counts as exited.
        if ! stack_alive "$name" && ! { ((SECONDS < grace)) && [[ -d /proc/$(stack_pid "$name") ]]; }; then
            tail -n 30 "$(stack_log "$name")" >&2 2>/dev/null
            stack_die "$name exited during start-up; its log: $(stack_log "$name")"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$(stack_log "$name")" >&2 2>/dev/null
            stack_die "$name not ready after ${VIGIL_STACK_TIMEOUT}s; its log: $(stack_log "$name")"
        fi
        sleep 0.5
    done
}

stack_start() {
    local name=$1
    if stack_alive "$name"; then
        echo "$name already running (pid $(stack_pid "$name"))"
        return 0
    fi
    "svc_${name%%-*}_start" "$name"
    stack_wait "$name"
    # A service that needs setting up through its own API once it answers (the secured Kafka's users and ACLs).
    if declare -F "svc_${name%%-*}_configure" >/dev/null; then "svc_${name%%-*}_configure" "$name" || exit 1; fi
    echo "$name ready (pid $(stack_pid "$name")), log: $(stack_log "$name")"
}

# Stops a service: SIGTERM, then SIGKILL after 20 s. `stack_stop NAME kill` kills at once (the recovery tests).
stack_stop() {
    local name=$1 mode=${2:-term} pid
    if declare -F "svc_${name%%-*}_stop" >/dev/null; then "svc_${name%%-*}_stop" "$name" "$mode"; return; fi
    if ! stack_alive "$name"; then rm -f "$STACK_RUN/$name.pid"; return 0; fi
    pid=$(stack_pid "$name")
    if [[ $mode == kill ]]; then kill -KILL "$pid"; else kill -TERM "$pid"; fi
    for _ in $(seq 1 40); do stack_alive "$name" || break; sleep 0.5; done
    if stack_alive "$name"; then kill -KILL "$pid"; sleep 0.5; fi
    rm -f "$STACK_RUN/$name.pid"
    echo "$name stopped"
}

# Every service that has a pid file, including TaskManagers started beside the first.
stack_running_services() {
    local f
    for f in "$STACK_RUN"/*.pid; do [[ -e "$f" ]] && basename "$f" .pid; done
}

# ---------------------------------------------------------------------------------------------------------------------
# Kafka 4.2 broker in KRaft mode (combined broker + controller, one node).

svc_kafka_log() { echo "$STACK_LOGS/kafka.log"; }

svc_kafka_start() {
    local dir="$VIGIL_HOME/kafka" cp opens
    cp=$(stack_classpath kafka) || exit 1
    mkdir -p "$dir/data" "$STACK_LOGS"
    # A single broker must keep internal topics at replication 1, or transactions and consumer groups never work.
    if stack_secure; then
        (umask 077 && stack_kafka_secure_listeners >"$dir/server.properties")
    else
        cat >"$dir/server.properties" <<EOF
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
EOF
    fi
    cat >>"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
log.dirs=$dir/data
num.partitions=2
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
transaction.max.timeout.ms=900000
EOF
    if [[ ! -f "$dir/data/meta.properties" ]]; then
        local id
        id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
        [[ -n "$id" ]] || stack_die "kafka: StorageTool random-uuid gave no id"
        # Kafka's default features (transaction protocol v2), as a user's new Kafka 4 cluster has them.
        java -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" \
            >"$STACK_LOGS/kafka-format.log" 2>&1 || stack_die "kafka: format failed; see $STACK_LOGS/kafka-format.log"
    fi
    opens=$(stack_jvm_opens)
    # shellcheck disable=SC2086
    stack_spawn kafka "$STACK_LOGS/kafka.log" -Xms256m -Xmx512m $opens \
        "-Dlog4j.configurationFile=file:$VIGIL_ROOT/flink-conf/log4j-console.properties" \
        -cp "$cp" kafka.Kafka "$dir/server.properties"
}

svc_kafka_address() {
    if stack_secure; then echo "127.0.0.1:$KAFKA_PORT (SASL_SSL, SCRAM-SHA-512)"; else echo "127.0.0.1:$KAFKA_PORT"; fi
}

# The secured broker's listeners: clients on SASL_SSL with SCRAM-SHA-512; the broker's own connections (to its
# controller, to itself for transaction markers) and the stack's admin tool on TLS listeners that require a client
# certificate, the broker's, whose CN (vigil-broker) is a super user. Only principals with ACLs get anything else.
stack_kafka_secure_listeners() {
    local sec="$VIGIL_HOME/secure"
    cat <<EOF
listeners=CLIENT://127.0.0.1:$KAFKA_PORT,INTERNAL://127.0.0.1:$KAFKA_INTERNAL_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=CLIENT://127.0.0.1:$KAFKA_PORT,INTERNAL://127.0.0.1:$KAFKA_INTERNAL_PORT
listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL
inter.broker.listener.name=INTERNAL
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.internal.ssl.client.auth=required
listener.name.controller.ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.location=$sec/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=$sec/ca.crt
ssl.principal.mapping.rules=RULE:^CN=([a-zA-Z0-9.-]+).*\$/\$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:vigil-broker;User:admin
EOF
}

# Users admin and vigil (passwords from the secure folder), the vigil user's ACLs and the default job's topics.
svc_kafka_configure() {
    stack_secure || return 0
    local cp
    cp=$(stack_classpath kafka) || exit 1
    java -cp "$cp" "-Dlog4j.configurationFile=file:$VIGIL_ROOT/flink-conf/log4j-console.properties" \
        "$VIGIL_ROOT/bin/stack/KafkaAccess.java" "$VIGIL_HOME/secure" "127.0.0.1:$KAFKA_INTERNAL_PORT" \
        >"$STACK_LOGS/kafka-access.log" 2>&1 || {
        tail -n 20 "$STACK_LOGS/kafka-access.log" >&2
        stack_die "kafka: creating users and ACLs failed; see $STACK_LOGS/kafka-access.log"
    }
}

svc_kafka_ready() { grep -q "Kafka Server started" "$STACK_LOGS/kafka.log" 2>/dev/null; }

# ---------------------------------------------------------------------------------------------------------------------
# Flink standalone session cluster: one JobManager and TaskManagers numbered from 1.

# The cluster's configuration: flink-conf/ with this stack's ports and directories.
stack_flink_conf() {
    mkdir -p "$FLINK_CONF" "$FLINK_PLUGINS_DIR" "$VIGIL_HOME/flink/checkpoints" "$VIGIL_HOME/flink/savepoints" "$VIGIL_HOME/flink/tmp"
    sed -e "s|^\(    port: \)6123$|\1$JM_RPC_PORT|" \
        -e "s|^\(  port: \)8081$|\1$REST_PORT|" \
        -e "s|^\(    port: \)6124$|\1$JM_BLOB_PORT|" \
        -e "s|^\(      port: \)6125$|\1$JM_QUERY_PORT|" \
        -e "s|^\(      port: \)9249$|\1$JM_PROM_PORT|" \
        -e "s|file:///tmp/vigil-flink/checkpoints|file://$VIGIL_HOME/flink/checkpoints|" \
        -e "s|file:///tmp/vigil-flink/savepoints|file://$VIGIL_HOME/flink/savepoints|" \
        "$VIGIL_ROOT/flink-conf/config.yaml" >"$FLINK_CONF/config.yaml"
    printf 'io:\n  tmp:\n    dirs: %s\n' "$VIGIL_HOME/flink/tmp" >>"$FLINK_CONF/config.yaml"
    cp "$VIGIL_ROOT"/flink-conf/log4j*.properties "$FLINK_CONF/"
    local i=0 logger
    for logger in ${VIGIL_STACK_DEBUG:+${VIGIL_STACK_DEBUG//,/ }}; do
        i=$((i + 1))
        printf 'logger.debug%d.name = %s\nlogger.debug%d.level = DEBUG\n' "$i" "$logger" "$i" >>"$FLINK_CONF/log4j.properties"
    done
}

# BashJavaUtils computes the memory flags (line 1) and dynamic properties (line 2) that Flink's start scripts pass.
stack_flink_resources() {
    local cp=$1 cmd=$2 out
    out=$(java -cp "$cp" org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$FLINK_CONF" 2>&1) \
        || { echo "$out" >&2; stack_die "flink: BashJavaUtils $cmd failed"; }
    echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

svc_jobmanager_log() { echo "$STACK_LOGS/jobmanager.log"; }

svc_jobmanager_start() {
    local cp res jvm opens
    cp=$(stack_classpath flink) || exit 1
    stack_flink_conf
    res=$(stack_flink_resources "$cp" GET_JM_RESOURCE_PARAMS) || exit 1
    jvm=$(echo "$res" | sed -n 1p)
    opens=$(stack_jvm_opens)
    # shellcheck disable=SC2086
    stack_spawn jobmanager "$STACK_LOGS/jobmanager.out" $jvm $opens \
        "-Dlog.file=$STACK_LOGS/jobmanager.log" "-Dlog4j.configurationFile=file:$FLINK_CONF/log4j.properties" \
        -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$FLINK_CONF"
}

svc_jobmanager_address() { echo "http://127.0.0.1:$REST_PORT (web UI and REST)"; }

svc_jobmanager_ready() { curl -sf "http://127.0.0.1:$REST_PORT/overview" >/dev/null 2>&1; }

svc_taskmanager_address() { echo "127.0.0.1:$(stack_tm_rpc_port "${1#taskmanager-}") (rpc)"; }

svc_taskmanager_log() { echo "$STACK_LOGS/$1.log"; }

svc_taskmanager_start() {
    local name=$1 n=${1#taskmanager-} cp res jvm dyn opens
    [[ $n =~ ^[0-9]+$ ]] || stack_die "a TaskManager is named taskmanager-<n>, not $name"
    cp=$(stack_classpath flink) || exit 1
    [[ -f "$FLINK_CONF/config.yaml" ]] || stack_flink_conf
    res=$(stack_flink_resources "$cp" GET_TM_RESOURCE_PARAMS) || exit 1
    jvm=$(echo "$res" | sed -n 1p)
    dyn=$(echo "$res" | sed -n 2p)
    opens=$(stack_jvm_opens)
    # shellcheck disable=SC2086
    stack_spawn "$name" "$STACK_LOGS/$name.out" $jvm $opens \
        "-Dlog.file=$STACK_LOGS/$name.log" "-Dlog4j.configurationFile=file:$FLINK_CONF/log4j.properties" \
        -cp "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$FLINK_CONF" $dyn \
        -D "taskmanager.rpc.port=$(stack_tm_rpc_port "$n")" \
        -D "taskmanager.data.port=$((6201 + 10 * n + VIGIL_PORT_OFFSET))" \
        -D "metrics.internal.query-service.port=$((6202 + 10 * n + VIGIL_PORT_OFFSET))" \
        -D "metrics.reporter.prom.port=$((9250 + n + VIGIL_PORT_OFFSET))" \
        -D "taskmanager.resource-id=$name"
}

stack_tm_rpc_port() { echo $((6200 + 10 * $1 + VIGIL_PORT_OFFSET)); }

# Ready once the JobManager lists it (registered with the resource manager, so its slots can be used).
svc_taskmanager_ready() {
    curl -sf "http://127.0.0.1:$REST_PORT/taskmanagers" 2>/dev/null | grep -q "\"id\":\"$1\""
}

# ---------------------------------------------------------------------------------------------------------------------
# OpenSearch 2.19 single node from Maven jars (bin/stack/OpenSearchNode.java, run by Java's source launcher).

svc_opensearch_log() { echo "$STACK_LOGS/opensearch.log"; }

svc_opensearch_start() {
    local cp
    cp=$(stack_classpath opensearch) || exit 1
    mkdir -p "$VIGIL_HOME/opensearch"
    stack_spawn opensearch "$STACK_LOGS/opensearch.log" -Xms384m -Xmx384m \
        -Dopensearch.set.netty.runtime.available.processors=false \
        "-Dlog4j.configurationFile=file:$VIGIL_ROOT/flink-conf/log4j-console.properties" \
        -cp "$cp" "$VIGIL_ROOT/bin/stack/OpenSearchNode.java" "$VIGIL_HOME/opensearch" "$(stack_search_node_port)" \
        "$SEARCH_TRANSPORT_PORT"
}

# Secured, the node answers on an internal port and searchproxy takes SEARCH_PORT.
stack_search_node_port() { if stack_secure; then echo "$SEARCH_INTERNAL_PORT"; else echo "$SEARCH_PORT"; fi; }

svc_opensearch_address() {
    if stack_secure; then echo "http://127.0.0.1:$SEARCH_INTERNAL_PORT (internal; clients use searchproxy)"
    else echo "http://127.0.0.1:$SEARCH_PORT"; fi
}

svc_opensearch_job_args() {
    if stack_secure; then
        echo "--search-url=https://127.0.0.1:$SEARCH_PORT --search-user=vigil" \
            "--search-password-file=$VIGIL_HOME/secure/search.password --search-ca-cert=$VIGIL_HOME/secure/ca.crt"
    else
        echo "--search-url=http://127.0.0.1:$SEARCH_PORT"
    fi
}

svc_opensearch_ready() {
    grep -q "vigil: OpenSearch node ready" "$STACK_LOGS/opensearch.log" 2>/dev/null \
        && curl -sf "http://127.0.0.1:$(stack_search_node_port)/_cluster/health" >/dev/null 2>&1
}

# The secured stack's front of OpenSearch: TLS with the stack's certificate and basic auth (user vigil), forwarding
# to the node's internal port (bin/stack/SearchProxy.java; docs/operations/secured-stack.md says why not the plugin).
svc_searchproxy_log() { echo "$STACK_LOGS/searchproxy.log"; }

svc_searchproxy_start() {
    local sec="$VIGIL_HOME/secure"
    stack_spawn searchproxy "$STACK_LOGS/searchproxy.log" -Xmx96m "$VIGIL_ROOT/bin/stack/SearchProxy.java" \
        "$SEARCH_PORT" "http://127.0.0.1:$SEARCH_INTERNAL_PORT" "$sec/server.crt" "$sec/server.key" vigil \
        "$sec/search.password"
}

svc_searchproxy_ready() { stack_curl_auth search "https://127.0.0.1:$SEARCH_PORT/_cluster/health"; }

svc_searchproxy_address() { echo "https://127.0.0.1:$SEARCH_PORT (TLS, basic auth: user vigil)"; }

# The job talks to the proxy, named in opensearch's job arguments.
svc_searchproxy_job_args() { :; }

# ---------------------------------------------------------------------------------------------------------------------
# Prometheus 2.42 (Debian package `prometheus`) with the remote-write receiver; scrapes the Flink reporters.

svc_prometheus_log() { echo "$STACK_LOGS/prometheus.log"; }

svc_prometheus_start() {
    local dir="$VIGIL_HOME/prometheus" bin
    bin=$(command -v prometheus) || stack_die "prometheus: not installed; apt-get install --no-install-recommends prometheus, or leave it out: vigil stack up --without prometheus"
    mkdir -p "$dir/data"
    cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  evaluation_interval: 5s
# Replays and the demo push rollups with past event times; accept samples up to 30 days old.
storage:
  tsdb:
    out_of_order_time_window: 30d
scrape_configs:
  - job_name: flink
    static_configs:
      - targets: ['127.0.0.1:$JM_PROM_PORT', '127.0.0.1:$((9251 + VIGIL_PORT_OFFSET))', '127.0.0.1:$((9252 + VIGIL_PORT_OFFSET))']
EOF
    local web=()
    if stack_secure; then
        stack_web_config prometheus >"$dir/web.yml" || exit 1
        web=(--web.config.file="$dir/web.yml")
    fi
    stack_spawn_exec prometheus "$STACK_LOGS/prometheus.log" "$bin" --config.file="$dir/prometheus.yml" \
        --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
        --web.enable-remote-write-receiver "${web[@]}"
}

svc_prometheus_address() {
    if stack_secure; then
        echo "https://127.0.0.1:$PROMETHEUS_PORT (TLS, basic auth: user vigil; remote write: /api/v1/write)"
    else
        echo "http://127.0.0.1:$PROMETHEUS_PORT (remote write: /api/v1/write)"
    fi
}

svc_prometheus_job_args() {
    if stack_secure; then
        echo "--prometheus-url=https://127.0.0.1:$PROMETHEUS_PORT/api/v1/write --prometheus-user=vigil" \
            "--prometheus-password-file=$VIGIL_HOME/secure/prometheus.password" \
            "--prometheus-ca-cert=$VIGIL_HOME/secure/ca.crt"
    else
        echo "--prometheus-url=http://127.0.0.1:$PROMETHEUS_PORT/api/v1/write"
    fi
}

svc_prometheus_ready() {
    if stack_secure; then stack_curl_auth prometheus "https://127.0.0.1:$PROMETHEUS_PORT/-/ready"
    else curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1; fi
}

# ---------------------------------------------------------------------------------------------------------------------
# Alertmanager 0.25 (Debian package `prometheus-alertmanager`) routing the job's alerts, grouped per incident (the
# `incident` label the job sets) and service, to a webhook receiver the stack runs too (bin/stack/WebhookReceiver.java), which appends every notification
# to $VIGIL_HOME/receiver/notifications.jsonl. Gossip is off (an empty --cluster.listen-address), so nothing binds :9094.
# Secured, its API and UI take TLS and basic auth (--web.config.file, as Prometheus); the receiver stays on loopback
# http, since only Alertmanager talks to it.

ALERTMANAGER_PORT=$((9095 + VIGIL_PORT_OFFSET))
RECEIVER_PORT=$((9096 + VIGIL_PORT_OFFSET))
STACK_RESULT_SERVICES+=(receiver alertmanager)

svc_receiver_log() { echo "$STACK_LOGS/receiver.log"; }

svc_receiver_start() {
    stack_spawn receiver "$STACK_LOGS/receiver.log" -Xmx64m "$VIGIL_ROOT/bin/stack/WebhookReceiver.java" \
        "$RECEIVER_PORT" "$VIGIL_HOME/receiver/notifications.jsonl"
}

svc_receiver_ready() { curl -sf "http://127.0.0.1:$RECEIVER_PORT/" >/dev/null 2>&1; }

svc_alertmanager_log() { echo "$STACK_LOGS/alertmanager.log"; }

svc_alertmanager_start() {
    local dir="$VIGIL_HOME/alertmanager" bin
    bin=$(command -v prometheus-alertmanager || command -v alertmanager) || stack_die "alertmanager: not installed; apt-get install --no-install-recommends prometheus-alertmanager, or leave it out: vigil stack up --without alertmanager"
    mkdir -p "$dir/data"
    # A short group_wait so the demo's notifications arrive within seconds; resolved ones are sent too.
    cat >"$dir/alertmanager.yml" <<EOF
route:
  receiver: stack-webhook
  group_by: [incident, service]
  group_wait: 5s
  group_interval: 10s
  repeat_interval: 4h
receivers:
  - name: stack-webhook
    webhook_configs:
      - url: http://127.0.0.1:$RECEIVER_PORT/alertmanager
        send_resolved: true
EOF
    local web=()
    if stack_secure; then
        # A stack secured before Alertmanager was gets its password here.
        stack_secret_new "$STACK_SECURE/alertmanager.password"
        stack_web_config alertmanager >"$dir/web.yml" || exit 1
        web=(--web.config.file="$dir/web.yml")
        # amtool's http_config (any Prometheus-style client takes it): the password by file name, never an argument.
        (umask 077 && cat >"$STACK_SECURE/alertmanager-client.yml" <<EOF
basic_auth:
  username: vigil
  password_file: $STACK_SECURE/alertmanager.password
tls_config:
  ca_file: $STACK_SECURE/ca.crt
EOF
        )
    fi
    stack_spawn_exec alertmanager "$STACK_LOGS/alertmanager.log" "$bin" --config.file="$dir/alertmanager.yml" \
        --storage.path="$dir/data" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address= \
        "${web[@]}"
}

svc_alertmanager_ready() {
    if stack_secure; then stack_curl_auth alertmanager "https://127.0.0.1:$ALERTMANAGER_PORT/-/ready"
    else curl -sf "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" >/dev/null 2>&1; fi
}

svc_alertmanager_address() {
    if stack_secure; then echo "https://127.0.0.1:$ALERTMANAGER_PORT (TLS, basic auth: user vigil)"
    else echo "http://127.0.0.1:$ALERTMANAGER_PORT"; fi
}

svc_alertmanager_job_args() {
    if stack_secure; then
        echo "--alertmanager-url=https://127.0.0.1:$ALERTMANAGER_PORT --alertmanager-user=vigil" \
            "--alertmanager-password-file=$VIGIL_HOME/secure/alertmanager.password" \
            "--alertmanager-ca-cert=$VIGIL_HOME/secure/ca.crt"
    else
        echo "--alertmanager-url=http://127.0.0.1:$ALERTMANAGER_PORT"
    fi
}

svc_receiver_address() { echo "http://127.0.0.1:$RECEIVER_PORT -> $VIGIL_HOME/receiver/notifications.jsonl"; }

# The job sends nothing to the receiver itself: Alertmanager does.
svc_receiver_job_args() { :; }

# ---------------------------------------------------------------------------------------------------------------------
# The secured stack (`stack up --secure`): a CA and a server certificate made here with openssl, Kafka on SASL_SSL
# with SCRAM-SHA-512 and ACLs, OpenSearch behind an authenticating TLS proxy, Prometheus and Alertmanager with TLS and
# basic auth.
# Everything secret lives in $VIGIL_HOME/secure (mode 0700, files 0600) and is never printed or passed as an
# argument: tools read it from files, curl from its standard input.

STACK_SECURE="$VIGIL_HOME/secure"

stack_secure() { [[ -f "$STACK_SECURE/enabled" ]]; }

# The proxy goes right after OpenSearch, and --without search leaves both out.
stack_secure_services() {
    stack_secure || return 0
    [[ " ${STACK_RESULT_SERVICES[*]} " == *" searchproxy "* ]] && return 0
    local s out=()
    for s in "${STACK_RESULT_SERVICES[@]}"; do
        out+=("$s")
        [[ $s == opensearch ]] && out+=(searchproxy)
    done
    STACK_RESULT_SERVICES=("${out[@]}")
}

# A random password in a new 0600 file (base64url, so it needs no quoting in properties, YAML or curl config).
stack_secret_new() {
    [[ -s "$1" ]] && return 0
    (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$1")
}

# Makes the CA, the server certificate (for 127.0.0.1 and localhost; CN vigil-broker, Kafka's broker identity),
# the passwords and the client settings, once; later `stack up` runs reuse them.
stack_secure_init() {
    local d=$STACK_SECURE
    command -v openssl >/dev/null || stack_die "stack up --secure needs openssl: apt-get install --no-install-recommends openssl"
    command -v htpasswd >/dev/null || stack_die "stack up --secure needs htpasswd (bcrypt hashes for Prometheus): apt-get install --no-install-recommends apache2-utils"
    mkdir -p "$d" && chmod 700 "$d"
    if [[ ! -s "$d/server.pem" ]]; then
        (
            umask 077
            cd "$d" || exit 1
            openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=Vigil local stack CA" \
                -keyout ca.key -out ca.crt && \
            openssl req -newkey rsa:2048 -nodes -subj "/CN=vigil-broker" -keyout server.key -out server.csr && \
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >server.ext && \
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
                -extfile server.ext -out server.crt && \
            cat server.key server.crt >server.pem && \
            rm -f server.csr server.ext ca.srl && chmod 644 ca.crt server.crt
        ) >"$d/openssl.log" 2>&1 || stack_die "making the stack's certificates failed; see $d/openssl.log"
    fi
    local f
    for f in admin vigil search prometheus alertmanager; do stack_secret_new "$d/$f.password"; done
    (
        umask 077
        # The job's Kafka client settings (user vigil); the admin's for the stack's and tests' own clients.
        for f in vigil admin; do
            cat >"$d/kafka-$([[ $f == vigil ]] && echo client || echo admin).properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$f" password="$(cat "$d/$f.password")";
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.crt
EOF
        done
    )
    touch "$d/enabled"
}

# A Prometheus/Alertmanager --web.config.file: TLS with the stack's certificate, basic auth for user vigil with a
# bcrypt hash of the service's password (htpasswd reads the password from standard input, so no argument shows it).
stack_web_config() {
    local hash
    hash=$(htpasswd -niBC 10 vigil <"$STACK_SECURE/$1.password" | cut -d: -f2-) || stack_die "$1: htpasswd failed"
    [[ -n $hash ]] || stack_die "$1: htpasswd gave no hash"
    cat <<EOF
tls_server_config:
  cert_file: $STACK_SECURE/server.crt
  key_file: $STACK_SECURE/server.key
basic_auth_users:
  vigil: '$hash'
EOF
}

# stack_curl_auth SERVICE URL: true if URL answers 2xx over TLS (the stack's CA) as user vigil with the service's
# password, handed to curl on its standard input (printf is a shell builtin: no process shows it).
stack_curl_auth() {
    [[ -s "$STACK_SECURE/$1.password" ]] || return 1
    printf 'user = "vigil:%s"\n' "$(cat "$STACK_SECURE/$1.password")" \
        | curl -sf -K - --cacert "$STACK_SECURE/ca.crt" "$2" >/dev/null 2>&1
}

stack_secure_status() {
    if stack_secure; then
        echo "security: on (Kafka SASL_SSL/SCRAM-SHA-512 with ACLs, search, Prometheus and Alertmanager over TLS" \
            "with basic auth;" \
            "CA $STACK_SECURE/ca.crt; secrets in $STACK_SECURE, mode 0600)"
    else
        echo "security: off (plain text, no authentication; stack up --secure for the secured stack)"
    fi
}

stack_secure_services

# ---------------------------------------------------------------------------------------------------------------------
# Commands

stack_usage() {
    cat <<EOF
usage: vigil stack up | down | status | start <service> | stop <service> | kill <service> | env
  up        start ${STACK_SERVICES[*]}, then the outputs ${STACK_RESULT_SERVICES[*]}
            (each waits until ready); --without ${STACK_RESULT_SERVICES[*]// /,} leaves out any of the outputs;
            --secure: TLS and authentication everywhere (a new data folder only; it stays secured)
  down      stop every service of this stack; no process is left behind
  status    every service: running or stopped, healthy (answers) or not, pid, address and log
  start/stop/kill <service>   one service, e.g. taskmanager-2 beside the first (kill = SIGKILL, for failure tests)
  env       the stack's addresses as shell variables
Data: \$VIGIL_HOME (now $VIGIL_HOME). Ports shift by \$VIGIL_PORT_OFFSET (now $VIGIL_PORT_OFFSET).
EOF
}

stack_cmd() {
    local cmd=${1:-}; shift || true
    case "$cmd" in
        up)
            local s w without=""
            while (($#)); do
                case $1 in
                    --secure)
                        if ! stack_secure && [[ -d "$VIGIL_HOME/kafka/data" ]]; then
                            stack_die "stack up --secure: $VIGIL_HOME already holds an unsecured stack's data; run stack down and remove it, or use another VIGIL_HOME"
                        fi
                        stack_secure_init
                        stack_secure_services
                        shift
                        ;;
                    --without)
                        [[ -n ${2:-} ]] || stack_die "stack up --without needs a list, e.g. --without ${STACK_RESULT_SERVICES[*]// /,}"
                        without=$2
                        shift 2
                        ;;
                    --with) stack_die "stack up starts every output service by default; use --without to leave some out" ;;
                    *) stack_die "stack up: unknown option '$1' (known: --secure, --without ${STACK_RESULT_SERVICES[*]// /,})" ;;
                esac
            done
            local extra=("${STACK_RESULT_SERVICES[@]}")
            for w in ${without//,/ }; do
                [[ $w == search ]] && w=opensearch
                [[ " ${STACK_RESULT_SERVICES[*]} " == *" $w "* ]] \
                    || stack_die "stack up --without: unknown service '$w' (known: ${STACK_RESULT_SERVICES[*]}; search = opensearch)"
                # the receiver only exists to show what Alertmanager sends, the proxy to guard OpenSearch: each goes
                # with the service it serves
                [[ $w == alertmanager ]] && for s in "${!extra[@]}"; do [[ ${extra[$s]} == receiver ]] && unset "extra[$s]"; done
                [[ $w == opensearch ]] && for s in "${!extra[@]}"; do [[ ${extra[$s]} == searchproxy ]] && unset "extra[$s]"; done
                for s in "${!extra[@]}"; do [[ ${extra[$s]} == "$w" ]] && unset "extra[$s]"; done
            done
            for s in "${STACK_SERVICES[@]}" "${extra[@]}"; do stack_start "$s"; done
            for s in "${STACK_SERVICES[@]}" "${extra[@]}"; do printf '%-16s %s\n' "$s" "$(stack_address "$s")"; done
            echo "logs: $STACK_LOGS"
            stack_secure_status
            ;;
        down)
            local s
            # TaskManagers first, then the JobManager, then Kafka (reverse start order), then anything else left.
            for s in $(stack_running_services | sort -r); do
                case $s in taskmanager-*) stack_stop "$s" ;; esac
            done
            for s in $(printf '%s\n' "${STACK_SERVICES[@]}" | tac); do stack_stop "$s"; done
            for s in $(stack_running_services); do stack_stop "$s"; done
            ;;
        status)
            local s any=1
            for s in $(printf '%s\n' "${STACK_SERVICES[@]}" "${STACK_RESULT_SERVICES[@]}" $(stack_running_services) \
                    | awk '!seen[$0]++'); do
                if stack_alive "$s"; then
                    local health=healthy
                    "svc_${s%%-*}_ready" "$s" || health=unhealthy
                    printf '%-16s %-9s %-9s pid %-8s %s  log %s\n' "$s" running "$health" "$(stack_pid "$s")" \
                        "$(stack_address "$s")" "$(stack_log "$s")"
                    any=0
                else
                    printf '%-16s %-9s %-9s %-12s %s\n' "$s" stopped - "" "$(stack_address "$s")"
                fi
            done
            echo "data: $VIGIL_HOME"
            stack_secure_status
            return $any
            ;;
        start) [[ -n ${1:-} ]] || stack_die "stack start needs a service name"; stack_start "$1" ;;
        stop) [[ -n ${1:-} ]] || stack_die "stack stop needs a service name"; stack_stop "$1" ;;
        kill) [[ -n ${1:-} ]] || stack_die "stack kill needs a service name"; stack_stop "$1" kill ;;
        env)
            echo "VIGIL_HOME=$VIGIL_HOME"
            echo "KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
            echo "FLINK_REST=http://127.0.0.1:$REST_PORT"
            echo "FLINK_CONF_DIR=$FLINK_CONF"
            echo "SEARCH_URL=http://127.0.0.1:$SEARCH_PORT"
            echo "PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
            echo "PROMETHEUS_REMOTE_WRITE_URL=http://127.0.0.1:$PROMETHEUS_PORT/api/v1/write"
            echo "ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT"
            echo "ALERT_NOTIFICATIONS=$VIGIL_HOME/receiver/notifications.jsonl"
            if stack_secure; then
                # File names only: the secrets stay in the files.
                echo "STACK_SECURE=true"
                echo "STACK_CA=$STACK_SECURE/ca.crt"
                echo "KAFKA_CLIENT_CONFIG=$STACK_SECURE/kafka-client.properties"
                echo "KAFKA_ADMIN_CONFIG=$STACK_SECURE/kafka-admin.properties"
                echo "SEARCH_URL=https://127.0.0.1:$SEARCH_PORT"
                echo "SEARCH_USER=vigil"
                echo "SEARCH_PASSWORD_FILE=$STACK_SECURE/search.password"
                echo "PROMETHEUS_URL=https://127.0.0.1:$PROMETHEUS_PORT"
                echo "PROMETHEUS_REMOTE_WRITE_URL=https://127.0.0.1:$PROMETHEUS_PORT/api/v1/write"
                echo "PROMETHEUS_USER=vigil"
                echo "PROMETHEUS_PASSWORD_FILE=$STACK_SECURE/prometheus.password"
                echo "ALERTMANAGER_URL=https://127.0.0.1:$ALERTMANAGER_PORT"
                echo "ALERTMANAGER_USER=vigil"
                echo "ALERTMANAGER_PASSWORD_FILE=$STACK_SECURE/alertmanager.password"
                echo "ALERTMANAGER_CLIENT_CONFIG=$STACK_SECURE/alertmanager-client.yml"
            fi
            ;;
        *) stack_usage; [[ $cmd == help || $cmd == -h || $cmd == --help ]] ;;
    esac
}

# ---------------------------------------------------------------------------------------------------------------------
# Submitting to the stack's cluster through Flink's own CLI (what `flink run` does).

stack_job_jar() { echo "$VIGIL_ROOT/jobs/target/vigil-jobs-0.1.0-SNAPSHOT-job.jar"; }

# flink_cli ARGS...: org.apache.flink.client.cli.CliFrontend with this stack's configuration.
flink_cli() {
    local cp opens
    cp=$(stack_classpath flink) || exit 1
    [[ -f "$FLINK_CONF/config.yaml" ]] || stack_flink_conf
    cp "$VIGIL_ROOT/flink-conf/log4j-cli.properties" "$FLINK_CONF/"
    opens=$(stack_jvm_opens)
    mkdir -p "$STACK_LOGS" "$FLINK_PLUGINS_DIR"
    # shellcheck disable=SC2086
    FLINK_CONF_DIR="$FLINK_CONF" java $opens "-Dlog.file=$STACK_LOGS/flink-cli.log" \
        "-Dlog4j.configurationFile=file:$FLINK_CONF/log4j-cli.properties" \
        -cp "$cp" org.apache.flink.client.cli.CliFrontend "$@"
}

# The job arguments for this stack when the user gives none: its broker, the topic `vigil generate` writes and the
# repository's rules, with hot reload from the rules topic `vigil rules push` writes and the service-catalog topic
# `vigil catalog push` writes; results go to every output service of the stack that runs (those left out with
# `stack up --without` are not named).
stack_default_job_args() {
    local s args="--bootstrap-servers=127.0.0.1:$KAFKA_PORT --topic=vigil-telemetry=json --rules-dir=$VIGIL_ROOT/rules --rules-topic=vigil-rules --catalog-topic=vigil-services --silence-topic=vigil-silences"
    # Secured: the job's user and trust store from a file, so no credential is a job argument.
    stack_secure && args+=" --kafka-client-config=$STACK_SECURE/kafka-client.properties"
    for s in "${STACK_RESULT_SERVICES[@]}"; do
        stack_alive "$s" && args+=" $("svc_${s}_job_args")"
    done
    echo "$args"
}

# submit [--from-savepoint PATH] [job arguments...]
stack_submit() {
    local savepoint="" jar out id
    if [[ ${1:-} == --from-savepoint ]]; then savepoint=$2; shift 2; fi
    jar=$(stack_job_jar)
    if [[ ! -f "$jar" ]] || [[ -n $(find "$VIGIL_ROOT/udfs/src/main" "$VIGIL_ROOT/jobs/src/main" -newer "$jar" -type f | head -n 1) ]]; then
        echo "vigil submit: building the job jar..." >&2
        (cd "$VIGIL_ROOT" && mvn -q -B -Dstyle.color=never install -DskipTests) || stack_die "build failed"
    fi
    svc_jobmanager_ready || stack_die "no Flink cluster answers at http://127.0.0.1:$REST_PORT (run: bin/vigil stack up)"
    local args=("$@")
    # shellcheck disable=SC2206
    ((${#args[@]})) || args=($(stack_default_job_args))
    local run=(run -d)
    [[ -n $savepoint ]] && run+=(-s "$savepoint")
    out=$(flink_cli "${run[@]}" "$jar" "${args[@]}" 2>&1)
    local rc=$?
    echo "$out"
    ((rc == 0)) || stack_die "submission failed (exit $rc); CLI log: $STACK_LOGS/flink-cli.log"
    id=$(echo "$out" | sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' | tail -n 1)
    [[ -n $id ]] || stack_die "submitted, but the CLI printed no JobID; CLI log: $STACK_LOGS/flink-cli.log"
    mkdir -p "$STACK_RUN"
    echo "$id" >"$STACK_RUN/job.id"
    printf '%s\n' "${args[@]}" >"$STACK_RUN/job.args"
    echo "job $id running; web UI http://127.0.0.1:$REST_PORT/#/job/running/$id"
}

# deploy [job arguments...]: stop the running job with a savepoint and resubmit (new jar, new arguments) from it.
stack_deploy() {
    local id out sp
    id=$(cat "$STACK_RUN/job.id" 2>/dev/null) || stack_die "no job submitted from this stack (run: bin/vigil submit)"
    out=$(flink_cli stop --type canonical --savepointPath "file://$VIGIL_HOME/flink/savepoints" "$id" 2>&1)
    local rc=$?
    echo "$out"
    ((rc == 0)) || stack_die "stop-with-savepoint of job $id failed (exit $rc); CLI log: $STACK_LOGS/flink-cli.log"
    sp=$(echo "$out" | sed -n 's/.*Savepoint completed\. Path: \(.*\)$/\1/p' | tail -n 1)
    [[ -n $sp ]] || stack_die "the CLI printed no savepoint path; CLI log: $STACK_LOGS/flink-cli.log"
    echo "$sp" >"$STACK_RUN/last-savepoint"
    local args=("$@")
    if ((${#args[@]} == 0)) && [[ -f "$STACK_RUN/job.args" ]]; then mapfile -t args <"$STACK_RUN/job.args"; fi
    stack_submit --from-savepoint "$sp" "${args[@]}"
}
