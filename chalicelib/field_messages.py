"""What is wrong with a field, in Arabic and French.

Every entry of an error's ``details`` carries ``messages`` beside its
technical ``reason``: from the kind of pydantic error (a missing field, a
string too long...) or from the start of the application's own reasons. A
reason this table does not know still gets a general message in both
languages; the technical reason stays in ``reason``.
"""

from __future__ import annotations

from typing import Any

Bilingual = dict[str, str]

# Kinds of pydantic errors -> messages; ``{name}`` takes the error's context.
BY_TYPE: dict[str, tuple[str, str]] = {
    "missing": ("Champ obligatoire.", "حقل إلزامي."),
    "extra_forbidden": ("Champ inconnu.", "حقل غير معروف."),
    "string_too_short": (
        "Trop court (au moins {min_length} caractère(s)).",
        "قصير جدا (على الأقل {min_length} حرف).",
    ),
    "string_too_long": (
        "Trop long (au plus {max_length} caractères).",
        "طويل جدا (على الأكثر {max_length} حرفا).",
    ),
    "string_pattern_mismatch": ("Format invalide.", "صيغة غير صالحة."),
    "too_short": (
        "Au moins {min_length} élément(s).",
        "عنصر واحد على الأقل مطلوب ({min_length}).",
    ),
    "too_long": (
        "Au plus {max_length} élément(s).",
        "عدد العناصر يتجاوز الحد ({max_length}).",
    ),
    "greater_than": ("Doit être supérieur à {gt}.", "يجب أن يكون أكبر من {gt}."),
    "greater_than_equal": ("Doit être au moins {ge}.", "يجب أن يكون {ge} على الأقل."),
    "less_than_equal": ("Doit être au plus {le}.", "يجب ألا يتجاوز {le}."),
    "enum": ("Valeur non admise ({expected}).", "قيمة غير مقبولة ({expected})."),
    "literal_error": (
        "Valeur non admise ({expected}).",
        "قيمة غير مقبولة ({expected}).",
    ),
    "json_invalid": ("Le corps n'est pas du JSON valide.", "المحتوى ليس JSON صالحا."),
    "datetime_parsing": ("Date et heure invalides.", "تاريخ ووقت غير صالحين."),
    "datetime_type": ("Date et heure invalides.", "تاريخ ووقت غير صالحين."),
    "date_parsing": ("Date invalide (AAAA-MM-JJ).", "تاريخ غير صالح (سنة-شهر-يوم)."),
    "date_type": ("Date invalide (AAAA-MM-JJ).", "تاريخ غير صالح (سنة-شهر-يوم)."),
}
TYPE_ERRORS = ("string_type", "int_type", "int_parsing", "bool_type", "list_type")
WRONG_TYPE = ("Type de valeur invalide.", "نوع القيمة غير صالح.")

# The start of the application's own reasons -> messages.
BY_REASON: tuple[tuple[str, tuple[str, str]], ...] = (
    ("is required", ("Champ obligatoire.", "حقل إلزامي.")),
    ("unknown parameter", ("Paramètre inconnu.", "معامل غير معروف.")),
    ("unknown court", ("Juridiction inconnue.", "محكمة غير معروفة.")),
    ("case type", ("Type d'affaire non admis ici.", "نوع القضية غير مقبول هنا.")),
    ("must be in the future", ("Doit être dans le futur.", "يجب أن يكون في المستقبل.")),
    (
        "is in the future",
        ("Ne peut être dans le futur.", "لا يمكن أن يكون في المستقبل."),
    ),
    (
        "is before the case was registered",
        ("Antérieur à l'enregistrement du dossier.", "سابق لتاريخ تسجيل الملف."),
    ),
    (
        "is more than five years ahead",
        ("Plus de cinq ans à l'avance.", "أبعد من خمس سنوات."),
    ),
    (
        "is in the same slot as before",
        ("Même créneau qu'auparavant.", "نفس الفترة الزمنية السابقة."),
    ),
    (
        "must be a date",
        ("Date invalide (AAAA-MM-JJ).", "تاريخ غير صالح (سنة-شهر-يوم)."),
    ),
    (
        "must be YYYY-MM-DD",
        ("Date invalide (AAAA-MM-JJ).", "تاريخ غير صالح (سنة-شهر-يوم)."),
    ),
    ("must be a whole number", ("Nombre entier attendu.", "يجب إدخال عدد صحيح.")),
    ("must be four digits", ("Quatre chiffres attendus.", "يجب إدخال أربعة أرقام.")),
    ("must be one of", ("Valeur non admise.", "قيمة غير مقبولة.")),
    ("not a cursor", ("Curseur invalide.", "مؤشر غير صالح.")),
    ("belongs to another", ("Curseur d'une autre liste.", "مؤشر يخص قائمة أخرى.")),
    (
        "no such file",
        ("Dossier introuvable dans cette juridiction.", "ملف غير موجود بهذه المحكمة."),
    ),
    (
        "a file cannot be linked",
        ("Un dossier ne se lie pas à lui-même.", "لا يربط الملف بنفسه."),
    ),
    ("is not a user", ("Utilisateur inconnu.", "مستخدم غير معروف.")),
    (
        "is not an active judge",
        ("Pas un juge actif de cette juridiction.", "ليس قاضيا نشطا بهذه المحكمة."),
    ),
    (
        "does not serve",
        ("N'exerce pas dans cette juridiction.", "لا يعمل بهذه المحكمة."),
    ),
    (
        "a national ID",
        (
            "CIN invalide (ex. BK123456).",
            "رقم البطاقة الوطنية غير صالح (مثال BK123456).",
        ),
    ),
    (
        "contains the invisible character",
        ("Contient un caractère invisible.", "يحتوي على حرف غير مرئي."),
    ),
    (
        "must contain a letter",
        ("Doit contenir une lettre ou un chiffre.", "يجب أن يحتوي على حرف أو رقم."),
    ),
    (
        "must be a signed court document",
        (
            "Document scellé de la juridiction requis.",
            "يلزم مستند مختوم صادر عن المحكمة.",
        ),
    ),
)
GENERAL = ("Valeur invalide.", "قيمة غير صالحة.")

# Why a request conflicts with the state of things (409s) -> messages.
CONFLICTS: tuple[tuple[str, tuple[str, str]], ...] = (
    (
        "already linked",
        ("Ces deux dossiers sont déjà liés.", "هذان الملفان مرتبطان من قبل."),
    ),
    (
        "this national ID belongs to another user",
        (
            "Cette CIN appartient déjà à un autre utilisateur.",
            "هذه البطاقة الوطنية لمستخدم آخر.",
        ),
    ),
    (
        "the document is not signed",
        ("Le document n'est pas encore scellé.", "المستند غير مختوم بعد."),
    ),
    (
        "the document has not been received yet",
        ("Le document n'a pas encore été reçu.", "لم يتم استلام المستند بعد."),
    ),
    (
        "judgment number already used",
        ("Ce numéro de jugement est déjà pris.", "رقم الحكم هذا مستعمل."),
    ),
    (
        "a case keeps at least one party",
        ("Un dossier garde au moins une partie.", "يحتفظ الملف بطرف واحد على الأقل."),
    ),
    (
        "a hearing's outcome is recorded once it has started",
        (
            "L'issue d'une audience se consigne une fois l'audience commencée.",
            "تسجل نتيجة الجلسة بعد انطلاقها.",
        ),
    ),
    (
        "an archived case is read-only",
        ("Un dossier archivé ne se modifie plus.", "الملف المؤرشف لا يعدل."),
    ),
)


def reason_messages(reason: str) -> Bilingual | None:
    """The French and Arabic of an error's known reason, None if unknown.

    >>> reason_messages("already linked")["fr"]
    'Ces deux dossiers sont déjà liés.'
    """
    for start, (french, arabic) in CONFLICTS:
        if reason.startswith(start):
            return {"fr": french, "ar": arabic}
    return None


def messages_for(
    reason: str, kind: str | None = None, context: Any = None
) -> Bilingual:
    """The French and Arabic message of one field error.

    >>> messages_for("is required")["fr"]
    'Champ obligatoire.'
    """
    french, arabic = _templates(reason, kind)
    values = {k: _shown(v) for k, v in (context or {}).items()}
    try:
        return {"fr": french.format(**values), "ar": arabic.format(**values)}
    except (KeyError, IndexError):
        return {"fr": GENERAL[0], "ar": GENERAL[1]}


def _templates(reason: str, kind: str | None) -> tuple[str, str]:
    if kind in BY_TYPE:
        return BY_TYPE[kind]
    if kind in TYPE_ERRORS:
        return WRONG_TYPE
    plain = reason.removeprefix("Value error, ")
    for start, templates in BY_REASON:
        if start in plain:
            return templates
    return GENERAL


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
