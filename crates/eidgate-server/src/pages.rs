//! The pages a person sees: the greeting, and the refusals they can act on.
//!
//! Everything taken from a certificate is HTML-escaped on the way in ([`escape`]); the templates
//! themselves are fixed text.

use eidgate_core::identity::{DocumentKind, Identity};
use eidgate_core::{Refusal, RefusalKind};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Names on cards are upper case (`JAAK-KRISTJAN JÕEORG`); the greeting uses `Jaak-Kristjan
/// Jõeorg`. Each part between spaces and hyphens gets a capital first letter.
pub fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == ' ' || c == '-';
    }
    out
}

/// The greeting page for a verified card holder.
pub fn greeting(identity: &Identity) -> String {
    let name = identity.display_name();
    let mut rows = String::new();
    let mut row = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            rows.push_str(&format!("<tr><th>{label}</th><td>{}</td></tr>\n", escape(&value)));
        }
    };
    row("Given name", identity.given_name.clone());
    row("Surname", identity.surname.clone());
    row("Identifier", identity.identifier.as_ref().map(ToString::to_string));
    row("Date of birth", identity.personal_code.as_ref().map(|c| c.date_of_birth.to_string()));
    row("Document", Some(document_label(identity.document).to_string()));
    row("Issued by", identity.issuer_common_name.clone().or(Some(identity.issuer.clone())));
    row("Valid until", Some(identity.not_after.date().to_string()));

    let body = format!(
        "<p class=\"hello\">Tere, <strong id=\"name\">{}</strong>!</p>\n\
         <p>This is what your card tells us:</p>\n\
         <table>\n{rows}</table>\n\
         <p class=\"small\">Machine-readable: <a href=\"/whoami\">/whoami</a></p>",
        escape(&title_case(&name)),
    );
    layout("You are signed in with your ID-card", "ok", &body)
}

/// The page for a refused visitor: what went wrong and what to do about it.
pub fn refusal(refusal: &Refusal) -> String {
    let (title, advice) = refusal_text(refusal.kind());
    let body = format!(
        "<p>{advice}</p>\n<p class=\"small\">Reason: <code id=\"reason\">{}</code> ({})</p>",
        escape(refusal.code()),
        escape(&refusal.to_string()),
    );
    layout(title, "refused", &body)
}

/// A page for conditions that are not about the card (an unavailable check, plain HTTP).
pub fn notice(title: &str, text: &str) -> String {
    layout(title, "refused", &format!("<p>{}</p>", escape(text)))
}

/// Human words for a document kind.
pub fn document_label(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::IdCard => "Estonian ID-card",
        DocumentKind::EuCitizenIdCard => "ID-card of an EU citizen",
        DocumentKind::DigiId => "digi-ID",
        DocumentKind::EResidentDigiId => "e-Residency digi-ID",
        DocumentKind::LongTermResidencePermit => "long-term residence permit card",
        DocumentKind::TemporaryResidencePermit => "temporary residence permit card",
        DocumentKind::EuFamilyMemberResidenceCard => {
            "residence card of an EU citizen's family member"
        }
        DocumentKind::DiplomaticId => "diplomatic ID-card",
        DocumentKind::MobileId => "Mobile-ID",
        _ => "eID card",
    }
}

fn refusal_text(kind: RefusalKind) -> (&'static str, &'static str) {
    match kind {
        RefusalKind::NoCard => (
            "Please sign in with your ID-card",
            "Your browser did not present an ID-card. Put the card in the reader, make sure the \
             ID-card software is installed, and reload the page; when the browser asks for a \
             certificate, choose the one with your name.",
        ),
        RefusalKind::Expired => (
            "Your card's certificate is not valid now",
            "The certificate on this card has expired (or is not valid yet). Certificates can be \
             renewed at a Police and Border Guard Board service point; until then, use another \
             way to sign in.",
        ),
        RefusalKind::UntrustedIssuer => (
            "This card is not accepted here",
            "The card was issued by a certification authority this service does not accept. If \
             you have another ID-card or digi-ID, try that one.",
        ),
        RefusalKind::WrongKind => (
            "This certificate cannot be used to sign in",
            "The browser presented a certificate that is not an ID-card authentication \
             certificate (for example a signing or Mobile-ID certificate). Close the browser, \
             open the page again and choose the authentication certificate of your card.",
        ),
        RefusalKind::Revoked => (
            "Your card's certificate has been revoked",
            "The certification authority says this card's certificate is revoked (cards are \
             revoked when reported lost or stolen, or when a new card is issued). If that is a \
             mistake, contact the Police and Border Guard Board; meanwhile use another way to sign \
             in.",
        ),
        RefusalKind::CheckUnavailable => (
            "We cannot check your card just now",
            "Your card looks fine, but the service that confirms a card has not been revoked did \
             not answer. Please try again in a few minutes.",
        ),
        RefusalKind::Invalid => (
            "The card's certificate could not be verified",
            "The certificate presented is damaged or not genuine. If you believe your card is \
             fine, contact the service's support with the reason shown below.",
        ),
    }
}

fn layout(title: &str, class: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style></head>\n\
         <body><main class=\"{class}\">\n<h1>{title}</h1>\n{body}\n</main></body></html>\n",
        title = escape(title),
    )
}

const STYLE: &str = "body{font-family:'DejaVu Sans',system-ui,sans-serif;background:#f3f5f8;\
    color:#1d2430;margin:0;padding:3rem 1rem}main{max-width:40rem;margin:auto;background:#fff;\
    border-radius:12px;padding:2rem 2.5rem;box-shadow:0 2px 12px rgba(0,0,0,.08);\
    border-top:6px solid #0072ce}main.refused{border-top-color:#c9302c}h1{margin-top:0;\
    font-size:1.6rem}.hello{font-size:1.4rem}table{border-collapse:collapse;width:100%}\
    th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e7ee}\
    th{color:#5a6475;font-weight:normal;width:35%}.small{color:#5a6475;font-size:.85rem}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(escape("<script>\"x\"&'y'"), "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;");
    }

    #[test]
    fn estonian_names_are_title_cased() {
        assert_eq!(title_case("JAAK-KRISTJAN JÕEORG"), "Jaak-Kristjan Jõeorg");
        assert_eq!(title_case("ŽAIKOVSKI"), "Žaikovski");
    }

    #[test]
    fn refusal_page_names_the_reason() {
        let page = refusal(&Refusal::MobileId);
        assert!(page.contains("<code id=\"reason\">mobile-id</code>"));
        assert!(page.contains("cannot be used to sign in"));
    }
}
