// Screen texts in Dutch and French; the code uses only the keys.
export const TEXTS = {
  nl: {
    "app.title": "Spreekkamer – dossiers", "app.brand": "Spreekkamer – dossiers", "app.nav": "Navigatie",
    "app.skip": "Naar de inhoud", "nav.today": "Vandaag",
    "login.title": "Aanmelden", "login.user": "Gebruikersnaam", "login.pass": "Wachtwoord",
    "login.submit": "Aanmelden", "login.logout": "Afmelden",
    "login.invalid": "Gebruikersnaam of wachtwoord is onjuist.",
    "login.backoff": "Te veel mislukte pogingen: probeer opnieuw over {s} seconden.",
    "login.locked": "Te veel mislukte pogingen: aanmelden is {m} minuten geblokkeerd.",
    "login.missing": "Vul uw gebruikersnaam en wachtwoord in.",
    "today.title": "Vandaag en de komende dagen", "today.appointments": "Afspraken",
    "today.empty": "Geen afspraken in deze periode.",
    "find.label": "Dossier openen (referentie)", "find.submit": "Openen",
    "find.none": "Geen dossier met die referentie.",
    "dossier.title": "Dossier {ref}", "dossier.contacts": "Vorige gesprekken",
    "dossier.agreements": "Afspraken om op te volgen", "dossier.documents": "Gevraagde documenten",
    "dossier.not_decided": "Nog niet beslist", "dossier.deadlines": "Wettelijke termijnen",
    "dossier.not_indexed": "Niet geïndexeerd", "dossier.none": "Geen.",
    "contact.validated": "Gevalideerd door {by}", "contact.pdf": "PDF",
    "contact.report": "Verslag lezen", "contact.facts_not_indexed": "Niet alle feiten konden geïndexeerd worden.",
    "item.source": "Bron: verslag van {date}, zin {sid}", "item.source_short": "Bron",
    "item.due": "Tegen {date}", "item.overdue": "Te laat", "item.who": "Wie: {who}",
    "item.done": "Gedaan – {by}, {at}", "item.received": "Ontvangen – {by}, {at}",
    "item.mark_done": "Markeer als gedaan", "item.mark_received": "Markeer als ontvangen",
    "item.who_decides": "Beslist door: {who}", "item.deadline_from": "Vanaf de aanvraag van {date}",
    "item.reason": "Reden: {reason}",
    "appt.when": "{date} om {time}", "appt.with": "Met {who}", "appt.where": "Waar: {place}",
    "appt.dossier": "Dossier {ref}",
    "report.title": "Verslag {rid} (versie {v})", "report.validated": "Gevalideerd door {by} op {at}",
    "report.back": "Terug naar het dossier",
    "error.generic": "Er ging iets mis. Probeer het opnieuw.", "error.session": "Uw sessie is verlopen; meld u opnieuw aan.",
  },
  fr: {
    "app.title": "Spreekkamer – dossiers", "app.brand": "Spreekkamer – dossiers", "app.nav": "Navigation",
    "app.skip": "Aller au contenu", "nav.today": "Aujourd'hui",
    "login.title": "Connexion", "login.user": "Nom d'utilisateur", "login.pass": "Mot de passe",
    "login.submit": "Se connecter", "login.logout": "Se déconnecter",
    "login.invalid": "Nom d'utilisateur ou mot de passe incorrect.",
    "login.backoff": "Trop d'essais infructueux : réessayez dans {s} secondes.",
    "login.locked": "Trop d'essais infructueux : la connexion est bloquée pendant {m} minutes.",
    "login.missing": "Indiquez votre nom d'utilisateur et votre mot de passe.",
    "today.title": "Aujourd'hui et les jours à venir", "today.appointments": "Rendez-vous",
    "today.empty": "Aucun rendez-vous pendant cette période.",
    "find.label": "Ouvrir un dossier (référence)", "find.submit": "Ouvrir",
    "find.none": "Aucun dossier avec cette référence.",
    "dossier.title": "Dossier {ref}", "dossier.contacts": "Entretiens précédents",
    "dossier.agreements": "Engagements à suivre", "dossier.documents": "Documents demandés",
    "dossier.not_decided": "Pas encore décidé", "dossier.deadlines": "Délais légaux",
    "dossier.not_indexed": "Non indexé", "dossier.none": "Aucun.",
    "contact.validated": "Validé par {by}", "contact.pdf": "PDF",
    "contact.report": "Lire le rapport", "contact.facts_not_indexed": "Tous les faits n'ont pas pu être indexés.",
    "item.source": "Source : rapport du {date}, phrase {sid}", "item.source_short": "Source",
    "item.due": "Pour le {date}", "item.overdue": "En retard", "item.who": "Qui : {who}",
    "item.done": "Fait – {by}, {at}", "item.received": "Reçu – {by}, {at}",
    "item.mark_done": "Marquer comme fait", "item.mark_received": "Marquer comme reçu",
    "item.who_decides": "Décidé par : {who}", "item.deadline_from": "À partir de la demande du {date}",
    "item.reason": "Raison : {reason}",
    "appt.when": "{date} à {time}", "appt.with": "Avec {who}", "appt.where": "Lieu : {place}",
    "appt.dossier": "Dossier {ref}",
    "report.title": "Rapport {rid} (version {v})", "report.validated": "Validé par {by} le {at}",
    "report.back": "Retour au dossier",
    "error.generic": "Une erreur s'est produite. Réessayez.", "error.session": "Votre session a expiré ; reconnectez-vous.",
  },
};

let lang = localStorage.getItem("spreekkamer-central-lang") === "fr" ? "fr" : "nl";

export function currentLang() { return lang; }

export function setLang(next) {
  lang = next === "fr" ? "fr" : "nl";
  localStorage.setItem("spreekkamer-central-lang", lang);
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  for (const b of document.querySelectorAll(".lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
}

export function t(key, values = {}) {
  const text = TEXTS[lang][key] ?? TEXTS.nl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
