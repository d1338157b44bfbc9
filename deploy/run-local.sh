#!/usr/bin/env bash
# Runs the pipeline on this machine with the embedded defaults: no Redis, no GPU.
# Generates a small demo DLRM once (models/demo), starts the services as separate processes,
# waits until each is ready and prints how to use them. Ctrl-C stops everything.
#
#   deploy/run-local.sh                 demo model at scale 0.001 (32 K rows)
#   HPS_SCALE=0.01 deploy/run-local.sh  a larger one (models/demo-0.01)
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

hps_port=${HPS_MANAGEMENT_PORT:-9101}
java @deploy/jvm.flags -jar hps-service/target/hps-service-*-exec.jar \
    --hps.ps-config="$model_dir/ps.json" --server.port="$hps_port" --hps.rsocket.port=9100 \
    >run/hps-service.log 2>&1 &
pids+=($!)
echo "hps-service starting (log: run/hps-service.log)"
wait_ready hps-service "http://127.0.0.1:$hps_port/actuator/health/readiness" "${pids[-1]}"

cat <<INFO

The parameter server is serving model 'dlrm' from $model_dir:
  lookups (RSocket, binary frames)  127.0.0.1:9100
  health                            curl -s http://127.0.0.1:$hps_port/actuator/health
  metrics (Prometheus)              curl -s http://127.0.0.1:$hps_port/actuator/prometheus | grep '^hps_'
Press Ctrl-C to stop.
INFO
wait "${pids[@]}"
