//! The portal client: one request in, one typed answer out.
//!
//! It adds to the bare transport the two things every call needs: the XSRF
//! dance (a 403 means "refresh the token and try once more" before it means
//! "signed out", PORTAL.md) and the classification of every answer into a
//! result or a named [`PortalError`] — never an empty result by mistake.

use crate::platform::{HttpRequest, Method, Transport, TransportError};
use crate::portal::{self, HttpResponse, PortalError, QueryRequest};
use crate::result::QueryResult;

pub struct PortalClient<T> {
    transport: T,
}

impl<T: Transport> PortalClient<T> {
    pub fn new(transport: T) -> Self {
        Self { transport }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The signed-in tenant's id; also the cheapest check that the session
    /// is alive.
    pub async fn tenant_id(&self) -> Result<String, PortalError> {
        let response = self
            .exchange(Method::Get, portal::TENANT_PATH, None)
            .await?;
        portal::parse_tenant(response)
    }

    /// The tenant's schema, as the raw bytes the portal sent (snapshots keep
    /// them verbatim; `schema::parse_schema` reads them).
    pub async fn schema_bytes(&self) -> Result<Vec<u8>, PortalError> {
        let response = self
            .exchange(Method::Get, portal::SCHEMA_PATH, None)
            .await?;
        portal::classify(&response)?;
        Ok(response.body)
    }

    pub async fn run_query(&self, request: &QueryRequest) -> Result<QueryResult, PortalError> {
        let response = self
            .exchange(Method::Post, portal::QUERY_PATH, Some(request.to_body()))
            .await?;
        portal::parse_query_response(response)
    }

    /// The portal's own query history (`reports/userHistory`), as the raw
    /// body: `history::parse_user_history` reads it. `start_time` is an ISO
    /// timestamp; the portal keeps at most 30 queries of 28 days.
    pub async fn user_history(&self, start_time: &str) -> Result<Vec<u8>, PortalError> {
        let body = serde_json::json!({"startTime": start_time, "maxResults": 30});
        let response = self
            .exchange(
                Method::Post,
                portal::USER_HISTORY_PATH,
                Some(body.to_string().into_bytes()),
            )
            .await?;
        portal::classify(&response)?;
        Ok(response.body)
    }

    /// Sends a request; on a rejected XSRF token, re-issues the token and
    /// sends it once more. A second rejection means the session is gone.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, PortalError> {
        let request = HttpRequest {
            method,
            path: path.to_owned(),
            body,
        };
        let first = self
            .transport
            .send(request.clone())
            .await
            .map_err(network_error)?;
        if !matches!(portal::classify(&first), Err(PortalError::XsrfRejected)) {
            return Ok(first);
        }
        self.transport
            .refresh_token()
            .await
            .map_err(network_error)?;
        let second = self.transport.send(request).await.map_err(network_error)?;
        match portal::classify(&second) {
            Err(rejected @ PortalError::XsrfRejected) => Err(rejected.after_token_refresh()),
            _ => Ok(second),
        }
    }
}

fn network_error(error: TransportError) -> PortalError {
    PortalError::Network {
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;
    use crate::platform::ScriptedTransport;

    /// The scripted transport answers at once, so one poll finishes a call.
    fn now<F: Future>(future: F) -> F::Output {
        match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("a scripted call should not wait"),
        }
    }

    fn answer(status: u16, body: &str) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status,
            url: "https://security.microsoft.com/apiproxy/x".into(),
            redirected: false,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
        })
    }

    const FORBIDDEN: &str = r#"{"error":{"code":"Forbidden","message":"xsrf"}}"#;
    const TENANT: &str = r#"{"AuthInfo":{"TenantId":"00000000-0000-4000-8000-000000000001"}}"#;

    #[test]
    fn a_stale_token_is_refreshed_once_and_the_request_sent_again() {
        let client = PortalClient::new(ScriptedTransport::new([
            answer(403, FORBIDDEN),
            answer(200, TENANT),
        ]));
        assert_eq!(
            now(client.tenant_id()).as_deref(),
            Ok("00000000-0000-4000-8000-000000000001")
        );
        assert_eq!(*client.transport().refreshes.borrow(), 1);
        let requests = client.transport().requests.borrow();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0], requests[1]);
        assert_eq!(requests[0].path, portal::TENANT_PATH);
    }

    #[test]
    fn a_second_rejection_means_the_session_is_gone() {
        let client = PortalClient::new(ScriptedTransport::new([
            answer(403, FORBIDDEN),
            answer(403, FORBIDDEN),
        ]));
        let error = now(client.tenant_id()).expect_err("two 403s");
        assert_eq!(error.kind(), "session_expired");
        assert_eq!(*client.transport().refreshes.borrow(), 1);
    }

    #[test]
    fn a_query_posts_the_portal_body_and_a_dropped_connection_is_a_network_error() {
        let request = QueryRequest {
            query_text: "DeviceInfo | take 1".into(),
            start_ms: 0,
            end_ms: 1,
            max_record_count: None,
        };
        let client = PortalClient::new(ScriptedTransport::new([Err(TransportError::Network(
            "body interrupted".into(),
        ))]));
        let error = now(client.run_query(&request)).expect_err("no answer");
        assert_eq!(error.kind(), "network");
        assert!(error.is_retryable());
        let sent = client.transport().requests.borrow();
        assert_eq!(sent[0].method, Method::Post);
        assert_eq!(sent[0].body.as_deref(), Some(request.to_body().as_slice()));
        assert_eq!(*client.transport().refreshes.borrow(), 0);
    }

    #[test]
    fn user_history_posts_the_start_time_and_returns_the_body() {
        let client = PortalClient::new(ScriptedTransport::new([answer(200, "[]")]));
        let body = now(client.user_history("2026-01-01T00:00:00.000Z")).expect("history");
        assert_eq!(body, b"[]");
        let sent = client.transport().requests.borrow();
        assert_eq!(sent[0].path, portal::USER_HISTORY_PATH);
        let json: serde_json::Value =
            serde_json::from_slice(sent[0].body.as_deref().expect("body")).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"startTime": "2026-01-01T00:00:00.000Z", "maxResults": 30})
        );
    }
}
