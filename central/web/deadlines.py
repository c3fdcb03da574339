"""Legal deadlines that follow from a dated request, by the versioned `deadline_rules` table.

The rule in force on the request's date applies (the newest version whose `valid_from` is not
later). A rule with `after_rule` counts from the end of that rule's term: the notification of
a leefloon decision is due at the latest 8 days after the 30 days for the decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from central.dossiers.db import Connection


def deadlines_for(conn: Connection, what: str, requested: dt.date, source: dict[str, Any]) -> list[dict[str, Any]]:
    """The deadlines for a request about `what` made on `requested`, each with its rule."""
    rows = conn.execute(
        "SELECT DISTINCT ON (rule_id) rule_id, version, days, after_rule, label_nl, label_fr, legal_basis"
        " FROM deadline_rules WHERE fact_kind = 'request' AND %s ~* matches AND valid_from <= %s"
        " ORDER BY rule_id, version DESC",
        (what, requested),
    ).fetchall()
    rules = {str(r[0]): r for r in rows}
    due: dict[str, dt.date] = {}

    def end_of(rule_id: str, seen: tuple[str, ...] = ()) -> dt.date | None:
        if rule_id in due:
            return due[rule_id]
        rule = rules.get(rule_id)
        if rule is None or rule_id in seen:
            return None  # a chain to a rule not in force, or a loop: no date rather than a guess
        start = requested if rule[3] is None else end_of(str(rule[3]), (*seen, rule_id))
        if start is None:
            return None
        due[rule_id] = start + dt.timedelta(days=int(str(rule[2])))
        return due[rule_id]

    out = []
    for rule_id, rule in rules.items():
        date = end_of(rule_id)
        if date is not None:
            out.append({"rule": rule_id, "rule_version": rule[1], "due": date.isoformat(),
                        "label": {"nl": rule[4], "fr": rule[5]}, "legal_basis": rule[6],
                        "from": requested.isoformat(), "source": source})
    out.sort(key=lambda d: str(d["due"]))
    return out
