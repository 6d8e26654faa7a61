"""Request bodies of the API, validated with pydantic.

Unknown fields are refused so that a typo never passes silently.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

# A case's parties and their counsel are written in one DynamoDB transaction
# (at most 100 items) with the case, its guard, audit and timeline records.
MAX_PARTIES = 20
MAX_COUNSEL = 3
NATIONAL_ID = re.compile(r"^[A-Z]{1,2}[0-9]{1,8}$")
ALLOWED_CONTENT_TYPES = ("application/pdf", "image/tiff", "image/png", "image/jpeg")

# Bidirectional controls can make a name display as something else
# ("a\u202efdp.exe" shows as "aexe.pdf"); control characters have no place in
# court records.
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


class FieldError(ValueError):
    """A rule across fields broken by one field, which it names for the caller."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field} {reason}")
        self.field = field


# Control, format (zero-width, bidi marks, soft hyphen...) and line/paragraph
# separator characters.
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn"})
# Letters that display as blank space.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def readable(value: str) -> str:
    """Refuse control and bidi-override characters, and text with no letter or digit.

    >>> readable("شركة البناء")
    'شركة البناء'
    """
    for character in value:
        hidden = unicodedata.category(character) in INVISIBLE
        if character in BIDI_CONTROLS or character in BLANK_LETTERS or hidden:
            raise ValueError(f"contains the invisible character U+{ord(character):04X}")
    if not any(character.isalnum() for character in value):
        raise ValueError("must contain a letter or a digit")
    return value


def plain_filename(value: str) -> str:
    """Refuse ``.``/``..`` and names made only of dots, besides unreadable text."""
    readable(value)
    if value.strip(".") == "":
        raise ValueError("is not a file name")
    return value


Text = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(readable)]
ShortText = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(readable)
]
# Secrets are taken exactly as typed: never trimmed.
Secret = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=1, max_length=256)
]


class Strict(BaseModel):
    """Base of every request body: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def normalise_national_id(value: str | None) -> str | None:
    """Normalise a CIN such as `` bk123456 `` to ``BK123456``; refuse others.

    >>> normalise_national_id(" bk123456 ")
    'BK123456'
    """
    if value is None:
        return None
    normalised = value.strip().upper()
    if not NATIONAL_ID.match(normalised):
        raise ValueError(
            "a national ID is one or two letters then digits, e.g. BK123456"
        )
    return normalised


class LoginRequest(Strict):
    """``POST /auth/login``."""

    username: ShortText
    password: Secret

    @field_validator("username")
    @classmethod
    def _case_insensitive(cls, value: str) -> str:
        """Usernames are case-insensitive: they are stored in lower case."""
        return value.lower()


class PartyRole(StrEnum):
    """The procedural role of a party."""

    PLAINTIFF = "plaintiff"
    DEFENDANT = "defendant"
    INTERVENER = "intervener"
    APPELLANT = "appellant"
    RESPONDENT = "respondent"


class PartyKind(StrEnum):
    """A natural person or a legal person."""

    NATURAL = "natural"
    LEGAL = "legal"


class Counsel(Strict):
    """A lawyer, identified by bar association and roll number."""

    bar: ShortText
    roll_number: Annotated[
        str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    ]


class Party(Strict):
    """A party as registered with the case."""

    role: PartyRole
    kind: PartyKind = PartyKind.NATURAL
    name: ShortText
    name_latin: ShortText | None = None
    national_id: str | None = None
    trade_register: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    lawyers: Annotated[list[Counsel], Field(max_length=MAX_COUNSEL)] = []

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, value: str | None) -> str | None:
        """Normalise a CIN such as ``bk123456`` to ``BK123456``; refuse others."""
        return normalise_national_id(value)

    @model_validator(mode="after")
    def _identity_fits_kind(self) -> Party:
        if self.kind is PartyKind.LEGAL and self.national_id:
            raise ValueError(
                "a legal person has a trade register number, not a national ID"
            )
        return self


class RegisterCaseRequest(Strict):
    """``POST /cases``."""

    court_code: Annotated[
        str, Field(min_length=2, max_length=40, pattern=r"^[A-Z0-9-]+$")
    ]
    case_type_code: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    subject: Text
    parties: Annotated[list[Party], Field(min_length=1, max_length=MAX_PARTIES)]


class CreateDocumentRequest(Strict):
    """``POST /cases/{id}/documents``: announce an upload and get its form."""

    filename: Annotated[
        str,
        Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00-\x1f]+$"),
        AfterValidator(plain_filename),
    ]
    content_type: str
    # Strict: true, "10" or 1e3 are not sizes.
    size: Annotated[StrictInt, Field(gt=0)]

    @field_validator("content_type")
    @classmethod
    def _content_type(cls, value: str) -> str:
        if value not in ALLOWED_CONTENT_TYPES:
            raise ValueError(f"must be one of {', '.join(ALLOWED_CONTENT_TYPES)}")
        return value


class NewPasswordRequest(Strict):
    """``POST /auth/password``: answer ``NEW_PASSWORD_REQUIRED`` from the login."""

    username: ShortText
    session: Annotated[str, Field(min_length=20, max_length=2048)]  # Cognito's
    new_password: Secret


class RefreshRequest(Strict):
    """``POST /auth/refresh``: new ID and access tokens for a refresh token."""

    refresh_token: Annotated[str, Field(min_length=1, max_length=8192)]


class Role(StrEnum):
    """The roles of the application; each is a Cognito group too."""

    ADMIN = "ADMIN"
    JUDGE = "JUDGE"
    CLERK = "CLERK"
    LAWYER = "LAWYER"
    CITIZEN = "CITIZEN"


CourtCode = Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[A-Z0-9-]+$")]
RollNumber = Annotated[
    str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
]
# What each role must carry beside its name; anything else is refused.
ROLE_FIELDS: dict[Role, tuple[str, ...]] = {
    Role.ADMIN: (),
    Role.JUDGE: ("courts",),
    Role.CLERK: ("courts",),
    Role.LAWYER: ("bar", "roll_number"),
    Role.CITIZEN: ("national_id",),
}


class RoleGrant(Strict):
    """A role with what it needs.

    Courts for judges and clerks, bar and roll number for lawyers, national ID
    for citizens; a field the role does not use is refused.
    """

    role: Role
    courts: Annotated[list[CourtCode], Field(min_length=1, max_length=50)] | None = None
    bar: ShortText | None = None
    roll_number: RollNumber | None = None
    national_id: str | None = None

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, value: str | None) -> str | None:
        return normalise_national_id(value)

    @field_validator("courts")
    @classmethod
    def _distinct_courts(cls, value: list[str] | None) -> list[str] | None:
        """Each court once, in the order given."""
        return list(dict.fromkeys(value)) if value is not None else None

    @model_validator(mode="after")
    def _fits_role(self) -> RoleGrant:
        needed = ROLE_FIELDS[self.role]
        for name in ("courts", "bar", "roll_number", "national_id"):
            present = getattr(self, name) is not None
            if name in needed and not present:
                raise FieldError(name, f"is required for role {self.role.value}")
            if name not in needed and present:
                raise FieldError(name, f"does not apply to role {self.role.value}")
        return self


class CreateUserRequest(RoleGrant):
    """``POST /users``: a new user, signed in first with a temporary password."""

    username: Annotated[
        str, Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]+$")
    ]
    full_name: ShortText
    email: (
        Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
        | None
    ) = None

    @field_validator("username", mode="before")
    @classmethod
    def _lower_username(cls, value: object) -> object:
        """Usernames are case-insensitive: ``Khadija.K`` is ``khadija.k``."""
        return value.strip().lower() if isinstance(value, str) else value


class SetRoleRequest(RoleGrant):
    """``PUT /users/{username}/role``: the new role and what it needs."""


Version = Annotated[StrictInt, Field(ge=1)]
CaseTypeCode = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
Username = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[a-z0-9._@-]+$")
]
Room = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(readable)]


def _court_time(moment: datetime) -> datetime:
    """A time without an offset is the court's wall-clock time."""
    from chalicelib.court_time import at_court

    if not 2000 <= moment.year <= 2999:
        raise ValueError("must be a time of this millennium")
    try:
        return at_court(moment)
    except OverflowError as exc:
        raise ValueError("is out of range") from exc


# A hearing time: with its offset, or court time when written without one.
CourtTime = Annotated[datetime, AfterValidator(_court_time)]


class CaseStatus(StrEnum):
    """Where a case file stands."""

    REGISTERED = "REGISTERED"
    SCHEDULED = "SCHEDULED"
    DELIBERATION = "DELIBERATION"
    JUDGED = "JUDGED"
    APPEALED = "APPEALED"
    CLOSED = "CLOSED"
    ARCHIVED = "ARCHIVED"


class Versioned(Strict):
    """A change of a case names the version of the case it was made on."""

    version: Version


class UpdateCaseRequest(Versioned):
    """``PATCH /cases/{id}``: what may be corrected after registration."""

    subject: Text


class TransitionRequest(Versioned):
    """``POST /cases/{id}/status``: move the case to another status."""

    status: CaseStatus
    decision: Text | None = None


class AssignJudgeRequest(Versioned):
    """``POST /cases/{id}/assignment``: (re)assign the reporting judge."""

    judge: Username
    reason: Text | None = None


class AddPartyRequest(Versioned):
    """``POST /cases/{id}/parties``: join a party (with its counsel)."""

    party: Party


class LinkKind(StrEnum):
    """How two case files relate; each kind has its inverse on the other file."""

    APPEAL_OF = "appeal_of"
    APPEALED_BY = "appealed_by"
    JOINED_WITH = "joined_with"
    REFERRED_FROM = "referred_from"
    REFERRED_TO = "referred_to"


class LinkCaseRequest(Versioned):
    """``POST /cases/{id}/links``: link another file, named by its court and number."""

    kind: LinkKind
    court_code: CourtCode
    serial: Annotated[StrictInt, Field(ge=1)]
    case_type_code: CaseTypeCode
    year: Annotated[StrictInt, Field(ge=1900, le=2999)]


class ProcedureRequest(Strict):
    """``POST /cases/{id}/timeline``: record a procedure on the file."""

    action: Annotated[str, Field(pattern=r"^[A-Z_]{3,40}$")]
    decision: Text | None = None
    occurred_on: date | None = None


class ScheduleHearingRequest(Versioned):
    """``POST /cases/{id}/hearings``: set a hearing (judge: the reporting judge)."""

    starts_at: CourtTime
    room: Room
    judge: Username | None = None


class PostponeHearingRequest(Versioned):
    """``POST /cases/{id}/hearings/{hearing_id}/postponement``."""

    starts_at: CourtTime
    reason: Text
    room: Room | None = None


class HearingOutcome(StrEnum):
    """What a hearing ended with."""

    ADJOURNED = "adjourned"
    RESERVED_FOR_JUDGMENT = "reserved_for_judgment"
    STRUCK_OFF = "struck_off"


class HearingOutcomeRequest(Versioned):
    """``POST /cases/{id}/hearings/{hearing_id}/outcome``.

    An adjournment names the next hearing's start; it is scheduled at once.
    """

    outcome: HearingOutcome
    decision: Text | None = None
    next_starts_at: CourtTime | None = None

    @model_validator(mode="after")
    def _adjournment_has_a_date(self) -> HearingOutcomeRequest:
        adjourned = self.outcome is HearingOutcome.ADJOURNED
        if adjourned and self.next_starts_at is None:
            raise FieldError("next_starts_at", "is required when adjourned")
        if not adjourned and self.next_starts_at is not None:
            raise FieldError("next_starts_at", "is only for an adjournment")
        return self


class JudgmentRequest(Versioned):
    """``POST /cases/{id}/judgments``: the judgment, with its signed document."""

    pronounced_on: date
    operative_part: Annotated[
        str, Field(min_length=1, max_length=5000), AfterValidator(readable)
    ]
    document_id: Annotated[str, Field(min_length=1, max_length=64)]
