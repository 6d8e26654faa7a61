#!/usr/bin/env bash
# Build the Python dependencies layer of the queue-fed functions.
#
# Installs requirements.txt as x86_64 manylinux wheels for CPython 3.12 (the
# functions' Lambda runtime) into build/python and zips it to build/layer.zip,
# the path the CDK stack looks for. Lambda's python3.12 runtime runs on Amazon
# Linux 2023 (glibc 2.34); only wheels whose manylinux tag is at most GLIBC_MAX
# load there.
# Binary wheels only: a package without a matching wheel fails the build instead
# of being compiled against this machine's glibc.
#
# Usage: [GLIBC_MAX=2.34] layers/python-deps/build.sh [python-with-pip]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
python="${1:-python3}"
build="${here}/build"
glibc_max="${GLIBC_MAX:-2.34}"

platforms=(--platform manylinux2014_x86_64)
for ((minor = 17; minor <= ${glibc_max#2.}; minor++)); do
    platforms+=(--platform "manylinux_2_${minor}_x86_64")
done

rm -rf "${build}"
mkdir -p "${build}/python"

"${python}" -m pip install \
    --quiet \
    --no-compile \
    "${platforms[@]}" \
    --implementation cp \
    --python-version 3.12 \
    --abi cp311 \
    --only-binary=:all: \
    --target "${build}/python" \
    --requirement "${repo}/requirements.txt"

# Bytecode is written by the runtime where it can; none is shipped.
find "${build}/python" -type d -name __pycache__ -prune -exec rm -rf {} +

(cd "${build}" && rm -f layer.zip && zip -q -r -9 -X layer.zip python)

unzipped="$(du -sm "${build}/python" | cut -f1)"
zipped="$(du -sm "${build}/layer.zip" | cut -f1)"
echo "python-deps layer (glibc <= ${glibc_max}): ${build}/layer.zip (${zipped} MB zipped, ${unzipped} MB unzipped)"
if (( unzipped > 200 )); then
    echo "warning: over 200 MB unzipped; with the Tesseract layer (~75 MB) the" \
         "OCR function would pass Lambda's 250 MB limit" >&2
fi
