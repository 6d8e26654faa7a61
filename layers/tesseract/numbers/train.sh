#!/usr/bin/env bash
# Trains ara_num.traineddata: a small Tesseract LSTM model that reads the
# numbers of Arabic court text (Arabic-Indic and Western digits, dates with
# their هـ/م marks, amounts, file numbers). Read beside `ara` (ara+ara_num),
# Tesseract keeps, word by word, whichever model reads a word more surely.
#
# Run on demand (about 30 minutes on 2 cores); the result is committed as
# chalicelib/data/ara_num.traineddata. Needs Tesseract's training
# tools (Debian: tesseract-ocr with lstmtraining,
# combine_lang_model, unicharset_extractor) and apt-get download for fonts.
#
#   layers/tesseract/numbers/train.sh [WORKDIR]
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="${1:-/tmp/justicia-ara-num}"
LINES_PER_FONT="${LINES_PER_FONT:-1500}"
ITERATIONS="${ITERATIONS:-11600}"
MODEL="${HERE}/../../../chalicelib/data/ara_num.traineddata"
FONT_PACKAGES=(fonts-hosny-amiri fonts-sil-scheherazade fonts-sil-lateef fonts-arabeyes)
# Naskh, sans and display faces; the last one is kept out of training to
# measure the model on a face it never saw.
FONTS=(Amiri-Regular Amiri-Bold Scheherazade-Regular Lateef-Regular
       DejaVuSans DejaVuSans-Bold DejaVuSansCondensed ae_AlArabiya ae_Arab
       ae_Nada ae_Furat ae_Salem ae_Cortoba ae_Tarablus)
PYTHON="${WORK}/venv/bin/python"

log() { printf '[ara_num] %s\n' "$*" >&2; }

tools() {  # the renderer's Python: Pillow (with its text layout) and python-bidi
    python3 -m venv "${WORK}/venv"
    "${WORK}/venv/bin/pip" install -q pillow python-bidi
}

fetch_fonts() {
    mkdir -p "${WORK}/debs" "${WORK}/fonts"
    (cd "${WORK}/debs" && apt-get download "${FONT_PACKAGES[@]}" >/dev/null)
    for deb in "${WORK}"/debs/*.deb; do dpkg-deb -x "${deb}" "${WORK}/fonts"; done
    cp -r /usr/share/fonts/truetype/dejavu "${WORK}/fonts/"
}

render_font() {  # font index
    local index="$1" font="${FONTS[$1]}"
    local base="${WORK}/lines/ara_num.${font}"
    "${PYTHON}" "${HERE}/numbers_text.py" "${LINES_PER_FONT}" "$((100 + index))" >"${base}.gt"
    "${PYTHON}" "${HERE}/render_lines.py" "$(find "${WORK}/fonts" -name "${font}.ttf" | head -1)" \
        "${base}.gt" "${base}" "$((200 + index))"
    tesseract "${base}.tif" "${base}" --psm 13 lstm.train >/dev/null 2>&1
    log "rendered ${font}"
}

render_all() {
    mkdir -p "${WORK}/lines"
    local index
    for index in "${!FONTS[@]}"; do
        render_font "${index}" &
        if (( index % 2 == 1 )); then wait; fi
    done
    wait
}

starter_model() {
    cat "${WORK}"/lines/*.gt >"${WORK}/all.txt"
    unicharset_extractor --output_unicharset "${WORK}/unicharset" \
        --norm_mode 2 "${WORK}/all.txt" >/dev/null 2>&1
    # Character properties (direction, digit, punctuation) come from the
    # installed models' character sets; the radical table only matters to Han.
    local tessdata
    tessdata="$(tesseract --list-langs 2>/dev/null | sed -n 's/.*"\(.*\)".*/\1/p')"
    mkdir -p "${WORK}/langdata" "${WORK}/unpacked" "${WORK}/model/ara_num"
    combine_tessdata -u "${tessdata}/ara.traineddata" "${WORK}/unpacked/ara." >/dev/null
    combine_tessdata -u "${tessdata}/fra.traineddata" "${WORK}/unpacked/fra." >/dev/null
    cp "${WORK}/unpacked/ara.lstm-unicharset" "${WORK}/langdata/Arabic.unicharset"
    cp "${WORK}/unpacked/fra.lstm-unicharset" "${WORK}/langdata/Latin.unicharset"
    cp "${WORK}/unpacked/fra.lstm-unicharset" "${WORK}/langdata/Common.unicharset"
    printf '4E00\t1.0\n' >"${WORK}/langdata/radical-stroke.txt"
    combine_lang_model --input_unicharset "${WORK}/unicharset" \
        --script_dir "${WORK}/langdata" --output_dir "${WORK}/model" \
        --lang ara_num --pass_through_recoder >/dev/null 2>&1
}

train() {
    local classes
    classes="$(head -n1 "${WORK}/unicharset")"
    ls "${WORK}"/lines/*.lstmf | grep -v "${FONTS[-1]}" >"${WORK}/train.list"
    ls "${WORK}/lines/ara_num.${FONTS[-1]}.lstmf" >"${WORK}/eval.list"
    mkdir -p "${WORK}/checkpoints"
    lstmtraining --traineddata "${WORK}/model/ara_num/ara_num.traineddata" \
        --net_spec "[1,36,0,1 Ct3,3,16 Mp3,3 Lfys48 Lfx96 Lrx96 Lfx128 O1c${classes}]" \
        --model_output "${WORK}/checkpoints/ara_num" --learning_rate 0.002 \
        --train_listfile "${WORK}/train.list" --eval_listfile "${WORK}/eval.list" \
        --max_iterations "${ITERATIONS}" --target_error_rate 0.005 >"${WORK}/training.log" 2>&1
    # Stored in integers, as Debian's models are: 277 KB instead of 2 MB; a
    # dense A4 page read with ara+ara_num in 5.7 s instead of 6.4; and 7 of
    # the judgment's 10 numbers read exactly instead of 4.
    lstmtraining --stop_training --convert_to_int \
        --continue_from "${WORK}/checkpoints/ara_num_checkpoint" \
        --traineddata "${WORK}/model/ara_num/ara_num.traineddata" \
        --model_output "${MODEL}"
}

marks_left_to_right() {
    # The model reads a line left to right; Tesseract turns a word holding a
    # right-to-left letter round whole, digits and all (٢٠١٣م came out
    # ٣١٠٢م). Told the date marks هـ/م run left to right, it keeps the word
    # as read (م٢٠١٣) and chalicelib.ocr puts the mark back after the number.
    local unpacked="${WORK}/final/ara_num."
    mkdir -p "${WORK}/final"
    combine_tessdata -u "${MODEL}" "${unpacked}" >/dev/null
    awk 'BEGIN {OFS=" "} ($1 == "ه" || $1 == "م") {$6 = 0} {print}' \
        "${unpacked}lstm-unicharset" >"${unpacked}marks"
    mv "${unpacked}marks" "${unpacked}lstm-unicharset"
    combine_tessdata -o "${MODEL}" "${unpacked}lstm-unicharset" >/dev/null
}

main() {
    mkdir -p "${WORK}"
    tools
    fetch_fonts
    render_all
    starter_model
    train
    marks_left_to_right
    log "wrote ${MODEL}"
}

main "$@"
