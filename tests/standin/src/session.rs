//! The fake sign-in: `sccauth` sessions and rotating XSRF tokens, checked the
//! way the portal checks them (the X-XSRF-TOKEN header must equal the
//! URL-decoded XSRF-TOKEN cookie, and the token must be one this session was
//! issued and still fresh).

use base64::Engine;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// encodeURIComponent's set: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// How API calls report a session that was ended by `/_standin/session/expire`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ExpireMode {
    #[default]
    #[serde(rename = "401")]
    Unauthorized,
    Redirect,
    Html,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum AuthFailure {
    /// No sccauth, or one this server never issued.
    NoSession,
    /// A session that was valid and has been ended.
    Expired(ExpireMode),
    /// Session fine, XSRF header missing, wrong or stale.
    Xsrf,
}

struct Xsrf {
    session: String,
    issued: Instant,
}

#[derive(Default)]
pub struct Sessions {
    /// sccauth value → still valid
    sessions: HashMap<String, bool>,
    /// decoded token → who got it and when
    tokens: HashMap<String, Xsrf>,
    pub expire_mode: ExpireMode,
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    // getrandom only fails without an OS entropy source; a zeroed buffer
    // would still make the fake session work, just predictably.
    let _ = getrandom::fill(&mut b);
    b
}

pub fn random_guid() -> String {
    let b = random_bytes(16);
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn encode_cookie(v: &str) -> String {
    utf8_percent_encode(v, COMPONENT).to_string()
}

pub fn decode_cookie(v: &str) -> String {
    percent_decode_str(v).decode_utf8_lossy().into_owned()
}

impl Sessions {
    pub fn sign_in(&mut self) -> String {
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(48));
        self.sessions.insert(id.clone(), true);
        id
    }

    pub fn is_valid(&self, sccauth: Option<&str>) -> bool {
        sccauth.is_some_and(|s| self.sessions.get(s) == Some(&true))
    }

    /// Ends every current session; later calls with them fail as `mode` says.
    pub fn expire_all(&mut self, mode: ExpireMode) {
        for v in self.sessions.values_mut() {
            *v = false;
        }
        self.tokens.clear();
        self.expire_mode = mode;
    }

    /// A new token for the session: base64 of random bytes (so it has `+`,
    /// `/` and `=`) plus `:` and the issue time in ms. Returns (decoded
    /// token, cookie value).
    pub fn issue_xsrf(&mut self, session: &str) -> (String, String) {
        let b64 = loop {
            let s = base64::engine::general_purpose::STANDARD.encode(random_bytes(32));
            if s.contains('+') && s.contains('/') {
                break s;
            }
        };
        let ms = crate::time::wall_now() / crate::time::TICKS_PER_MS;
        let token = format!("{b64}:{ms}");
        self.tokens.insert(
            token.clone(),
            Xsrf {
                session: session.to_string(),
                issued: Instant::now(),
            },
        );
        let cookie = encode_cookie(&token);
        (token, cookie)
    }

    pub fn check(
        &self,
        sccauth: Option<&str>,
        xsrf_cookie: Option<&str>,
        header: Option<&str>,
        ttl: Duration,
    ) -> Result<(), AuthFailure> {
        let Some(s) = sccauth else {
            return Err(AuthFailure::NoSession);
        };
        match self.sessions.get(s) {
            None => return Err(AuthFailure::NoSession),
            Some(false) => return Err(AuthFailure::Expired(self.expire_mode)),
            Some(true) => {}
        }
        let (Some(cookie), Some(header)) = (xsrf_cookie, header) else {
            return Err(AuthFailure::Xsrf);
        };
        if decode_cookie(cookie) != header {
            return Err(AuthFailure::Xsrf);
        }
        match self.tokens.get(header) {
            Some(x) if x.session == s && x.issued.elapsed() < ttl => Ok(()),
            _ => Err(AuthFailure::Xsrf),
        }
    }

    pub fn count(&self) -> (usize, usize) {
        (
            self.sessions.values().filter(|v| **v).count(),
            self.tokens.len(),
        )
    }
}

/// Cookie header → (name, value) pairs in order.
pub fn parse_cookies(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

pub fn cookie<'a>(cookies: &'a [(String, String)], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xsrf_rules() {
        let mut s = Sessions::default();
        let id = s.sign_in();
        let (tok, cookie) = s.issue_xsrf(&id);
        assert!(cookie.contains("%2B") && cookie.contains("%2F") && cookie.contains("%3A"));
        assert_eq!(decode_cookie(&cookie), tok);
        let ttl = Duration::from_secs(600);
        assert_eq!(s.check(Some(&id), Some(&cookie), Some(&tok), ttl), Ok(()));
        assert_eq!(
            s.check(Some(&id), Some(&cookie), Some(&cookie), ttl),
            Err(AuthFailure::Xsrf),
            "the encoded value is wrong"
        );
        assert_eq!(
            s.check(Some(&id), Some(&cookie), None, ttl),
            Err(AuthFailure::Xsrf)
        );
        assert_eq!(
            s.check(Some(&id), Some(&cookie), Some(&tok), Duration::ZERO),
            Err(AuthFailure::Xsrf),
            "expired"
        );
        assert_eq!(
            s.check(None, Some(&cookie), Some(&tok), ttl),
            Err(AuthFailure::NoSession)
        );
        let other = s.sign_in();
        assert_eq!(
            s.check(Some(&other), Some(&cookie), Some(&tok), ttl),
            Err(AuthFailure::Xsrf),
            "bound to its session"
        );
        let (tok2, cookie2) = s.issue_xsrf(&id);
        assert_eq!(
            s.check(Some(&id), Some(&cookie), Some(&tok), ttl),
            Ok(()),
            "old token still valid"
        );
        assert_eq!(s.check(Some(&id), Some(&cookie2), Some(&tok2), ttl), Ok(()));
        s.expire_all(ExpireMode::Redirect);
        assert_eq!(
            s.check(Some(&id), Some(&cookie2), Some(&tok2), ttl),
            Err(AuthFailure::Expired(ExpireMode::Redirect))
        );
    }
}
