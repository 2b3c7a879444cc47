"""Static HTML pages (`status --html`, `sla-report --html`): one file, no script, no network.

Every value from Syncro or the stack is escaped (`html.escape`): business names and
ticket subjects are typed by people and customers. The breach chart is plain SVG.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2430; }
h1 { font-size: 1.4rem; } .meta { color: #5b6575; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: .9rem; }
th, td { border: 1px solid #d5dae1; padding: .45rem .6rem; vertical-align: top; text-align: left; }
th { background: #eef1f5; }
.ok { color: #136c2e; font-weight: 600; } .warn { color: #9a6100; font-weight: 600; }
.bad { color: #b3261e; font-weight: 600; } .na { color: #8a93a3; }
ul { margin: 0; padding-left: 1.1rem; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def badge(text: str) -> str:
    lowered = text.lower()
    if lowered.startswith(("verified", "confirmed", "applied", "active", "complete", "passed")):
        kind = "ok"
    elif lowered.startswith(("n/a", "no mail")):
        kind = "na"
    elif lowered.startswith(("pending", "missing", "none")):
        kind = "warn"
    else:
        kind = "bad"
    return f'<span class="{kind}">{_e(text)}</span>'


def page(title: str, meta: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        f'<h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p>{body}</body></html>\n'
    )


def status_page(report: Any) -> str:
    rows = []
    for row in report.rows:
        fields = (
            badge("complete")
            if not row.missing_fields
            else badge("missing: " + ", ".join(row.missing_fields))
        )
        rules = "".join(f"<li>@{_e(d)}: {badge(s)}</li>" for d, s in row.rules.items())
        deliverables = "".join(
            f"<li>{_e(d.title)}: next {_e(d.next_due)}, last {_e(d.last_opened)}"
            + (' <span class="bad">overdue</span>' if d.overdue else "")
            + "</li>"
            for d in row.deliverables
        )
        rows.append(
            f'<tr data-client-id="{_e(row.client_id)}">'
            f"<td><strong>{_e(row.client_id)}</strong><br>{_e(row.business_name)}</td>"
            f"<td>{_e(row.tier)}</td>"
            f"<td>{badge(row.organization)} #{_e(row.organization_id)}</td>"
            f"<td>{fields}</td><td><ul>{rules or '<li>n/a</li>'}</ul></td>"
            f"<td>{badge(row.policy)}</td><td>{badge(row.contract)}</td>"
            f"<td>{badge(row.contact)}</td>"
            f"<td><ul>{deliverables or '<li>n/a</li>'}</ul></td>"
            f"<td>{badge(row.kickoff)}</td><td>{_e(row.waiting)}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Customer",
            "Tier",
            "Organization",
            "Custom fields",
            "Email rules",
            "Policy",
            "SLA contract",
            "Main contact",
            "Deliverables",
            "Kickoff mail",
            "Waiting",
        )
    )
    body = (
        f'<table id="status"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    body += f"<p>Runbook steps waiting for a person (whole stack): {_e(report.runbook_waiting)}</p>"
    meta = f"{len(report.rows)} customers on {report.today}; {report.requests} API reads"
    return page("Syncro onboarding status", meta, body)


def breach_chart(months: list[str], breaches: Counter[str], totals: Counter[str]) -> str:
    """Bars per month: tickets (grey) and SLA breaches (red), plain SVG."""
    width, height, pad = 60 * max(len(months), 1) + 60, 240, 30
    top = max([*totals.values(), 1])
    scale = (height - 2 * pad) / top
    parts = [
        f'<svg id="breach-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" role="img" aria-label="SLA breaches per month">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - 10}" y2="{height - pad}" '
        'stroke="#5b6575"/>',
    ]
    for i, month in enumerate(months):
        x = pad + 10 + i * 60
        total, bad = totals[month], breaches[month]
        parts.append(
            f'<rect x="{x}" y="{height - pad - total * scale:.1f}" width="22" '
            f'height="{total * scale:.1f}" fill="#c4cad4"><title>{_e(month)}: {total} tickets'
            "</title></rect>"
        )
        parts.append(
            f'<rect class="breach" x="{x + 24}" y="{height - pad - bad * scale:.1f}" width="22" '
            f'height="{bad * scale:.1f}" fill="#b3261e"><title>{_e(month)}: {bad} breaches'
            "</title></rect>"
        )
        parts.append(
            f'<text x="{x}" y="{height - 10}" font-size="11">{_e(month)}</text>'
            f'<text x="{x + 24}" y="{height - pad - bad * scale - 4:.1f}" '
            f'font-size="11">{bad}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _count(n: int) -> str:
    return f'<span class="{"bad" if n else "ok"}">{n}</span>'


def _or_na(value: Any) -> Any:
    return "n/a" if value is None else value


def sla_page(report: Any) -> str:
    months, breached, totals = report.by_month()
    rows = "".join(
        f"<tr><td>{_e(c.client_id)}</td><td>{_e(c.business_name)}</td><td>{_e(c.tier)}</td>"
        f"<td>{_e(c.as_dict()['terms'])}</td><td>{c.tickets}</td><td>{c.incidents}</td>"
        f"<td>{_e(_or_na(c.as_dict()['median_first_response_hours']))}</td>"
        f"<td>{_e(_or_na(c.as_dict()['median_resolution_hours']))}</td>"
        f"<td>{_count(len(c.breaches))}</td></tr>"
        for c in report.customers
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Client ID",
            "Customer",
            "Tier",
            "Terms",
            "Tickets",
            "Incidents",
            "Median first response (h)",
            "Median resolution (h)",
            "Breaches",
        )
    )
    breaches = "".join(
        f"<tr><td>#{_e(b.ticket_number)}</td><td>{_e(b.client_id)}</td><td>{_e(b.tier)}</td>"
        f"<td>{_e(b.kind)}</td><td>{_e(b.took_hours if b.took_hours is not None else 'waiting')}"
        f"</td><td>{_e(b.allowed_hours)} h ({_e(b.as_dict()['terms'])})</td>"
        f"<td>{_e(b.created[:16])}</td></tr>"
        for b in report.breaches
    )
    body = (
        f"<h2>Breaches per month</h2>{breach_chart(months, breached, totals)}"
        f'<table id="customers"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        '<h2>Breaches</h2><table id="breaches"><thead><tr><th>Ticket</th><th>Client ID</th>'
        "<th>Tier</th><th>What</th><th>Took (h)</th><th>Allowed</th><th>Opened</th></tr>"
        f"</thead><tbody>{breaches}</tbody></table>"
    )
    meta = (
        f"tickets since {report.since}; {len(report.breaches)} breaches; "
        f"{report.requests} API reads; Standard's terms are targets, the others contract terms"
    )
    return page("SLA report", meta, body)
