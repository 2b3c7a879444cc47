"""The Organization's own policies: `required-org-fields`, `main-contact-domain`
(advisory), `deployment-keys-secret` and `no-portal-user`.

Defaults come from resources/catalog.py: the custom fields, tiers, platforms, the
client ID check (`catalog.is_client_id`) and the secret EDR key fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs

from policies.common import (
    CONTACT,
    CUSTOMER_FILE,
    EDR_KEYS,
    ORGANIZATION,
    PUBLIC_FIELDS,
    SECRET_FIELDS,
    UNKNOWN,
    Setting,
    customer_label,
    declare,
    domain_of,
    domains_of,
    has_unknown,
    nonblank,
    resource_props,
    violation,
)
from resources import catalog

CLIENT_ID_PATTERN = Setting(
    "clientIdPattern", catalog.CLIENT_ID_PATTERN, "regular expression for CS Client ID"
)
TIERS = Setting("tiers", catalog.TIERS, "allowed MSP Plan Tier values")
PLATFORMS = Setting("platforms", catalog.PLATFORMS, "allowed Platform values")
REQUIRED_FIELDS = Setting("requiredFields", PUBLIC_FIELDS, "custom fields every organization needs")
ALLOW_SUBDOMAINS = Setting(
    "allowSubdomains", False, "accept a main contact at a subdomain of a listed domain"
)
REQUIRED_KEYS = Setting("requiredKeys", SECRET_FIELDS, "keys edr_keys must carry")


def _is_client_id(value: str, pattern: str) -> bool:
    """The catalog's check, unless the stack configured its own pattern (ASCII too)."""
    if pattern == catalog.CLIENT_ID_PATTERN:
        return catalog.is_client_id(value)
    return re.fullmatch(pattern, value, re.ASCII) is not None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAIN_POC = re.compile(r"^(?P<name>\S.*?)\s*<(?P<email>[^<>\s@]+@[^<>\s@]+)>$")


def _same_as(name: str, value: str, props: Mapping[str, Any], key: str) -> tuple[str, str] | None:
    """A field that repeats one of the organization's inputs must say the same."""
    wanted = props.get(key, UNKNOWN)
    if wanted is UNKNOWN or value == wanted:
        return None
    return (
        f"{name} {value!r} differs from the organization's {key} {wanted!r}",
        f"write the field from {key} (resources/domain.py organization_fields)",
    )


def _field_problem(
    name: str,
    value: str,
    props: Mapping[str, Any],
    pattern: str,
    tiers: Sequence[str],
    platforms: Sequence[str],
) -> tuple[str, str] | None:
    """(problem, fix) for one present, known, non-empty field value, or None."""
    if name == catalog.FIELD_CLIENT_ID:
        if not _is_client_id(value, pattern):
            return f"{name} {value!r} does not match {pattern}", "use CS- and four digits"
        return _same_as(name, value, props, "client_id")
    elif name == catalog.FIELD_TIER:
        if value not in tiers:
            return f"{name} {value!r} is not a tier", f"use one of {', '.join(tiers)}"
        return _same_as(name, value, props, "tier")
    elif name == catalog.FIELD_PLATFORM:
        if value not in platforms:
            return f"{name} {value!r} is not a platform", f"use one of {', '.join(platforms)}"
    elif name == catalog.FIELD_PRIMARY_DOMAIN:
        domains = domains_of(props)
        if domains is None or (domains and domains[0] is UNKNOWN):
            return None
        primary = domains[0] if domains else None
        if value != primary:
            return (
                f"{name} {value!r} is not the first of the organization's domains ({primary!r})",
                f"list the primary domain first under domains: in {CUSTOMER_FILE}",
            )
    elif name == catalog.FIELD_MAIN_POC:
        match = _MAIN_POC.match(value)
        if match is None:
            return f"{name} {value!r} is not `Name <email>`", "write it as `Jane Smith <jane@x>`"
        email = props.get("email", UNKNOWN)
        if isinstance(email, str) and match["email"].lower() != email.lower():
            return (
                f"{name} email {match['email']!r} differs from the organization's email {email!r}",
                f"set both from main_poc in {CUSTOMER_FILE}",
            )
    elif name == catalog.FIELD_HUBSPOT_DEAL_ID:
        if not value.isascii() or not value.isdigit():
            return (
                f"{name} {value!r} is not all digits",
                f'quote the HubSpot deal number in {CUSTOMER_FILE}: hubspot_deal_id: "18234567"',
            )
    elif name == catalog.FIELD_GO_LIVE:
        try:
            valid = bool(_ISO_DATE.match(value)) and date.fromisoformat(value) is not None
        except ValueError:
            valid = False
        if not valid:
            return f"{name} {value!r} is not a date YYYY-MM-DD", f"set go_live in {CUSTOMER_FILE}"
    return None


def validate_org_fields(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    fields = props.get("fields")
    if fields is UNKNOWN:
        return
    pattern = str(CLIENT_ID_PATTERN.read(args))
    tiers = list(TIERS.read(args))
    platforms = list(PLATFORMS.read(args))
    required = list(REQUIRED_FIELDS.read(args))
    if not isinstance(fields, Mapping):
        report(
            violation(
                cid,
                "the organization has no custom field values (`fields` is missing)",
                "build it with resources/domain.py organization_fields",
            ),
            None,
        )
        return
    missing = [
        name
        for name in required
        if name not in fields or (fields[name] is not UNKNOWN and not nonblank(fields[name]))
    ]
    if missing:
        report(
            violation(
                cid,
                f"custom field(s) {', '.join(missing)} missing or blank",
                "give every standard field a value (resources/catalog.py CUSTOM_FIELDS, "
                "filled by resources/domain.py organization_fields)",
            ),
            None,
        )
    known = {f.name for f in catalog.CUSTOM_FIELDS}
    unknown_names = sorted(str(name) for name in fields if name not in known)
    if unknown_names:
        report(
            violation(
                cid,
                f"custom field(s) {', '.join(unknown_names)} are not defined in the catalog, "
                "and Syncro drops values of undefined fields",
                "add the field to resources/catalog.py CUSTOM_FIELDS or stop sending it",
            ),
            None,
        )
    for name in PUBLIC_FIELDS:
        value = fields.get(name)
        if not nonblank(value):
            continue
        found = _field_problem(name, value, props, pattern, tiers, platforms)
        if found:
            problem, fix = found
            report(violation(cid, problem, fix), None)


REQUIRED_ORG_FIELDS = declare(
    "required-org-fields",
    "Every organization carries every standard non-secret custom field, well formed.",
    validate_org_fields,
    settings=(CLIENT_ID_PATTERN, TIERS, PLATFORMS, REQUIRED_FIELDS),
)


def validate_main_contact_domain(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    email = props.get("email", UNKNOWN)
    domains = domains_of(props)
    if email is UNKNOWN or domains is None or has_unknown(domains):
        return
    allow_subdomains = bool(ALLOW_SUBDOMAINS.read(args))
    domain = domain_of(email)
    listed = [str(d).lower() for d in domains]
    ok = domain is not None and (
        domain in listed or (allow_subdomains and any(domain.endswith("." + d) for d in listed))
    )
    if not ok:
        report(
            violation(
                cid,
                f"the main contact {email!r} is not at one of the customer's domains "
                f"({', '.join(listed) or 'none'}), so the customer's domain rules do not "
                "route their mail",
                f"use a main_poc email at a customer domain, or add its domain under domains: "
                f"in {CUSTOMER_FILE}",
            ),
            None,
        )


MAIN_CONTACT_DOMAIN = declare(
    "main-contact-domain",
    "The organization's main contact email is at one of its domains.",
    validate_main_contact_domain,
    level="advisory",
    settings=(ALLOW_SUBDOMAINS,),
)


def validate_edr_keys(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = resource_props(args, ORGANIZATION)
    if props is None:
        return
    cid = customer_label(props, args.name)
    required = list(REQUIRED_KEYS.read(args))
    set_keys = f"scripts/set-edr-keys {cid} (stores syncro:edrKeys as a stack secret)"
    keys = props.get(EDR_KEYS)
    if keys is None:
        report(
            violation(cid, "the organization has no edr_keys (EDR deployment keys)", set_keys),
            None,
        )
    elif keys is not UNKNOWN:
        if not isinstance(keys, Mapping):
            report(
                violation(
                    cid,
                    f"edr_keys is not a mapping of {', '.join(required)} (value withheld)",
                    set_keys,
                ),
                None,
            )
        else:
            absent = [
                k
                for k in required
                if k not in keys or (keys[k] is not UNKNOWN and not nonblank(keys[k]))
            ]
            if absent:
                report(
                    violation(
                        cid, f"edr_keys lacks {', '.join(absent)} (or it is blank)", set_keys
                    ),
                    None,
                )
            extra = sorted(str(k) for k in keys if k not in required)
            if extra:
                report(
                    violation(
                        cid,
                        f"edr_keys carries unexpected key(s) {', '.join(extra)} (values withheld)",
                        f"send only {', '.join(required)}",
                    ),
                    None,
                )
    # Input secretness is invisible to a validator (see the module docstring); the
    # resource option that keeps the value encrypted in state is not.
    opts = getattr(args, "opts", None)
    secret_outputs = list(getattr(opts, "additional_secret_outputs", None) or [])
    if EDR_KEYS not in secret_outputs:
        report(
            violation(
                cid,
                "edr_keys is not marked secret (not in additional_secret_outputs), so the "
                "deployment keys would be stored in plain text in the stack state",
                "keep ResourceOptions(additional_secret_outputs=['edr_keys']) on Organization "
                "(resources/providers/organization.py) and pass the keys as pulumi.Output.secret",
            ),
            None,
        )
    fields = props.get("fields")
    if isinstance(fields, Mapping):
        leaked = [name for name in SECRET_FIELDS if name in fields]
        if leaked:
            report(
                violation(
                    cid,
                    f"secret field(s) {', '.join(leaked)} sit in the non-secret `fields` map "
                    "(values withheld)",
                    "pass EDR keys only through edr_keys, never through fields",
                ),
                None,
            )


DEPLOYMENT_KEYS_SECRET = declare(
    "deployment-keys-secret",
    "Every organization has both EDR deployment keys in edr_keys, and edr_keys is secret.",
    validate_edr_keys,
    settings=(REQUIRED_KEYS,),
)


def validate_no_portal_user(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """The organization and its main contact (an End User: `enable_portal_user` false)."""
    props = resource_props(args, ORGANIZATION, CONTACT)
    if props is None:
        return
    value = props.get("portal_user")
    if value is UNKNOWN or value is False:
        return
    cid = customer_label(props, args.name)
    shown = "missing" if value is None else repr(value)
    if args.resource_type == CONTACT:
        what, fix = f"the main contact {args.name!r}", "set portal_user=False on the Contact"
    else:
        what, fix = "the organization", "set portal_user=False on the Organization"
    report(
        violation(
            cid,
            f"portal_user is {shown} on {what}; customers are email-only and never get a "
            "portal user",
            f"{fix} (resources/objects/; Syncro: enable_portal_user false)",
        ),
        None,
    )


NO_PORTAL_USER = declare(
    "no-portal-user",
    "Customers are email-only: portal_user is always false, on the Organization and on its "
    "main Contact.",
    validate_no_portal_user,
)
