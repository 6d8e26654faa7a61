"""Reading a document's bytes: a short-lived presigned download, audited.

The API never streams documents itself: it answers an address valid for a
minute, for the exact S3 version received (the original) or written at
signing (the sealed PDF, or the detached ``.p7s`` of another file). The
original of a refused document whose bytes went to quarantine (their version
deleted) is no longer there: 409 ``original_unavailable``, never an address
S3 would refuse. Law 09-08
asks that access to personal data be logged: every address given is audited
``DOWNLOAD_DOCUMENT`` on the case, with who asked and from where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import audit
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.errors import Conflict, OriginalUnavailable, ValidationFailed
from chalicelib.models import DocumentModel

if TYPE_CHECKING:
    from chalicelib.audit import Actor

DOWNLOAD_SECONDS = 60
VARIANTS = ("original", "sealed")
READABLE = frozenset({"RECEIVED", "READ", "SIGNED", "FAILED"})
# Failures that are not the received bytes' fault keep them
# (``pipeline.FAILED_CODE``); every other failure code moved them to quarantine.
KEPT_ON_FAILURE = frozenset({None, "document_failed"})


def download_link(
    document: DocumentModel, variant: str, actor: Actor
) -> dict[str, Any]:
    """A presigned address of the ``original`` or ``sealed`` bytes, audited."""
    key, version, filename, content_type = _object_of(document, variant)
    params: dict[str, Any] = {
        "Bucket": get_settings().documents_bucket,
        "Key": key,
        "ResponseContentDisposition": f'inline; filename="{_ascii(filename)}"',
        "ResponseContentType": content_type,
    }
    if version:
        params["VersionId"] = version
    url = client("s3").generate_presigned_url(
        "get_object", Params=params, ExpiresIn=DOWNLOAD_SECONDS
    )
    audit.record(
        actor,
        audit.AuditEntry(
            "DOWNLOAD_DOCUMENT",
            f"case#{document.case_id}",
            details={"document_id": document.document_id, "variant": variant},
        ),
    )
    return {
        "url": url,
        "expires_in": DOWNLOAD_SECONDS,
        "filename": filename,
        "content_type": content_type,
    }


def _object_of(
    document: DocumentModel, variant: str
) -> tuple[str, str | None, str, str]:
    if variant not in VARIANTS:
        raise ValidationFailed.field("variant", f"must be one of {', '.join(VARIANTS)}")
    if variant == "original":
        if document.status not in READABLE or not document.version_id:
            raise Conflict("the document has not been received yet")
        if document.status == "FAILED":
            _original_still_stored(document)
        name = str(document.filename)
        return (
            str(document.object_key),
            document.version_id,
            name,
            document.content_type,
        )
    signature = document.signature
    if document.status != "SIGNED" or signature is None:
        raise Conflict("the document is not signed yet")
    if signature.format == "PAdES":
        return (
            signature.object_key,
            signature.object_version,
            str(document.filename),
            "application/pdf",
        )
    return (
        signature.object_key,
        signature.object_version,
        f"{document.filename}.p7s",
        "application/pkcs7-signature",
    )


def _original_still_stored(document: DocumentModel) -> None:
    """Raise ``OriginalUnavailable`` unless a refused document's bytes remain.

    Bytes at fault (unsafe, polyglot, corrupt...) were moved to quarantine
    and their version deleted; a failure of the pipeline itself keeps them,
    unless they went missing, which S3 is asked (a refused document only).
    """
    if document.failure_code not in KEPT_ON_FAILURE:
        raise OriginalUnavailable("the file received was refused and quarantined")
    s3 = client("s3")
    try:
        s3.head_object(
            Bucket=get_settings().documents_bucket,
            Key=str(document.object_key),
            VersionId=str(document.version_id),
        )
    except s3.exceptions.ClientError as exc:
        raise OriginalUnavailable("the file received is no longer stored") from exc


def _ascii(filename: str) -> str:
    """The file name as a header may carry it (non-ASCII and quotes replaced)."""
    return "".join(c if c.isascii() and c not in '"\\\r\n' else "_" for c in filename)
