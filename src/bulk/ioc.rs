//! Recognising indicators: IPv4 and IPv6 addresses, domains, URLs, MD5,
//! SHA1 and SHA256 hashes, e-mail addresses and account names.
//!
//! Rules, in the order they are tried:
//! * hashes: 32, 40 or 64 hex digits (written back in lower case, as the
//!   Defender tables store them);
//! * IP addresses: what the standard library parses (so `010.1.1.1` with a
//!   leading zero is refused); a `/` range is reported as a range;
//! * URLs: a scheme, `://` and something after it;
//! * accounts: `DOMAIN\user` (the down-level logon form). A bare user name
//!   is not recognised, because any word would pass for one and mistakes
//!   would go unreported; `user@domain` is an e-mail address, which is
//!   also how a UPN looks;
//! * e-mail addresses: a local part and a valid domain around one `@`;
//! * domains: at least two dot-separated labels of letters, digits, `-` or
//!   `_` (Unicode letters allowed), with an alphabetic or `xn--` top label.
//!
//! Defanged indicators (`hxxp://evil[.]com`, `1.2.3[.]4`, `a[@]b.com`) are
//! refanged first, and the list says which values were.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IndicatorKind {
    Ipv4,
    Ipv6,
    Domain,
    Url,
    Md5,
    Sha1,
    Sha256,
    Email,
    Account,
}

impl IndicatorKind {
    /// Plain name for the UI.
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::Ipv4 => "IPv4 address",
            IndicatorKind::Ipv6 => "IPv6 address",
            IndicatorKind::Domain => "domain",
            IndicatorKind::Url => "URL",
            IndicatorKind::Md5 => "MD5",
            IndicatorKind::Sha1 => "SHA1",
            IndicatorKind::Sha256 => "SHA256",
            IndicatorKind::Email => "e-mail address",
            IndicatorKind::Account => "account name",
        }
    }
}

/// What `value` (already trimmed and refanged) is, or why it is none of
/// the known kinds.
pub fn classify(value: &str) -> Result<IndicatorKind, &'static str> {
    if value.is_empty() {
        return Err("empty");
    }
    if value.chars().any(char::is_whitespace) {
        return Err("contains white space; put one indicator per line");
    }
    if value.bytes().all(|b| b.is_ascii_hexdigit()) {
        match value.len() {
            32 => return Ok(IndicatorKind::Md5),
            40 => return Ok(IndicatorKind::Sha1),
            64 => return Ok(IndicatorKind::Sha256),
            _ => {}
        }
    }
    if value.parse::<Ipv4Addr>().is_ok() {
        return Ok(IndicatorKind::Ipv4);
    }
    if value.parse::<Ipv6Addr>().is_ok() {
        return Ok(IndicatorKind::Ipv6);
    }
    if let Some((addr, bits)) = value.split_once('/') {
        let is_ip = addr.parse::<Ipv4Addr>().is_ok() || addr.parse::<Ipv6Addr>().is_ok();
        if is_ip && bits.parse::<u8>().is_ok() {
            return Err(
                "an address range, not one address; use ipv4_is_in_range() in the query instead",
            );
        }
    }
    if is_url(value) {
        return Ok(IndicatorKind::Url);
    }
    if let Some((domain, user)) = value.split_once('\\') {
        if is_account(domain, user) {
            return Ok(IndicatorKind::Account);
        }
        return Err("looks like DOMAIN\\user but one side is not valid");
    }
    if let Some((local, domain)) = value.split_once('@') {
        if is_email_local(local) && is_domain(domain) {
            return Ok(IndicatorKind::Email);
        }
        return Err("looks like an e-mail address but is not valid");
    }
    if is_domain(value) {
        return Ok(IndicatorKind::Domain);
    }
    if value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("hex, but not 32, 40 or 64 digits long (MD5, SHA1, SHA256)");
    }
    Err("not an IP address, domain, URL, hash, e-mail address or DOMAIN\\user account")
}

/// The value as a query should search for it: hashes in lower case,
/// everything else unchanged.
pub fn normalise(kind: IndicatorKind, value: &str) -> String {
    match kind {
        IndicatorKind::Md5 | IndicatorKind::Sha1 | IndicatorKind::Sha256 => {
            value.to_ascii_lowercase()
        }
        _ => value.to_owned(),
    }
}

/// Undoes the usual defanging: `[.]`, `(.)`, `{.}`, `[dot]` → `.`;
/// `[:]` → `:`; `[@]`, `[at]` → `@`; `hxxp`, `hxxps`, `fxp` schemes.
pub fn refang(value: &str) -> Cow<'_, str> {
    const PAIRS: &[(&str, &str)] = &[
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[@]", "@"),
        ("[at]", "@"),
    ];
    let mut out = Cow::Borrowed(value);
    for (from, to) in PAIRS {
        if out.contains(from) {
            out = Cow::Owned(out.replace(from, to));
        }
    }
    for (from, to) in [
        ("hxxps://", "https://"),
        ("hxxp://", "http://"),
        ("fxp://", "ftp://"),
    ] {
        if out.len() >= from.len()
            && out
                .get(..from.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(from))
        {
            out = Cow::Owned(format!("{to}{}", &out[from.len()..]));
        }
    }
    out
}

fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    scheme_ok && !rest.is_empty() && !rest.starts_with('/')
}

fn is_account(domain: &str, user: &str) -> bool {
    let domain_ok = !domain.is_empty()
        && domain.len() <= 255
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let user_ok = !user.is_empty()
        && user.chars().count() <= 104
        && !user
            .chars()
            .any(|c| "\"/\\[]:;|=,+*?<>@".contains(c) || c.is_control());
    domain_ok && user_ok
}

fn is_email_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
}

/// A host name with at least two labels and an alphabetic top label.
pub fn is_domain(value: &str) -> bool {
    let name = value.strip_suffix('.').unwrap_or(value);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    let top = labels[labels.len() - 1];
    let top_ok = top.starts_with("xn--")
        || (top.chars().count() >= 2 && top.chars().all(char::is_alphabetic));
    labels.iter().all(|l| label_ok(l)) && top_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use IndicatorKind::*;

    #[test]
    fn each_kind_is_recognised() {
        let cases = [
            ("10.0.0.1", Ipv4),
            ("2001:db8::1", Ipv6),
            ("::ffff:10.0.0.1", Ipv6),
            ("evil.example.com", Domain),
            ("xn--80ak6aa92e.com", Domain),
            ("bücher.de", Domain),
            ("https://evil.example.com/a?b=c", Url),
            ("ftp://10.0.0.1/x", Url),
            ("d41d8cd98f00b204e9800998ecf8427e", Md5),
            ("da39a3ee5e6b4b0d3255bfef95601890afd80709", Sha1),
            (
                "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                Sha256,
            ),
            ("alice@contoso.com", Email),
            ("CONTOSO\\alice", Account),
            ("contoso.local\\svc_backup$", Account),
        ];
        for (value, kind) in cases {
            assert_eq!(classify(value), Ok(kind), "{value}");
        }
    }

    #[test]
    fn near_misses_say_why() {
        assert!(classify("10.0.0.0/8").expect_err("range").contains("range"));
        assert!(classify("abc123")
            .expect_err("short hex")
            .contains("32, 40 or 64"));
        assert!(classify("alice@").is_err());
        assert!(classify("alice").is_err());
        assert!(classify("1.2.3").is_err());
        assert!(classify("256.1.1.1").is_err());
        assert!(classify("a b.com")
            .expect_err("space")
            .contains("white space"));
        assert!(classify("example.123").is_err());
        assert!(classify("-bad.com").is_err());
        assert!(classify("http://").is_err());
    }

    #[test]
    fn refangs_the_usual_forms() {
        assert_eq!(refang("hxxps://evil[.]com/x"), "https://evil.com/x");
        assert_eq!(refang("1.2.3[.]4"), "1.2.3.4");
        assert_eq!(refang("bob[@]evil(.)com"), "bob@evil.com");
        assert!(matches!(refang("plain.com"), Cow::Borrowed(_)));
        assert_eq!(
            normalise(Sha1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
    }
}
