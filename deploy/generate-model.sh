#!/usr/bin/env bash
# Generates a synthetic DLRM (Criteo FL=15 tables scaled by --scale) in HugeCTR's formats.
#   deploy/generate-model.sh --out models/dlrm --scale 1.0      the full 32.7 M rows (15.6 GiB)
#   deploy/generate-model.sh --help                            every option
set -euo pipefail
source "$(dirname "$0")/common.sh"
hps_build
hps_model_tool io.hps.model.gen.SyntheticModelGenerator "$@"
