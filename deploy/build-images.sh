#!/usr/bin/env bash
# Builds the container images of hps-service, dense-service and gateway with Jib, as tarballs
# (<module>/target/jib-image.tar), without a Docker daemon. Pulling the base image needs access
# to its registry (Docker Hub for the default eclipse-temurin:25-jre).
#
#   deploy/build-images.sh                                   images hps/<module>:<version>
#   HPS_BASE_IMAGE=docker://hps-jre-cuda:25 HPS_IMAGE_TAG_SUFFIX=-gpu deploy/build-images.sh
#                                                            GPU variant, see deploy/gpu/Dockerfile
#   HPS_MODULES="hps-service" deploy/build-images.sh         one image
#
# Load them with: docker load -i hps-service/target/jib-image.tar (likewise for the others).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$HPS_ROOT"

base=${HPS_BASE_IMAGE:-eclipse-temurin:25-jre}
suffix=${HPS_IMAGE_TAG_SUFFIX:-}
version=$(awk '/<artifactId>hps-parent<\/artifactId>/ {found=1} found && /<version>/ {gsub(/.*<version>|<\/version>.*/, ""); print; exit}' pom.xml)
jib=com.google.cloud.tools:jib-maven-plugin:3.5.2:buildTar

for module in ${HPS_MODULES:-hps-service dense-service gateway}; do
    echo "building image hps/$module:$version$suffix from $base"
    # jib.containerize: within the -am reactor only this module becomes an image.
    ./mvnw -B -q -pl "$module" -am package "$jib" -DskipTests \
        -Djib.containerize="io.hps:$module" \
        -Djib.from.image="$base" \
        -Djib.to.image="hps/$module:$version$suffix"
    echo "  $module/target/jib-image.tar"
done
