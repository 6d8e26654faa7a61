#!/usr/bin/env bash
# Build the Tesseract Lambda layer INSIDE the Lambda runtime's own image.
#
# Produces build/layer.zip with this layout (Lambda unpacks a layer in /opt,
# puts /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH):
#   bin/tesseract
#   lib/libtesseract.so.5, lib/libleptonica.so.6 and the shared libraries they
#       need that the runtime image does not provide
#   share/tessdata/{ara,fra,spa,osd,Arabic}.traineddata   (TESSDATA_PREFIX)
#   share/tessdata/ara_num.traineddata   our numbers model (numbers/train.sh),
#       kept in chalicelib/data so the local stack reads it too
#
# Run it in the image of the runtime the OCR function uses (python3.12,
# Amazon Linux 2023, glibc 2.34):
#   docker run --rm -v "$PWD":/src -w /src --entrypoint /bin/bash \
#       public.ecr.aws/lambda/python:3.12 layers/tesseract/build.sh
# or on an EC2 host of the same Amazon Linux. It needs root (package
# installs) and HTTPS access to GitHub (sources and traineddata).
#
# Binaries copied from Debian/Ubuntu do NOT work: they need a newer glibc than
# any Lambda runtime has. Everything here is compiled against the host's glibc
# and the final check refuses a layer needing more.
set -euo pipefail

LEPTONICA_VERSION="${LEPTONICA_VERSION:-1.84.1}"
TESSERACT_VERSION="${TESSERACT_VERSION:-5.3.4}"
# The traineddata the local stack uses (Debian's tesseract-ocr-* packages come
# from tessdata 4.1.0: LSTM + legacy models; osd needs the legacy engine).
TESSDATA_REF="${TESSDATA_REF:-4.1.0}"
LANGUAGES=(ara fra spa osd)
# Checked as listed once the layer is built (ara_num is ours, not fetched).
LISTED=("${LANGUAGES[@]}" ara_num)
# The Arabic-script model (tessdata script/), read beside ara on single lines.
SCRIPT_MODELS=(Arabic)
# Optional pins: when set, downloads are checked against them; when not, their
# digests are printed so the first build can pin them.
LEPTONICA_SHA256="${LEPTONICA_SHA256:-}"
TESSERACT_SHA256="${TESSERACT_SHA256:-}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${here}/build"
work="${build}/work"
layer="${build}/layer"
prefix="${work}/prefix"
jobs="$(nproc)"

# The runtime image provides these; bundling them would break the process.
SYSTEM_LIBS='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libresolv|libutil)\.so'

log() { printf '==> %s\n' "$*" >&2; }

install_build_tools() {
    log "installing build tools"
    local manager=(yum install -y)
    # AL2023 images carry curl-minimal, which the full curl must replace.
    command -v dnf >/dev/null 2>&1 && manager=(dnf install -y --allowerasing)
    "${manager[@]}" \
        gcc gcc-c++ make autoconf automake libtool pkgconfig tar gzip xz \
        findutils binutils zip curl \
        libpng-devel libjpeg-turbo-devel libtiff-devel zlib-devel libwebp-devel
    "${manager[0]}" clean all || true
}

fetch() {  # url, output, expected sha256 (may be empty)
    local url="$1" out="$2" expected="$3"
    curl --fail --location --silent --show-error --retry 3 --output "${out}" "${url}"
    local actual
    actual="$(sha256sum "${out}" | cut -d' ' -f1)"
    if [[ -n "${expected}" && "${actual}" != "${expected}" ]]; then
        echo "checksum mismatch for ${url}: ${actual} != ${expected}" >&2
        exit 1
    fi
    [[ -z "${expected}" ]] && log "unpinned ${out##*/}: sha256 ${actual}"
    return 0
}

build_leptonica() {
    log "building leptonica ${LEPTONICA_VERSION}"
    local tarball="${work}/leptonica.tar.gz"
    fetch "https://github.com/DanBloomberg/leptonica/releases/download/${LEPTONICA_VERSION}/leptonica-${LEPTONICA_VERSION}.tar.gz" \
        "${tarball}" "${LEPTONICA_SHA256}"
    tar -xzf "${tarball}" -C "${work}"
    (
        cd "${work}/leptonica-${LEPTONICA_VERSION}"
        ./configure --prefix="${prefix}" --disable-static --disable-programs \
            --without-giflib --without-libopenjpeg
        make -j"${jobs}"
        make install
    )
}

build_tesseract() {
    log "building tesseract ${TESSERACT_VERSION}"
    local tarball="${work}/tesseract.tar.gz"
    fetch "https://github.com/tesseract-ocr/tesseract/archive/refs/tags/${TESSERACT_VERSION}.tar.gz" \
        "${tarball}" "${TESSERACT_SHA256}"
    tar -xzf "${tarball}" -C "${work}"
    (
        cd "${work}/tesseract-${TESSERACT_VERSION}"
        ./autogen.sh
        # No training tools (they pull ICU, pango, cairo), no OpenMP (its
        # threads fight on Lambda's vCPUs; one page per process is the model),
        # no curl/libarchive (traineddata are plain files).
        PKG_CONFIG_PATH="${prefix}/lib/pkgconfig" \
        LDFLAGS="-Wl,-rpath,\$ORIGIN/../lib" \
        ./configure --prefix="${prefix}" --disable-static --disable-openmp \
            --disable-graphics --disable-doc --without-curl --without-archive
        make -j"${jobs}"
        make install
    )
}

fetch_tessdata() {
    log "fetching traineddata ${LANGUAGES[*]} (tessdata ${TESSDATA_REF})"
    mkdir -p "${layer}/share/tessdata"
    local language
    for language in "${LANGUAGES[@]}"; do
        fetch "https://raw.githubusercontent.com/tesseract-ocr/tessdata/${TESSDATA_REF}/${language}.traineddata" \
            "${layer}/share/tessdata/${language}.traineddata" ""
    done
    for language in "${SCRIPT_MODELS[@]}"; do
        fetch "https://raw.githubusercontent.com/tesseract-ocr/tessdata/${TESSDATA_REF}/script/${language}.traineddata" \
            "${layer}/share/tessdata/${language}.traineddata" ""
    done
    cp "${here}/../../chalicelib/data/ara_num.traineddata" "${layer}/share/tessdata/"
}

assemble_layer() {
    log "assembling the layer"
    mkdir -p "${layer}/bin" "${layer}/lib"
    cp -L "${prefix}/bin/tesseract" "${layer}/bin/"
    # The binary's libraries (ours and the image's), minus the C library itself.
    ldd "${prefix}/bin/tesseract" \
        | awk '$3 ~ /^\// {print $1, $3}' \
        | while read -r name path; do
            if [[ ! "${name}" =~ ${SYSTEM_LIBS} ]]; then
                cp -L "${path}" "${layer}/lib/${name}"
            fi
        done
    strip --strip-unneeded "${layer}/bin/tesseract" "${layer}/lib/"*.so* || true
}

verify_layer() {
    log "verifying the layer against this host's runtime"
    local host_glibc needed missing
    host_glibc="$(ldd --version | awk 'NR==1 {print $NF}')"
    needed="$(objdump -T "${layer}/bin/tesseract" "${layer}/lib/"*.so* \
        | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)"
    if [[ "$(printf '%s\n%s\n' "${needed}" "${host_glibc}" | sort -V | tail -1)" != "${host_glibc}" ]]; then
        echo "the layer needs glibc ${needed}, this host has ${host_glibc}" >&2
        exit 1
    fi
    missing="$(env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="${layer}/lib" \
        ldd "${layer}/bin/tesseract" | grep -c 'not found' || true)"
    if [[ "${missing}" != 0 ]]; then
        echo "unresolved libraries:" >&2
        LD_LIBRARY_PATH="${layer}/lib" ldd "${layer}/bin/tesseract" | grep 'not found' >&2
        exit 1
    fi
    local languages
    languages="$(env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="${layer}/lib" \
        TESSDATA_PREFIX="${layer}/share/tessdata" \
        "${layer}/bin/tesseract" --list-langs 2>&1)"
    for language in "${LISTED[@]}"; do
        grep -qx "${language}" <<<"${languages}" || {
            echo "tesseract does not list ${language}: ${languages}" >&2
            exit 1
        }
    done
    "${layer}/bin/tesseract" --version 2>&1 | head -3 >&2 || true
    log "glibc needed ${needed} <= host ${host_glibc}; ${LANGUAGES[*]} listed"
}

main() {
    rm -rf "${build}"
    mkdir -p "${work}" "${layer}"
    install_build_tools
    build_leptonica
    build_tesseract
    fetch_tessdata
    assemble_layer
    verify_layer
    (cd "${layer}" && zip -q -r -9 -X "${build}/layer.zip" bin lib share)
    log "layer: ${build}/layer.zip ($(du -sm "${build}/layer.zip" | cut -f1) MB zipped," \
        "$(du -sm "${layer}" | cut -f1) MB unzipped)"
}

main "$@"
