"""The committee's decision as a person enters it, and the letter's details around it.

The software never proposes, ranks or pre-fills a decision: the outcome, the amount, the start
date and the motivation in the committee's own words are all typed by a named person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Outcome = Literal["granted", "refused", "partly"]
_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
_Text = Annotated[str, Field(min_length=2, max_length=300)]


class CommitteeDecision(BaseModel):
    """What the committee decided and what the letter must say about appeal and contact."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    outcome: Outcome = Field(description="granted, refused or partly: as the committee decided.")
    decided_on: dt.date = Field(description="The date of the committee's meeting.")
    amount: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=2,
                                   description="Amount granted in euro, if any.")
    start_date: dt.date | None = Field(default=None, description="From when a grant applies.")
    motivation: str = Field(min_length=10, max_length=4000, description="In the committee's words.")
    court_address: _Text = Field(description="The competent labour court's address.")
    service: _Text = Field(description="The service that handles the file, e.g. 'OCMW Gent'.")
    contact_name: _Text = Field(description="Whom the client can ask for explanation.")
    contact_phone: _Text = Field(description="How to reach that person.")

    @model_validator(mode="after")
    def _grant_needs_a_start(self) -> CommitteeDecision:
        if self.outcome == "refused" and (self.amount is not None or self.start_date is not None):
            raise ValueError("a refusal has no amount and no start date")
        if self.outcome != "refused" and self.start_date is None:
            raise ValueError("a grant needs its start date")
        return self

    def fields(self, lang: str, dossier_ref: str, entered_by: str, entered_at: str) -> dict[str, str]:
        """The values the letter's clauses and checklist use, worded for `lang`."""
        out = {
            "outcome": self.outcome, "decided_on": long_date(self.decided_on, lang),
            "motivation": self.motivation, "court_address": self.court_address,
            "service": self.service, "contact_name": self.contact_name,
            "contact_phone": self.contact_phone, "dossier_ref": dossier_ref,
            "entered_by": entered_by, "entered_at": entered_at,
        }
        if self.amount is not None:
            out["amount"] = money(self.amount)
        if self.start_date is not None:
            out["start_date"] = long_date(self.start_date, lang)
        return out


def long_date(day: dt.date, lang: str) -> str:
    """'7 december 2026' / '7 décembre 2026'."""
    return f"{day.day} {_MONTHS['fr' if lang == 'fr' else 'nl'][day.month - 1]} {day.year}"


def money(amount: Decimal) -> str:
    """Euro as Belgians write it: '1.234,56'."""
    whole, cents = f"{amount:.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ".".join(groups) + "," + cents
