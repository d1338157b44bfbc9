# Shared by the launch scripts: finds JDK 25 and the JVM flags every launcher uses.
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
        export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
    else
        echo "error: JDK 25 not found. Set JAVA_HOME to a JDK 25 installation." >&2
        exit 1
    fi
fi
export PATH="$JAVA_HOME/bin:$PATH"
HPS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JVM_FLAGS_FILE="$HPS_ROOT/deploy/jvm.flags"

# Builds the jars unless they exist (HPS_REBUILD=1 forces it).
hps_build() {
    if [ "${HPS_REBUILD:-0}" = 1 ] || ! ls "$HPS_ROOT"/hps-service/target/hps-service-*-exec.jar >/dev/null 2>&1 \
        || [ ! -f "$HPS_ROOT/model/target/runtime-classpath.txt" ]; then
        echo "building (first run takes a few minutes)..."
        (cd "$HPS_ROOT" && ./mvnw -q -B -DskipTests install)
    fi
}

# Runs a main class of the model module (the generator).
hps_model_tool() {
    local jar
    jar=$(ls "$HPS_ROOT"/model/target/hps-model-*.jar | grep -v -- '-tests.jar' | head -1)
    java @"$JVM_FLAGS_FILE" -cp "$jar:$(cat "$HPS_ROOT/model/target/runtime-classpath.txt")" "$@"
}
