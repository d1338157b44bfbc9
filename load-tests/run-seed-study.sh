#!/usr/bin/env bash
# Reproduces the seed benchmark against a running gateway: the native, fused and ensemble paths at
# batch sizes 32 .. 131072, perf_analyzer-style (binary tensors, fixed batch, concurrency 1, 5 s
# windows until three agree within 10%). Prints the two markdown tables and writes results.md,
# results.csv, latency.png and throughput.png under the output directory.
#
#   load-tests/run-seed-study.sh                                   gateway at http://127.0.0.1:8000, model models/demo
#   load-tests/run-seed-study.sh --url http://host:8000 --model-dir models/demo-0.01 --out seed-0.01
#   load-tests/run-seed-study.sh --paths native=my_native,fused=my_fused --batch-sizes 32,1024 --mode realistic
#   load-tests/run-seed-study.sh --request-rate 200 --concurrency 16     open loop instead of the closed loop
#   load-tests/run-seed-study.sh --hps-metrics http://127.0.0.1:9101/actuator/prometheus --mode cold
#   load-tests/run-seed-study.sh --help                            every option of the LoadTest command
#
# The gateway must be started first (deploy/run-local.sh starts the pipeline); --model-dir is the
# directory of the model.json it serves (shapes and table sizes for the generated requests).
# HPS_REBUILD=1 rebuilds load-tests/target/benchmarks.jar.
set -euo pipefail
source "$(dirname "$0")/../deploy/common.sh"
cd "$HPS_ROOT"

url=http://127.0.0.1:8000
model_dir=${HPS_MODEL_DIR:-models/demo}
args=()
help=0
while [ $# -gt 0 ]; do
    case "$1" in
        --url) url=$2; shift 2 ;;
        --url=*) url=${1#--url=}; shift ;;
        --model-dir) model_dir=$2; shift 2 ;;
        --model-dir=*) model_dir=${1#--model-dir=}; shift ;;
        -h|--help) help=1; args+=("$1"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done

jar=load-tests/target/benchmarks.jar
if [ "${HPS_REBUILD:-0}" = 1 ] || [ ! -f "$jar" ]; then
    echo "building $jar..."
    ./mvnw -q -B -pl load-tests -am package -DskipTests
fi
run() { java @"$JVM_FLAGS_FILE" -Djava.awt.headless=true -cp "$jar" io.hps.load.LoadTest "$@"; }

if [ "$help" = 1 ]; then run --model-dir "$model_dir" "${args[@]}"; exit 0; fi

if ! curl -fsS -m 5 "$url/v2/health/ready" >/dev/null 2>&1; then
    echo "error: the gateway at $url is not ready (GET $url/v2/health/ready did not answer 200)." >&2
    echo "Start the pipeline first (deploy/run-local.sh), or pass --url to a running gateway." >&2
    exit 2
fi
if [ ! -f "$model_dir/model.json" ]; then
    echo "error: no model.json in $model_dir; pass --model-dir with the directory of the served model" >&2
    exit 2
fi
run --url "$url" --model-dir "$model_dir" "${args[@]}"
