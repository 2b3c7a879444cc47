"""How identities are written: domains, email addresses and one-line text.

Syncro compares emails and domains without regard to case, and mail arrives with the
ASCII (IDNA) form of a domain, so both are normalised here, at the edge, to the form
Syncro and the mail it receives use: lower-case ASCII. A value written two ways is
then one value, and a preview after `up` shows no change. Email syntax is
email-validator's (no DNS: this runs offline, before any API call); domains get
friendlier messages first because people paste URLs and addresses into that field.
Client IDs are catalog.is_client_id's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import idna
from email_validator import EmailNotValidError, validate_email


class IdentityError(ValueError):
    """`problem` completes "<value> ...", e.g. "contains a space"."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


_LABEL = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_TLD = re.compile(r"\A(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})\Z")


def normalise_domain(text: str) -> str:
    """The lower-case ASCII form of a host name (`Müller.de` -> `xn--mller-kva.de`)."""
    name = text.strip().lower()
    if not name:
        raise IdentityError("is empty")
    if any(ch.isspace() for ch in name):
        raise IdentityError("contains a space")
    if "://" in name or "/" in name:
        raise IdentityError("is a URL, not a domain")
    if name.startswith("@"):
        raise IdentityError("starts with '@'")
    if "@" in name:
        raise IdentityError("is an email address, not a domain")
    if name.endswith("."):
        raise IdentityError("ends with a dot")
    try:
        # UTS 46 maps what a browser would (full-width letters, case) before encoding.
        ascii_name = idna.encode(name, uts46=True).decode("ascii") if not name.isascii() else name
        if "xn--" in ascii_name:
            idna.decode(ascii_name)  # a hand-written A-label must be a real one
    except (idna.IDNAError, UnicodeError) as exc:
        raise IdentityError(f"is not a valid international domain name ({exc})") from None
    if len(ascii_name) > 253:
        raise IdentityError("is longer than 253 characters")
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise IdentityError("has no dot, so it is not a full domain name")
    for label in labels:
        if not _LABEL.match(label):
            raise IdentityError(
                f"has an invalid part {label[:63]!r} (letters, digits and inner hyphens only, "
                "1 to 63 characters)"
            )
    if not _TLD.match(labels[-1]):
        raise IdentityError(f"ends in {labels[-1][:63]!r}, which is not a top-level domain")
    return ascii_name


def _problem(normalise: Callable[[str], str], text: str) -> str | None:
    try:
        normalise(text)
    except IdentityError as exc:
        return exc.problem
    return None


def hostname_problem(name: str) -> str | None:
    """Why `name` is not a registrable host name, or None if it is."""
    return _problem(normalise_domain, name)


def normalise_email(text: str) -> str:
    """The address in lower-case ASCII, as Syncro compares it (`Sam@CyberSuite.tech` ->
    `sam@cybersuite.tech`). Non-ASCII before the '@' is refused: neither Syncro nor most
    mail servers take it."""
    address = text.strip()
    if any(ch.isspace() for ch in address):
        raise IdentityError("contains a space")
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise IdentityError(f"is not a usable email address: {exc}") from None
    return checked.ascii_email.lower()


def email_problem(address: str) -> str | None:
    """Why `address` is not a usable email address, or None."""
    return _problem(normalise_email, address)


# Characters that end a line or hide text wherever a name is shown: controls (C0, DEL,
# C1 such as U+0085), format characters (bidi overrides, zero-width), line and paragraph
# separators (U+2028, U+2029), surrogates, private use and unassigned code points.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def hidden_character(text: str, allow: str = "") -> str | None:
    """The first character of `text` that breaks a line or hides text (as U+XXXX), or
    None. `allow` lists exceptions (notes may hold newlines and tabs)."""
    for ch in text:
        if ch not in allow and unicodedata.category(ch) in _HIDDEN_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None
