"""Fixed sentence forms, one per fact kind and language: how a typed fact reads in the report.

Forms are versioned like templates: a change of wording is a new FORMS_VERSION, so a
report can say which forms made it. A form only arranges the fact's fields with fixed
words; Dutch field values that are phrases (what a document is, what is not decided) are
quoted as said in a French report, never translated.
"""

from __future__ import annotations

from appliance.draft import Fact

FORMS_VERSION = "1.1.0"
LANGUAGES = ("nl", "fr")
MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
             "oktober", "november", "december")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
PERIODS_FR = {"per maand": "par mois", "per week": "par semaine", "per jaar": "par an", "per dag": "par jour"}
CLIENT_FR = {"cliënt": "le client", "cliënte": "la cliente"}
HOUR_WORDS = ("twaalf", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf")
# Fixed words the Dutch forms add: the verifier accepts these and nothing else from a form.
FORM_WORDS = {"afspraak", "huisbezoek", "op", "om", "bij", "thuis", "met", "tolk", "nog", "niet", "beslist",
              "dat", "al", "dan", "bezorgt", "uur", "cliënt", "cliënte", "en", "tegen", "van",
              "het", "de", "volgende", "half", "kwart", "na", "voor", "woont", "samen", "zijn", "haar",
              "diens", "inkomen", "woonkosten", "schuld", "euro", "ongeveer", *HOUR_WORDS}
AMOUNT_LABELS_NL = {"income": "Inkomen", "housing_cost": "Woonkosten", "debt": "Schuld"}




def _date(fields: dict[str, str], lang: str) -> str:
    """'woensdag 18 maart' / 'mercredi 18 mars' from the ISO date and the weekday said."""
    _, month, day = (int(p) for p in fields["date"].split("-"))
    weekday = fields.get("weekday", "")
    if lang == "fr":
        prefix = WEEKDAYS_FR[WEEKDAYS_NL.index(weekday)] + " " if weekday in WEEKDAYS_NL else ""
        return f"{prefix}{'1er' if day == 1 else day} {MONTHS_FR[month - 1]}"
    return f"{weekday + ' ' if weekday else ''}{day} {MONTHS_NL[month - 1]}"


def _clock_nl(time: str) -> str:
    """How a Dutch report writes an hour as it is said: '10 uur', 'half vier', 'kwart na negen'."""
    hour, minute = (int(p) for p in time.split(":"))
    if minute == 0:
        return f"{hour % 12 or 12} uur"
    nxt = HOUR_WORDS[(hour + 1) % 12]
    words = {30: f"half {nxt}", 15: f"kwart na {HOUR_WORDS[hour % 12]}", 45: f"kwart voor {nxt}"}
    return words.get(minute, f"{hour % 12 or 12} uur {minute}")


def render(fact: Fact, lang: str = "nl", client: str = "cliënt") -> str:
    """The sentence of a fact in `lang`, by the fixed form of its kind."""
    f = fact.fields
    if lang == "fr":
        return _render_fr(fact, CLIENT_FR.get(client, "le client"))
    if fact.kind == "appointment":
        head = "Huisbezoek" if f.get("place") == "thuis" else "Afspraak"
        text = f"{head} op {_date(f, 'nl')}"
        text += f" om {_clock_nl(f['time'])}" if f.get("time") else ""
        text += f", bij {client} thuis" if f.get("place") == "thuis" else ""
        text += ", met tolk" if f.get("with_whom") == "tolk" else ""
        return text + "."
    if fact.kind == "not_decided":
        text = f"Nog niet beslist: {f['what']}"
        return text + (f"; dat beslist {f['who_decides']}." if f.get("who_decides") else ".")
    if fact.kind == "household_member":
        people = f["person"].split("; ")
        listed = ", ".join(people[:-1]) + (" en " if len(people) > 1 else "") + people[-1]
        return f"{client[0].upper()}{client[1:]} woont samen met {listed}."
    if fact.kind == "document":
        text = f"{client[0].upper()}{client[1:]} bezorgt {f['what']}"
        return text + (f" {f['due']}." if f.get("due") else ".")
    if fact.kind in AMOUNT_LABELS_NL and f.get("amount"):
        # Only for an amount said without a verb ("1350 euro pensioen."): a statement keeps its words.
        what = f.get("source") or f.get("kind") or f.get("creditor")
        about = "ongeveer " if f.get("approximate") else ""
        text = f"{AMOUNT_LABELS_NL[fact.kind]}: {about}{f['amount']} euro" + (f" {f['period']}" if f.get("period") else "")
        return text + (f" ({what})." if what else ".")
    raise ValueError(f"no sentence form for {fact.kind!r}")


def _render_fr(fact: Fact, client: str) -> str:
    f = fact.fields
    if fact.kind == "appointment":
        head = "Visite à domicile" if f.get("place") == "thuis" else "Rendez-vous"
        text = f"{head} le {_date(f, 'fr')}"
        if f.get("time"):
            hour, minute = f["time"].split(":")
            text += f" à {int(hour)}h{minute if minute != '00' else ''}"
        text += ", avec interprète" if f.get("with_whom") == "tolk" else ""
        return text + "."
    if fact.kind == "not_decided":
        text = f"Pas encore décidé : « {f['what']} »"
        return text + (f" ; décision : « {f['who_decides']} »." if f.get("who_decides") else ".")
    if fact.kind == "document":
        return f"{client[0].upper()}{client[1:]} apporte : « {f['what']} »."
    if fact.kind == "household_member":
        return f"{client[0].upper()}{client[1:]} vit avec : « {f['person']} »."
    if fact.kind in ("income", "housing_cost", "debt") and f.get("amount"):
        label = {"income": "Revenu", "housing_cost": "Frais de logement", "debt": "Dette"}[fact.kind]
        period = f" {PERIODS_FR.get(f.get('period', ''), '')}".rstrip()
        what = f.get("source") or f.get("kind") or f.get("creditor")
        return f"{label} : {f['amount']} euros{period}" + (f" (« {what} »)." if what else ".")
    raise ValueError(f"no sentence form for {fact.kind!r} in French")


def has_form(fact: Fact, lang: str) -> bool:
    """Whether a fact of this kind has a sentence form in `lang`."""
    if fact.kind in ("appointment", "not_decided", "document", "household_member"):
        return True
    return lang == "fr" and fact.kind in ("income", "housing_cost", "debt") and bool(fact.fields.get("amount"))
