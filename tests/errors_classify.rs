//! Each error kind is recognised from real bodies (fixtures) and from
//! constructed responses, and says the right thing to the analyst.

mod result_support;

use huntkit::portal::{
    classify, parse_query_response, parse_tenant, HttpResponse, PortalError, SessionReason,
};
use result_support::read_fixture;
use serde_json::Value;

fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> HttpResponse {
    HttpResponse {
        status,
        url: "https://security.microsoft.com/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false".into(),
        redirected: false,
        content_type: content_type.map(str::to_owned),
        body: body.to_vec(),
    }
}

fn json_response(status: u16, body: &str) -> HttpResponse {
    response(
        status,
        Some("application/json; charset=utf-8"),
        body.as_bytes(),
    )
}

/// The error `parse_query_response` gives for `resp`.
fn failure(resp: HttpResponse) -> PortalError {
    parse_query_response(resp).expect_err("must fail")
}

/// The fixture's error entries as (status, body) responses.
fn real_errors() -> Vec<(Value, HttpResponse)> {
    let fixture: Value =
        serde_json::from_str(&read_fixture("results_errors_real.json")).expect("json");
    let mut out = Vec::new();
    for entry in fixture["errors"].as_array().expect("errors") {
        let status = entry["status"].as_u64().map_or(400, |s| s as u16);
        let body = if let Some(body) = entry.get("body").or_else(|| entry.get("body_fragment")) {
            body.to_string()
        } else if let Some(message) = entry["message"].as_str() {
            // Given without its envelope: wrap it as the Graph API does.
            let code = entry["code"].as_str().unwrap_or("BadRequest");
            serde_json::json!({"error": {"code": code, "message": message}}).to_string()
        } else {
            continue;
        };
        out.push((entry.clone(), json_response(status, &body)));
    }
    out
}

#[test]
fn real_error_bodies_are_recognised() {
    let kinds: Vec<(&str, u16)> = real_errors()
        .into_iter()
        .map(|(_, resp)| {
            let status = resp.status;
            (failure(resp).kind(), status)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("quota", 429),
            ("quota", 429),
            ("server_error", 504),
            ("timeout", 400),
            ("result_too_large", 400),
            ("session_expired", 401),
            ("xsrf_rejected", 403),
        ]
    );
}

#[test]
fn real_quota_bodies_give_their_limit_and_window() {
    let errors = real_errors();
    let first = failure(errors[0].1.clone());
    assert_eq!(
        first,
        PortalError::Quota {
            message: "API calls quota exceeded! maximum allowed 45 per 00:01:00".into(),
            limit: Some(45),
            per: Some("00:01:00".into()),
        }
    );
    assert!(first.is_retryable());
    assert_eq!(first.retry_after_ms(), Some(60_000));
    assert_eq!(
        first.user_message(),
        "Too many requests: the portal allows 45 calls per 00:01:00. Wait 1 min and try again; nothing was lost."
    );
    let hourly = failure(errors[1].1.clone());
    assert_eq!(hourly.retry_after_ms(), Some(3_600_000));
}

#[test]
fn a_504_with_an_empty_message_is_a_retryable_server_error() {
    let err = failure(real_errors()[2].1.clone());
    assert_eq!(
        err,
        PortalError::ServerError {
            status: 504,
            message: String::new()
        }
    );
    assert!(err.is_retryable());
    assert_eq!(err.retry_after_ms(), None);
    assert_eq!(
        err.user_message(),
        "The portal had an internal error (HTTP 504): try again in a few minutes."
    );
}

#[test]
fn documented_portal_messages_map_to_kinds_in_every_body_shape() {
    let fixture: Value =
        serde_json::from_str(&read_fixture("results_errors_real.json")).expect("json");
    let messages: Vec<&str> = fixture["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find_map(|e| e["messages"].as_array())
        .expect("documented messages")
        .iter()
        .map(|m| m.as_str().expect("string"))
        .collect();
    let expected = [
        "query_error",
        "query_error",
        "timeout",
        "cpu_blocked",
        "result_too_large",
        "timeout",
        "timeout",
        "server_error",
    ];
    assert_eq!(messages.len(), expected.len());
    for (message, kind) in messages.iter().zip(expected) {
        let shapes = [
            serde_json::json!({"error": {"code": "BadRequest", "message": message}}).to_string(),
            serde_json::json!({"code": "BadRequest", "message": message}).to_string(),
            serde_json::json!({"Message": message}).to_string(),
            serde_json::json!({"ERROR": {"MESSAGE": message}}).to_string(),
        ];
        for body in shapes {
            let err = failure(json_response(400, &body));
            assert_eq!(err.kind(), kind, "{body}");
        }
        let plain = failure(response(400, Some("text/plain"), message.as_bytes()));
        assert_eq!(plain.kind(), kind, "plain text {message}");
    }
}

#[test]
fn query_errors_are_never_retried_and_show_the_message() {
    let body = r#"{"error":{"code":"BadRequest","message":"'project' operator: Failed to resolve scalar expression named 'x'"}}"#;
    let err = failure(json_response(400, body));
    assert_eq!(err.kind(), "query_error");
    assert!(!err.is_retryable());
    assert_eq!(
        err.user_message(),
        "The portal could not run the query: 'project' operator: Failed to resolve scalar expression named 'x'. \
         Fix the query and run it again."
    );
    let recognition = failure(json_response(
        400,
        r#"{"message":"A recognition error occurred."}"#,
    ));
    assert_eq!(
        recognition,
        PortalError::QueryError {
            message: "A recognition error occurred.".into()
        }
    );
}

#[test]
fn session_loss_in_all_its_forms() {
    let expired = |reason| PortalError::SessionExpired { reason };
    assert_eq!(
        failure(response(401, None, b"")),
        expired(SessionReason::Unauthorized)
    );
    assert_eq!(
        failure(response(0, None, b"")),
        expired(SessionReason::Redirected)
    );
    assert_eq!(
        failure(response(302, None, b"")),
        expired(SessionReason::Redirected)
    );
    assert_eq!(
        failure(response(307, Some("text/html"), b"<html>")),
        expired(SessionReason::Redirected)
    );
    let sign_in = b"<!DOCTYPE html><html><head><title>Sign in to your account</title>";
    assert_eq!(
        failure(response(200, Some("text/html; charset=utf-8"), sign_in)),
        expired(SessionReason::HtmlPage)
    );
    assert_eq!(
        failure(response(200, None, b"\xef\xbb\xbf \n<html>")),
        expired(SessionReason::HtmlPage)
    );
    let mut followed = response(200, Some("application/json"), b"{}");
    followed.redirected = true;
    followed.url = "https://login.microsoftonline.com/common/oauth2/authorize?client_id=x".into();
    assert_eq!(failure(followed), expired(SessionReason::Redirected));
    let err = failure(response(401, None, b""));
    assert!(!err.is_retryable());
    assert_eq!(
        err.user_message(),
        "Your portal session expired: sign in again in the portal tab; nothing was lost."
    );
}

#[test]
fn a_403_is_retried_once_after_a_token_refresh_then_means_sign_in() {
    let err = failure(json_response(403, r#"{"code":"Forbidden","message":"x"}"#));
    assert_eq!(err, PortalError::XsrfRejected);
    assert!(err.is_retryable());
    assert_eq!(err.retry_after_ms(), Some(0));
    let again = err.after_token_refresh();
    assert_eq!(
        again,
        PortalError::SessionExpired {
            reason: SessionReason::Forbidden
        }
    );
    assert!(!again.is_retryable());
}

#[test]
fn cpu_blocks_carry_their_wait() {
    let message = "You have exceeded processing resources allocated to this tenant. You can run queries again in 00:07:21.";
    let err = failure(json_response(
        429,
        &serde_json::json!({"error": {"message": message}}).to_string(),
    ));
    assert_eq!(
        err,
        PortalError::CpuBlocked {
            wait_ms: 441_000,
            message: message.into()
        }
    );
    assert!(err.is_retryable());
    assert_eq!(err.retry_after_ms(), Some(441_000));
    assert_eq!(
        err.user_message(),
        "Your tenant has used up its query CPU quota: queries can run again in 7 min 21 s. \
         Wait, or run lighter queries over shorter time ranges."
    );
    let long = failure(response(
        400,
        None,
        b"You can run queries again in 1.02:03:04.",
    ));
    assert_eq!(long.retry_after_ms(), Some(93_784_000));
    let words = failure(response(
        400,
        None,
        b"You can run queries again in 5 minutes.",
    ));
    assert_eq!(words.retry_after_ms(), Some(300_000));
    // No readable wait: one whole CPU cycle of 15 minutes.
    let unknown = failure(response(
        400,
        None,
        b"You can run queries again in <duration>.",
    ));
    assert_eq!(unknown.retry_after_ms(), Some(900_000));
}

#[test]
fn limits_timeouts_and_sizes() {
    let timeout = failure(json_response(
        504,
        r#"{"error":{"message":"Query exceeded the timeout period."}}"#,
    ));
    assert_eq!(timeout.kind(), "timeout");
    assert!(
        !timeout.is_retryable(),
        "the same query times out again: split it instead"
    );
    assert_eq!(
        timeout.user_message(),
        "The query hit the portal's time or resource limit and was stopped: narrow the time range or make the query lighter, then run it again."
    );
    let size = failure(json_response(
        400,
        r#"{"Message":"Result size limit exceeded. Use \"summarize\"."}"#,
    ));
    assert_eq!(size.kind(), "result_too_large");
    assert!(!size.is_retryable());
    assert!(size
        .user_message()
        .starts_with("The result is larger than the portal allows"));
}

#[test]
fn server_errors_and_unknown_statuses() {
    let err = failure(response(500, Some("text/plain"), b"Internal Server Error"));
    assert_eq!(
        err,
        PortalError::ServerError {
            status: 500,
            message: "Internal Server Error".into()
        }
    );
    assert_eq!(
        err.user_message(),
        "The portal had an internal error (HTTP 500) (Internal Server Error): try again in a few minutes."
    );
    let err = failure(response(
        502,
        Some("text/html"),
        b"<html><title>502 Bad Gateway</title></html>",
    ));
    assert_eq!(
        err,
        PortalError::ServerError {
            status: 502,
            message: "502 Bad Gateway".into()
        }
    );
    let gone = failure(response(404, None, b"not here"));
    assert_eq!(gone.kind(), "unexpected_shape");
    let quota = failure(response(429, None, b""));
    assert_eq!(
        quota,
        PortalError::Quota {
            message: String::new(),
            limit: None,
            per: None
        }
    );
    assert_eq!(quota.retry_after_ms(), Some(60_000));
    assert_eq!(
        quota.user_message(),
        "Too many requests to the portal: wait a minute and try again; nothing was lost."
    );
    let empty_400 = failure(response(400, None, b""));
    assert_eq!(
        empty_400,
        PortalError::ServerError {
            status: 400,
            message: String::new()
        }
    );
    assert!(!empty_400.is_retryable());
}

#[test]
fn broken_bodies_are_unexpected_shapes_with_the_raw_body_kept() {
    let truncated = r#"{"Schema":[{"Name":"A","Type":"String"}],"Results":[{"A":"x"},{"A":"#;
    match failure(json_response(200, truncated)) {
        PortalError::UnexpectedShape { what, raw } => {
            assert!(
                what.starts_with("response is not valid json: EOF while parsing"),
                "{what}"
            );
            assert_eq!(raw, truncated);
        }
        other => panic!("expected unexpected_shape, got {other:?}"),
    }
    match failure(response(
        200,
        Some("application/json"),
        b"{\"Schema\":[],\"Results\":[\"\xff\"]}",
    )) {
        PortalError::UnexpectedShape { what, raw } => {
            assert_eq!(what, "response is not utf-8 (invalid byte at offset 25)");
            assert_eq!(raw, "{\"Schema\":[],\"Results\":[\"\u{fffd}\"]}");
        }
        other => panic!("expected unexpected_shape, got {other:?}"),
    }
    let drifted = r#"{"result":{"Schema":[],"Results":[]},"metadata":{}}"#;
    let err = failure(json_response(200, drifted));
    assert_eq!(
        err,
        PortalError::UnexpectedShape {
            what: "response has no Results (top-level keys: result, metadata)".into(),
            raw: drifted.into()
        }
    );
    assert!(
        err.user_message().contains("the raw answer is kept"),
        "{}",
        err.user_message()
    );
    let wrong_type = failure(json_response(200, r#"{"Schema":[],"Results":{"A":1}}"#));
    assert_eq!(wrong_type.kind(), "unexpected_shape");
}

#[test]
fn an_error_object_served_with_200_is_read_as_an_error() {
    let err = failure(json_response(
        200,
        r#"{"error":{"message":"Query exceeded the timeout period."}}"#,
    ));
    assert_eq!(err.kind(), "timeout");
    let odd = failure(json_response(
        200,
        r#"{"Message":"Something new happened"}"#,
    ));
    match odd {
        PortalError::UnexpectedShape { what, .. } => {
            assert_eq!(what, "response has no Results (top-level keys: Message); the portal said \"Something new happened\"")
        }
        other => panic!("expected unexpected_shape, got {other:?}"),
    }
}

#[test]
fn every_kind_has_a_plain_message_with_a_next_step() {
    let all = [
        PortalError::SessionExpired {
            reason: SessionReason::HtmlPage,
        },
        PortalError::XsrfRejected,
        PortalError::Quota {
            message: String::new(),
            limit: None,
            per: None,
        },
        PortalError::CpuBlocked {
            wait_ms: 1,
            message: String::new(),
        },
        PortalError::Timeout {
            message: String::new(),
        },
        PortalError::ResultTooLarge {
            message: String::new(),
        },
        PortalError::QueryError {
            message: "x".into(),
        },
        PortalError::ServerError {
            status: 503,
            message: String::new(),
        },
        PortalError::UnexpectedShape {
            what: "x".into(),
            raw: String::new(),
        },
        PortalError::Network {
            message: "connection reset".into(),
        },
    ];
    let kinds: Vec<&str> = all.iter().map(PortalError::kind).collect();
    assert_eq!(
        kinds,
        [
            "session_expired",
            "xsrf_rejected",
            "quota",
            "cpu_blocked",
            "timeout",
            "result_too_large",
            "query_error",
            "server_error",
            "unexpected_shape",
            "network"
        ]
    );
    for err in &all {
        let text = err.user_message();
        assert!(text.ends_with('.'), "{text}");
        assert!(
            [
                "sign in",
                "try again",
                "run it again",
                "Wait",
                "report it",
                "reload"
            ]
            .iter()
            .any(|s| text.contains(s)),
            "no next step in {text}"
        );
        assert!(!text.to_lowercase().contains("unknown error"), "{text}");
        let log = err.to_string();
        assert!(
            log.starts_with(|c: char| c.is_lowercase()),
            "log messages are lower-case: {log}"
        );
    }
    assert_eq!(
        PortalError::Network { message: "connection reset".into() }.user_message(),
        "Could not reach the portal (connection reset): check the connection and that the portal tab is open, then try again."
    );
}

#[test]
fn classify_passes_good_answers() {
    assert_eq!(classify(&json_response(200, "{}")), Ok(()));
    assert_eq!(classify(&response(204, None, b"")), Ok(()));
}

#[test]
fn tenants_are_read_or_refused() {
    let ok = json_response(
        200,
        r#"{"AuthInfo":{"TenantId":"8f1c2a8e-0000-4000-8000-000000000001","Other":1}}"#,
    );
    assert_eq!(
        parse_tenant(ok),
        Ok("8f1c2a8e-0000-4000-8000-000000000001".into())
    );
    let lower = json_response(200, r#"{"authInfo":{"tenantId":"t-1"}}"#);
    assert_eq!(parse_tenant(lower), Ok("t-1".into()));
    assert_eq!(
        parse_tenant(json_response(200, r#"{"AuthInfo":{}}"#)).map_err(|e| e.kind()),
        Err("unexpected_shape")
    );
    assert_eq!(
        parse_tenant(json_response(200, r#"{"AuthInfo":{"TenantId":""}}"#)).map_err(|e| e.kind()),
        Err("unexpected_shape")
    );
    assert_eq!(
        parse_tenant(response(401, None, b"")).map_err(|e| e.kind()),
        Err("session_expired")
    );
}
