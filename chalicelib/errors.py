"""The application's exceptions: one root, each HTTP-facing error with its status.

Messages exist in Arabic and French so the API can answer in the caller's
language; ``details`` names the fields at fault.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "validation_error": {
        "fr": "La requête contient des champs invalides.",
        "ar": "يتضمن الطلب حقولا غير صالحة.",
    },
    "unauthorized": {
        "fr": "Authentification requise ou jeton invalide.",
        "ar": "المصادقة مطلوبة أو الرمز غير صالح.",
    },
    "invalid_credentials": {
        "fr": "Nom d'utilisateur ou mot de passe incorrect.",
        "ar": "اسم المستخدم أو كلمة المرور غير صحيحة.",
    },
    "forbidden": {
        "fr": "Votre rôle ne permet pas cette action.",
        "ar": "دوركم لا يسمح بهذا الإجراء.",
    },
    "not_found": {
        "fr": "Ressource introuvable.",
        "ar": "المورد غير موجود.",
    },
    "conflict": {
        "fr": "Conflit avec l'état actuel de la ressource.",
        "ar": "تعارض مع الحالة الحالية للمورد.",
    },
    "too_many_requests": {
        "fr": "Trop de requêtes, réessayez plus tard.",
        "ar": "طلبات كثيرة جدا، يرجى المحاولة لاحقا.",
    },
    "password_rejected": {
        "fr": "Le mot de passe ne respecte pas la politique de sécurité "
        "(12 caractères, majuscule, minuscule, chiffre, symbole).",
        "ar": "كلمة المرور لا تستوفي سياسة الأمان "
        "(12 حرفا، حرف كبير، حرف صغير، رقم، رمز).",
    },
    "session_expired": {
        "fr": "La session de connexion a expiré; reconnectez-vous.",
        "ar": "انتهت صلاحية جلسة الدخول، يرجى تسجيل الدخول من جديد.",
    },
    "user_exists": {
        "fr": "Un utilisateur porte déjà ce nom.",
        "ar": "يوجد مستخدم بهذا الاسم.",
    },
    "last_admin": {
        "fr": "Impossible: ce serait retirer le dernier administrateur actif.",
        "ar": "غير ممكن: سيؤدي ذلك إلى إزالة آخر مسؤول نشط.",
    },
    "account_locked": {
        "fr": "Trop d'échecs de connexion; compte verrouillé temporairement.",
        "ar": "محاولات دخول فاشلة كثيرة؛ الحساب مقفل مؤقتا.",
    },
    "payload_too_large": {
        "fr": "Le contenu envoyé est trop volumineux; envoyez plutôt son empreinte "
        "SHA-256.",
        "ar": "المحتوى المرسل كبير جدا؛ يرجى إرسال بصمته SHA-256 بدلا منه.",
    },
    "stale_version": {
        "fr": "Le dossier a été modifié entre-temps; rechargez-le puis recommencez.",
        "ar": "تم تعديل الملف في الأثناء؛ يرجى إعادة تحميله ثم المحاولة من جديد.",
    },
    "transition_refused": {
        "fr": "Ce changement d'état du dossier n'est pas permis.",
        "ar": "هذا التغيير في حالة الملف غير مسموح به.",
    },
    "slot_taken": {
        "fr": "Le juge ou la salle a déjà une audience à cette heure.",
        "ar": "للقاضي أو للقاعة جلسة أخرى في هذا الوقت.",
    },
    "original_unavailable": {
        "fr": "Le fichier reçu n'est plus disponible: il a été refusé et mis en "
        "quarantaine.",
        "ar": "الملف المستلم لم يعد متاحا: فقد رفض ووضع في الحجر.",
    },
    "internal_error": {
        "fr": "Erreur interne. Communiquez l'identifiant de la requête au support.",
        "ar": "خطأ داخلي. يرجى تبليغ الدعم بمعرف الطلب.",
    },
}


class JusticiaError(Exception):
    """Root of every error this application raises on purpose."""

    status_code = 500
    code = "internal_error"

    def __init__(self, reason: str = "", details: list[dict[str, Any]] | None = None):
        super().__init__(reason or self.code)
        self.reason = reason
        self.details = details or []

    def body(self, language: str, request_id: str) -> dict[str, Any]:
        """Render the JSON error body in ``language`` (``ar`` or ``fr``)."""
        messages = MESSAGES[self.code]
        error: dict[str, Any] = {
            "code": self.code,
            "message": messages.get(language, messages["fr"]),
            "messages": messages,
            "request_id": request_id,
        }
        if self.reason:
            error["reason"] = self.reason
            from chalicelib.field_messages import reason_messages

            known = reason_messages(self.reason)
            if known:
                error["reason_messages"] = known
        if self.details:
            error["details"] = self.details
        return {"error": error}


class ValidationFailed(JusticiaError):
    """The input is malformed; ``details`` holds ``{"field", "reason"}`` items."""

    status_code = 400
    code = "validation_error"

    @classmethod
    def field(cls, field: str, reason: str) -> ValidationFailed:
        """Build the error for one bad field, e.g. ``field("court_code", ...)``.

        The detail carries the reason in Arabic and French too (``messages``).
        """
        from chalicelib.field_messages import messages_for

        detail = {"field": field, "reason": reason, "messages": messages_for(reason)}
        return cls(f"{field}: {reason}", [detail])


class Unauthorized(JusticiaError):
    """No credentials, or credentials that do not verify."""

    status_code = 401
    code = "unauthorized"


class InvalidCredentials(Unauthorized):
    """A login failed; the same answer for an unknown user and a wrong password."""

    code = "invalid_credentials"


class Forbidden(JusticiaError):
    """The caller's role may not perform the action."""

    status_code = 403
    code = "forbidden"


class NotFound(JusticiaError):
    """The resource does not exist, or the caller may not know it exists."""

    status_code = 404
    code = "not_found"


class Conflict(JusticiaError):
    """The request conflicts with the current state (a stale version, say)."""

    status_code = 409
    code = "conflict"


class DependencyFailed(JusticiaError):
    """An AWS service or the HSM failed; keeps the provider's error code."""

    def __init__(self, service: str, aws_code: str = ""):
        super().__init__(f"{service} failed {aws_code}".strip())
        self.service = service
        self.aws_code = aws_code


class PasswordRejected(ValidationFailed):
    """A new password does not meet the pool's password policy."""

    code = "password_rejected"


class SessionExpired(Unauthorized):
    """A sign-in challenge's session is unknown, used or expired."""

    code = "session_expired"


class UserExists(Conflict):
    """A user with this username already exists."""

    code = "user_exists"


class LastActiveAdmin(Conflict):
    """The change would leave no active administrator."""

    code = "last_admin"


class AccountLocked(JusticiaError):
    """Too many failed logins for this username: it is locked for a while."""

    status_code = 429
    code = "account_locked"


class TooManyRequests(JusticiaError):
    """Too many attempts from one source in a short time; try again later."""

    status_code = 429
    code = "too_many_requests"


class PayloadTooLarge(JusticiaError):
    """A body larger than the route accepts; the reason says the limit."""

    status_code = 413
    code = "payload_too_large"


class StaleVersion(Conflict):
    """The case changed since the caller read it: reload, then try again."""

    code = "stale_version"


class TransitionRefused(Conflict):
    """The case's status may not go from its current value to the one asked."""

    code = "transition_refused"


class OriginalUnavailable(Conflict):
    """The bytes received were refused and moved to quarantine (or are gone)."""

    code = "original_unavailable"


class SlotTaken(Conflict):
    """The judge or the room already has a hearing at that time."""

    code = "slot_taken"


# Why a document ended FAILED, for its readers: ``DocumentModel.failure_code``
# names one of these; ``failure_reason`` keeps the technical detail.
DOCUMENT_FAILURES: dict[str, dict[str, str]] = {
    "document_empty": {
        "fr": "Le fichier reçu est vide.",
        "ar": "الملف المستلم فارغ.",
    },
    "document_too_large": {
        "fr": "Le fichier ou l'une de ses pages dépasse la taille autorisée.",
        "ar": "الملف أو إحدى صفحاته يتجاوز الحجم المسموح به.",
    },
    "document_wrong_type": {
        "fr": "Le contenu du fichier ne correspond pas au type déclaré.",
        "ar": "محتوى الملف لا يطابق النوع المصرح به.",
    },
    "document_too_many_pages": {
        "fr": "Le document compte plus de pages que le nombre autorisé.",
        "ar": "عدد صفحات الوثيقة يتجاوز العدد المسموح به.",
    },
    "document_unsafe": {
        "fr": "Le document est chiffré ou contient des éléments actifs (scripts, "
        "pièces jointes, formulaires XFA); il a été mis en quarantaine.",
        "ar": "الوثيقة مشفرة أو تتضمن عناصر نشطة (برامج نصية، مرفقات، "
        "استمارات XFA)، وقد وضعت في الحجر.",
    },
    "document_polyglot": {
        "fr": "Le fichier est à la fois un document et un autre format (archive, "
        "page web, programme); il a été mis en quarantaine.",
        "ar": "الملف وثيقة وصيغة أخرى في آن واحد (أرشيف أو صفحة ويب أو برنامج)، "
        "وقد وضع في الحجر.",
    },
    "document_corrupt": {
        "fr": "Le fichier est endommagé ou illisible.",
        "ar": "الملف تالف أو غير قابل للقراءة.",
    },
    "document_event_mismatch": {
        "fr": "Le fichier stocké ne correspond pas à celui annoncé (taille ou "
        "empreinte); il n'a été ni lu ni scellé. Un opérateur doit vérifier le dépôt.",
        "ar": "الملف المخزن لا يطابق الملف المعلن عنه (الحجم أو البصمة)، فلم تتم "
        "قراءته ولا ختمه. يجب على المشغل التحقق من الإيداع.",
    },
    "document_failed": {
        "fr": "Le traitement du document a échoué; un opérateur peut le relancer.",
        "ar": "فشلت معالجة الوثيقة؛ يمكن للمشغل إعادة إطلاقها.",
    },
}


# Why a sealed PDF carries no text layer (``DocumentModel.text_layer.code``).
TEXT_LAYER_REASONS: dict[str, dict[str, str]] = {
    "text_layer_present": {
        "fr": "Chaque page porte déjà son texte; aucune couche n'a été ajoutée.",
        "ar": "كل صفحة تحمل نصها أصلا؛ لم تضف أي طبقة نصية.",
    },
    "text_layer_signed": {
        "fr": "Le PDF porte déjà la signature de son déposant; il a été scellé tel "
        "que reçu pour la laisser intacte.",
        "ar": "يحمل ملف PDF توقيع مودعه؛ ختم كما ورد حفاظا على سلامة هذا التوقيع.",
    },
    "text_layer_time_budget": {
        "fr": "La couche de texte aurait dépassé le temps alloué; le document a "
        "été scellé tel que reçu.",
        "ar": "كانت الطبقة النصية ستتجاوز الوقت المخصص؛ ختمت الوثيقة كما وردت.",
    },
    "text_layer_failed": {
        "fr": "La couche de texte n'a pas pu être produite; le document a été "
        "scellé tel que reçu.",
        "ar": "تعذر إنتاج الطبقة النصية؛ ختمت الوثيقة كما وردت.",
    },
}
