#!/usr/bin/env bash
# Runs the pipeline on this machine with the embedded defaults: no Redis, no GPU.
# Generates a small demo DLRM once (models/demo), starts the services as separate processes,
# waits until each is ready and prints how to use them. Ctrl-C stops everything.
#
#   deploy/run-local.sh                 demo model at scale 0.001 (32 K rows)
#   HPS_SCALE=0.01 deploy/run-local.sh  a larger one (models/demo-0.01)
#   HPS_VOLATILE=redis deploy/run-local.sh
#                                       Redis as the volatile tier: starts redis-server (from PATH)
#                                       on 127.0.0.1:6390 and serves a ps.json pointing at it
#   HPS_TRANSPORT=shm deploy/run-local.sh
#                                       dense-service looks up over shared memory (hps-service's
#                                       socket run/hps-lookup.sock) instead of loopback TCP
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HPS_ROOT"
hps_build

scale=${HPS_SCALE:-0.001}
model_dir=${HPS_MODEL_DIR:-models/demo$([ "$scale" = 0.001 ] || echo "-$scale")}
if [ ! -f "$model_dir/model.json" ]; then
    echo "generating the demo model into $model_dir (scale $scale)..."
    hps_model_tool io.hps.model.gen.SyntheticModelGenerator --out "$model_dir" --name dlrm --scale "$scale"
fi

mkdir -p run
pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "stopping..."
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    echo "stopped"
}
trap stop INT TERM EXIT

wait_ready() { # name url pid
    local name=$1 url=$2 pid=$3
    for _ in $(seq 1 600); do
        if curl -fsS "$url" >/dev/null 2>&1; then echo "$name ready"; return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then echo "$name exited; see run/$name.log" >&2; tail -20 "run/$name.log" >&2; exit 1; fi
        sleep 0.5
    done
    echo "$name not ready after 300 s; see run/$name.log" >&2
    exit 1
}

model_json="$(cd "$model_dir" && pwd)/model.json"
# The demo serves exact results: misses are fetched before answering (hit_rate_threshold 1.0)
# rather than answered with the default vector while they are fetched in the background.
sed -i 's/"hit_rate_threshold" : [0-9.]*/"hit_rate_threshold" : 1.0/' "$model_dir/ps.json"

ps_json="$model_dir/ps.json"
if [ "${HPS_VOLATILE:-hash_map}" = redis ]; then
    command -v redis-server >/dev/null || { echo "HPS_VOLATILE=redis needs redis-server on the PATH" >&2; exit 1; }
    redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no >run/redis.log 2>&1 &
    pids+=($!)
    echo "redis-server starting on 127.0.0.1:6390 (log: run/redis.log)"
    ps_json="$(cd "$model_dir" && pwd)/ps-redis.json"
    sed -e 's/"type" : "hash_map"/"type" : "redis_cluster", "address" : "127.0.0.1:6390"/' "$model_dir/ps.json" >"$ps_json"
    sleep 1
fi
hps_args=(--hps.ps-config="$ps_json" --server.port=9101 --hps.rsocket.host=127.0.0.1 --hps.rsocket.port=9100)
case "${HPS_TRANSPORT:-tcp}" in
    tcp) replica=127.0.0.1:9100 ;;
    shm) hps_args+=("--hps.rsocket.shm-socket=$PWD/run/hps-lookup.sock"); replica="shm:$PWD/run/hps-lookup.sock" ;;
    *) echo "HPS_TRANSPORT is tcp or shm: ${HPS_TRANSPORT}" >&2; exit 1 ;;
esac
java @deploy/jvm.flags -jar hps-service/target/hps-service-*-exec.jar "${hps_args[@]}" \
    >run/hps-service.log 2>&1 &
hps_pid=$!
pids+=($hps_pid)
echo "hps-service starting (log: run/hps-service.log)"

dense_args=(--server.port=9201 --dense.rsocket.host=127.0.0.1 --dense.rsocket.port=9200
            "--dense.hps-replicas[0]=$replica")
i=0
for path in native fused ensemble; do
    dense_args+=("--dense.models[$i].name=dlrm_$path" "--dense.models[$i].model-dir=$model_dir"
                 "--dense.models[$i].path=$path")
    i=$((i + 1))
done
java @deploy/jvm.flags -jar dense-service/target/dense-service-*-exec.jar "${dense_args[@]}" \
    >run/dense-service.log 2>&1 &
dense_pid=$!
pids+=($dense_pid)
echo "dense-service starting (log: run/dense-service.log)"

rm -rf run/repository
for path in native fused ensemble; do
    mkdir -p "run/repository/dlrm_$path"
    cat >"run/repository/dlrm_$path/config.json" <<JSON
{"name": "dlrm_$path", "kind": "dlrm", "path": "$path",
 "backend": {"service": "dense-service", "addresses": ["127.0.0.1:9200"], "model": "dlrm_$path"},
 "model_json": "$model_json", "max_batch_size": 16384,
 "dynamic_batching": {"max_queue_delay_us": 200, "max_queue_size": 128}}
JSON
done
mkdir -p run/repository/dlrm_embeddings
cat >run/repository/dlrm_embeddings/config.json <<JSON
{"name": "dlrm_embeddings", "kind": "embedding", "path": "ensemble",
 "backend": {"service": "hps-service", "addresses": ["127.0.0.1:9100"], "model": "dlrm"},
 "model_json": "$model_json", "max_batch_size": 16384}
JSON
java @deploy/jvm.flags -jar gateway/target/gateway-*-exec.jar \
    --server.port=8000 --management.server.port=8002 --hps.gateway.repository=run/repository \
    >run/gateway.log 2>&1 &
gateway_pid=$!
pids+=($gateway_pid)
echo "gateway starting (log: run/gateway.log)"

wait_ready hps-service "http://127.0.0.1:9101/actuator/health/readiness" "$hps_pid"
wait_ready dense-service "http://127.0.0.1:9201/actuator/health/readiness" "$dense_pid"
wait_ready gateway "http://127.0.0.1:8000/v2/health/ready" "$gateway_pid"

cat <<'INFO'

The pipeline is up: model 'dlrm' on three paths (dlrm_native, dlrm_fused, dlrm_ensemble) and
its embedding tables as 'dlrm_embeddings'. Try an inference (KServe v2 REST):

curl -s -X POST http://127.0.0.1:8000/v2/models/dlrm_ensemble/infer -H 'Content-Type: application/json' -d '{
  "inputs": [
    {"name": "dense", "shape": [1, 13], "datatype": "FP32",
     "data": [0.7, 1.1, 0.69, 2.3, 0.69, 1.6, 0.69, 3.0, 0.9, 0.69, 1.2, 0.69, 2.0]},
    {"name": "categorical", "shape": [1, 26], "datatype": "INT64",
     "data": [42,3,5,2,7,0,1,0,0,1234,17,99,0,1,3,0,0,0,0,4242,77,5000,11,2,0,0]}]}'

  model metadata     curl -s http://127.0.0.1:8000/v2/models/dlrm_fused
  statistics         curl -s http://127.0.0.1:8000/v2/models/dlrm_fused/stats
  metrics            curl -s http://127.0.0.1:8002/actuator/prometheus | grep nv_inference
                     curl -s http://127.0.0.1:9101/actuator/prometheus | grep '^hps_'

INFO
echo "  seed benchmark     load-tests/run-seed-study.sh --model-dir $model_dir"
echo
echo "Press Ctrl-C to stop."
wait "${pids[@]}"
