#!/usr/bin/env bash
# Redis tier miss path against redis-benchmark MGET on the same redis-server.
#
# Starts redis-server on a free loopback port (no persistence), then
#  1. loads KEYS string keys key:000000000000.. with VALUE_BYTES-byte values and runs
#     redis-benchmark: MGET of MGET_KEYS random keys per command, PIPELINE commands in flight on
#     CLIENTS connection(s): values/s = requests/s * MGET_KEYS;
#  2. runs the JMH RedisTierBenchmark (RedisTier.get and a cache-less lookup session, batches of
#     16384 distinct keys of 512-byte values in HugeCTR's hash layout, one calling thread);
# prints a table with the ratios and stops the server.
#
# Needs: redis-server, redis-benchmark, redis-cli on PATH; the benchmarks built first:
#   ./mvnw -B -q -pl load-tests -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# Environment: JAVA_HOME, KEYS (100000), VALUE_BYTES (512), MGET_KEYS (256), PIPELINE (16),
# CLIENTS (1), REQUESTS (20000), JMH_ARGS ("-f 1 -wi 3 -i 5 -w 2s -r 2s"), JMH_PARAMS (""),
# EXTRA_CP (classes put before the benchmark classpath, e.g. an older RedisTier to compare).
set -euo pipefail
cd "$(dirname "$0")"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
KEYS=${KEYS:-100000}
VALUE_BYTES=${VALUE_BYTES:-512}
MGET_KEYS=${MGET_KEYS:-256}
PIPELINE=${PIPELINE:-16}
CLIENTS=${CLIENTS:-1}
REQUESTS=${REQUESTS:-20000}
JMH_ARGS=${JMH_ARGS:-"-f 1 -wi 3 -i 5 -w 2s -r 2s"}
JMH_PARAMS=${JMH_PARAMS:-""}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-redis.XXXXXX")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --logfile "$WORK/redis.log" &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "# $(date -u +%FT%TZ) $(uptime)"
echo "# redis-server $(redis-server --version | grep -o 'v=[^ ]*') on 127.0.0.1:$PORT"
python3 - "$KEYS" "$VALUE_BYTES" <<'PY' | redis-cli -p "$PORT" --pipe >/dev/null
import sys
keys, size = int(sys.argv[1]), int(sys.argv[2])
value = "x" * size
out = sys.stdout
for i in range(keys):
    key = "key:%012d" % i
    out.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, size, value))
PY
MGET_ARGS=$(for _ in $(seq "$MGET_KEYS"); do printf 'key:__rand_int__ '; done)
# shellcheck disable=SC2086
RPS=$(redis-benchmark -p "$PORT" -q -n "$REQUESTS" -P "$PIPELINE" -c "$CLIENTS" -r "$KEYS" MGET $MGET_ARGS \
      | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
MGET_VALUES=$(python3 -c "print(round($RPS * $MGET_KEYS))")

CP="${EXTRA_CP:+$EXTRA_CP:}target/classes:$(cat target/classpath.txt)"
# shellcheck disable=SC2086
"$JAVA" -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main 'io.hps.bench.hps.RedisTierBenchmark' $JMH_ARGS $JMH_PARAMS \
    -jvmArgsAppend "-Dhps.bench.redis=127.0.0.1:$PORT" -rf json -rff "$WORK/jmh.json" | grep -E '^(Benchmark|RedisTier)'
echo "# $(date -u +%FT%TZ) $(uptime)"
python3 - "$WORK/jmh.json" "$MGET_VALUES" "$RPS" "$MGET_KEYS" "$PIPELINE" "$CLIENTS" <<'PY'
import json, sys
results, mget = json.load(open(sys.argv[1])), float(sys.argv[2])
print()
print("| path | values/s | vs redis-benchmark MGET |")
print("|---|---:|---:|")
print("| redis-benchmark MGET %s keys, -P %s, -c %s (%s req/s) | %.0f | 1.00 |" % (sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[3], mget))
for r in results:
    params = ",".join("%s=%s" % kv for kv in sorted(r.get("params", {}).items()))
    score = r["primaryMetric"]["score"]
    print("| %s (%s) | %.0f | %.2f |" % (r["benchmark"].rsplit(".", 1)[1], params, score, score / mget))
PY
