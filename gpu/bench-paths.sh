#!/usr/bin/env bash
# The GPU paths benchmark (native, fused, ensemble over CUDA IPC) and the dense-service GPU tests.
#
# On the build machine, from the project root, after `./mvnw -B -q -pl dense-service -am package -DskipTests`:
#   bash gpu/bench-paths.sh stage DIR      dense-service's runtime and test classpath (Spring, RocksDB, Redisson and
#                                          QUIC natives left out: the paths do not load them), this project's jars,
#                                          its test classes and the gpu module's, shared/device's JRE, run.sh and
#                                          JUnit launcher; DIR must be an absolute path
# On the GPU machine, from DIR's parent (logs and gpu-paths.md under $OUT):
#   bash DIR/bench-paths.sh run DIR [BENCH ARGS...]     e.g. --scale 1.0 --batches 32,64,...
#   env: SKIP_TESTS=1 skips the GPU tests; BENCH_JAVA_OPTS adds JVM options to the benchmark and its lookup server
#        (e.g. -Dhps.gpu.ownerSpinMicros=0); BENCH_TAG puts the logs under $OUT/TAG
set -uo pipefail
mode=${1:?usage: bench-paths.sh stage DIR | run DIR [ARGS...]}
dir=${2:?usage: bench-paths.sh stage DIR | run DIR [ARGS...]}
shift 2
case "$mode" in
  stage)
    set -e
    case "$dir" in /*) ;; *) echo "DIR must be absolute (Maven resolves relative paths from the module)" >&2; exit 2 ;; esac
    shared=${SHARED_DEVICE:-/work/shared/device}
    rm -rf "$dir" && mkdir -p "$dir/lib" "$dir/test-classes"
    ./mvnw -B -q -o -pl dense-service dependency:copy-dependencies -DincludeScope=test \
        -DexcludeGroupIds=org.springframework.boot.loader -DoutputDirectory="$dir/lib"
    (cd "$dir/lib" && rm -f rocksdbjni-* netty-codec-native-quic-* byte-buddy-* redisson-* rxjava-* spring-* \
        prometheus-* jackson-core-2.* jackson-databind-2.* jackson-datatype-* jackson-dataformat-yaml-* logback-* \
        jqwik-* embedded-redis-* kotlin* hps-* dense-service-*)
    for j in wire/target/hps-wire-*.jar transport/target/hps-transport-*.jar model/target/hps-model-*.jar gpu/target/hps-gpu-*.jar \
             hps-service/target/hps-service-*.jar dense-service/target/dense-service-*.jar; do
      case "$j" in *-exec.jar|*-tests.jar|*-sources.jar) ;; *) cp "$j" "$dir/lib/" ;; esac
    done
    cp -r dense-service/target/test-classes/io gpu/target/test-classes/io "$dir/test-classes/"
    cp "$shared/jre-25-linux-x64.tar.xz" "$shared/run.sh" gpu/bench-paths.sh "$dir/"
    cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/*/junit-platform-console-standalone-*.jar \
        "$dir/junit-platform-console-standalone.jar" 2>/dev/null || true
    echo "staged $(ls "$dir/lib" | wc -l) jars into $dir ($(du -sh "$dir" | cut -f1))"
    ;;
  run)
    out=${OUT:-bench-out}${BENCH_TAG:+/$BENCH_TAG}
    mkdir -p "$out"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$out/smi.txt"
    if [ -f "$dir/junit-platform-console-standalone.jar" ] && [ "${SKIP_TESTS:-0}" != 1 ]; then
      timeout 150 bash "$dir/run.sh" junit --include-tag gpu --details=tree \
          --disable-banner > "$out/junit.log" 2>&1
      echo "junit rc=$?"
      grep -E 'accuracy|✘|tests (successful|failed)' "$out/junit.log"
    fi
    # shellcheck disable=SC2086
    timeout "${BENCH_TIMEOUT:-420}" bash "$dir/run.sh" java -Xmx48g ${BENCH_JAVA_OPTS:-} -cp "$dir/lib/*" io.hps.dense.gpu.GpuPathsBench \
        --out "$out" "$@" > "$out/bench.log" 2>&1
    echo "bench rc=$?"
    grep -vE '^\s*$' "$out/bench.log" | tail -"${BENCH_TAIL:-60}"
    ;;
  *) echo "usage: bench-paths.sh stage DIR | run DIR [ARGS...]" >&2; exit 2 ;;
esac
