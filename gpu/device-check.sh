#!/usr/bin/env bash
# Runs on the GPU machine from the staging folder's parent: the gpu-tagged tests, the per-kernel benchmark and the
# dense forward benchmark, logs under $OUT. Staging (on the build machine): the module's runtime and test
# classpath in DIR/lib, its test classes in DIR/test-classes, and shared/device's run.sh, JRE and JUnit launcher.
#   bash DIR/device-check.sh DIR
set -uo pipefail
dir=${1:-.device}
out=${OUT:-bench-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$out/smi.txt"
timeout 240 bash "$dir/run.sh" junit --include-tag gpu --details=tree --disable-banner > "$out/junit.log" 2>&1
echo "junit rc=$?"
grep -E 'accuracy|✘|tests (successful|failed)' "$out/junit.log"
timeout 200 bash "$dir/run.sh" java -cp "$dir/lib/*" io.hps.gpu.dense.DenseKernelBench > "$out/kernels.log" 2>&1
echo "kernel bench rc=$?"
grep -E 'all layers|interaction|pad_columns|linear_sigmoid|Exception' "$out/kernels.log"
timeout 240 bash "$dir/run.sh" java -cp "$dir/lib/*" io.hps.gpu.bench.GpuDenseBench --out "$out" > "$out/bench.log" 2>&1
echo "dense bench rc=$?"
sed -n '/^device: /,$p' "$out/bench.log" | tail -16
