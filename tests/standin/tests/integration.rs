//! Starts the real binary on port 0 and talks HTTPS to it, pinning its
//! certificate by the SPKI hash it printed.

mod common;

use common::{request, Response, Server};
use serde_json::{json, Value};

/// Cookies the way a browser keeps them for one site.
struct Browser<'a> {
    s: &'a Server,
    cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    fn new(s: &'a Server) -> Self {
        Browser {
            s,
            cookies: Vec::new(),
        }
    }

    fn absorb(&mut self, r: &Response) {
        for sc in r.headers_named("set-cookie") {
            let pair = sc.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn xsrf(&self) -> String {
        let raw = self.cookie("XSRF-TOKEN").expect("XSRF-TOKEN cookie");
        percent_encoding::percent_decode_str(&raw)
            .decode_utf8_lossy()
            .into_owned()
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        xsrf: Option<&str>,
        body: &[u8],
    ) -> Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut h: Vec<(&str, &str)> = vec![
            ("Content-Type", "application/json"),
            ("Origin", "https://security.microsoft.com"),
        ];
        if !cookie.is_empty() {
            h.push(("Cookie", &cookie));
        }
        if let Some(x) = xsrf {
            h.push(("X-XSRF-TOKEN", x));
        }
        let r = request(self.s, method, path, &h, body).await;
        self.absorb(&r);
        r
    }

    async fn sign_in(&mut self) {
        let r = self
            .send(
                "POST",
                "/",
                None,
                b"code=c&id_token=i&state=s&session_state=ss&correlation_id=x",
            )
            .await;
        assert_eq!(r.status, 302);
        let r = self.send("GET", "/v2/advanced-hunting", None, b"").await;
        assert_eq!(r.status, 200);
    }

    async fn query(&mut self, text: &str, start: &str, end: &str, max: Value) -> Response {
        let x = self.xsrf();
        let body = json!({"QueryText": text, "StartTime": start, "EndTime": end, "MaxRecordCount": max, "TenantIds": null, "tenantIds": null, "selectedWorkspaces": null});
        self.send(
            "POST",
            "/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false",
            Some(&x),
            body.to_string().as_bytes(),
        )
        .await
    }
}

async fn control(s: &Server, method: &str, path: &str, body: Value) -> Response {
    let b = body.to_string();
    request(
        s,
        method,
        path,
        &[("Content-Type", "application/json")],
        b.as_bytes(),
    )
    .await
}

fn window(s: &Server) -> (String, String) {
    // The data span ends at `now` (floored to the minute, 3 digits).
    let now = &s.now;
    let start = huntkit_standin::time::fmt3(
        huntkit_standin::time::parse(now).expect("now") - 30 * huntkit_standin::time::TICKS_PER_DAY,
    );
    (start, now.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_session_api_limits_faults_and_log() {
    let s = Server::start(&["--calls-per-minute", "0", "--now", "2025-06-01T12:00:00Z"]);
    assert_eq!(s.now, "2025-06-01T12:00:00.000Z");
    let (start, end) = window(&s);
    let mut b = Browser::new(&s);

    // Sign-in page, then the form post sets sccauth.
    let page = b.send("GET", "/", None, b"").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("id=\"signin\"")
            && page.text().contains("name=\"id_token\"")
            && !page.text().contains("<script")
    );
    let r = b.send("POST", "/", None, b"code=c&id_token=i").await;
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location"),
        Some(format!("/v2/advanced-hunting?tid={}", s.tenant_id).as_str())
    );
    let sc = r.header("set-cookie").expect("set-cookie");
    assert!(
        sc.starts_with("sccauth=") && sc.contains("HttpOnly") && sc.contains("Secure"),
        "{sc}"
    );

    // Without a session the page redirects to the sign-in host.
    let anon = request(&s, "GET", "/v2/advanced-hunting", &[], b"").await;
    assert_eq!(anon.status, 302);
    assert!(anon
        .header("location")
        .expect("location")
        .starts_with("https://login.microsoftonline.com/common/oauth2/authorize?"));

    // The page: CSP, scripts, an URL-encoded XSRF cookie.
    let r = b
        .send(
            "GET",
            &format!("/v2/advanced-hunting?tid={}&attack=1", s.tenant_id),
            None,
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-security-policy"),
        Some("default-src 'self'; script-src 'self'; connect-src 'self'")
    );
    assert!(r.text().contains(
        "<script src=\"/static/portal.js\"></script>\n<script src=\"/static/attack.js\"></script>"
    ));
    let xc = r
        .headers_named("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("XSRF-TOKEN="))
        .expect("xsrf cookie")
        .to_string();
    assert!(!xc.contains("HttpOnly") && xc.contains("Secure") && xc.contains("Path=/"));
    let raw = b.cookie("XSRF-TOKEN").expect("cookie");
    assert!(
        raw.contains("%3A") && raw.contains("%2B") && raw.contains("%2F"),
        "{raw}"
    );
    let tok = b.xsrf();
    assert!(tok.contains(':') && tok.contains('+') && tok.contains('/'));
    let js = request(&s, "GET", "/static/portal.js", &[], b"").await;
    assert_eq!(
        (js.status, js.header("content-type")),
        (200, Some("text/javascript; charset=utf-8"))
    );

    // 401 without a cookie, 403 with a wrong or still-encoded header.
    let r = request(
        &s,
        "GET",
        "/apiproxy/mtp/huntingService/schema",
        &[("X-XSRF-TOKEN", &tok)],
        b"",
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "Unauthorized");
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some("wrong"),
            b"",
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "Forbidden");
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some(&raw),
            b"",
        )
        .await;
    assert_eq!(r.status, 403, "the header must carry the decoded value");
    let r = b
        .send("GET", "/apiproxy/mtp/huntingService/schema", None, b"")
        .await;
    assert_eq!(r.status, 403);

    // Tenant and schema.
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/sccManagement/mgmt/TenantContext?realTime=true",
            Some(&tok),
            b"",
        )
        .await;
    assert_eq!(r.json()["AuthInfo"]["TenantId"], s.tenant_id.as_str());
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some(&tok),
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    let fixture =
        std::fs::read(huntkit_standin::config::default_fixtures().join("schema_current.json"))
            .expect("fixture");
    assert!(r.body == fixture, "schema served byte for byte");

    // take and count.
    let r = b
        .query("DeviceProcessEvents | take 7", &start, &end, Value::Null)
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["Results"].as_array().expect("rows").len(), 7);
    assert_eq!(v["Schema"].as_array().expect("schema").len(), 69);
    assert_eq!(
        v["Schema"][0],
        json!({"Name": "Timestamp", "Type": "DateTime", "Entity": null})
    );
    assert_eq!(v["ChartVisualization"], json!({"ChartType": "None"}));
    let et = v["Quota"]["ExecutionTime"].as_str().expect("ExecutionTime");
    assert!(et.len() == 16 && et.starts_with("00:00:"), "{et}");
    let ts = v["Results"][0]["Timestamp"].as_str().expect("ts");
    assert_eq!(ts.len(), 28, "7 fractional digits: {ts}");
    let r = b
        .query("DeviceProcessEvents | count", &start, &end, Value::Null)
        .await;
    assert_eq!(r.json()["Results"], json!([{"Count": 150000}]));
    let r = b
        .query(
            "DeviceProcessEvents | where FileName =~ 'CMD.EXE' | summarize count() by FileName",
            &start,
            &end,
            Value::Null,
        )
        .await;
    assert_eq!(r.json()["Results"][0]["FileName"], "cmd.exe");

    // The 100,000-row cap: the first rows in time order, identical to the
    // truth's first rows; ReportId stays exact past 2^53.
    let q = "DeviceProcessEvents | project Timestamp, ReportId";
    let r = b.query(q, &start, &end, Value::Null).await;
    assert_eq!(r.status, 200);
    let served = r.json();
    let rows = served["Results"].as_array().expect("rows");
    assert_eq!(rows.len(), 100_000);
    assert!(r.text().contains("9223372036854775807"));
    let truth = control(
        &s,
        "POST",
        "/_standin/truth",
        json!({"QueryText": q, "StartTime": start, "EndTime": end}),
    )
    .await
    .json();
    let all = truth["Results"].as_array().expect("truth rows");
    assert_eq!(all.len(), 150_000);
    assert_eq!(rows[..], all[..100_000]);
    let r = b.query(q, &start, &end, json!(10)).await;
    assert_eq!(
        r.json()["Results"].as_array().expect("rows").len(),
        10,
        "MaxRecordCount below the cap"
    );

    // CSV truth: header, CRLF.
    let csv = control(&s, "POST", "/_standin/truth.csv", json!({"QueryText": "DeviceProcessEvents | project Timestamp, ReportId | take 2", "StartTime": start, "EndTime": end})).await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.text();
    assert!(text.starts_with("Timestamp,ReportId\r\n"));
    assert_eq!(text.matches("\r\n").count(), 3);

    // Size cap: the portal's 400, or a silent partial result.
    control(
        &s,
        "POST",
        "/_standin/settings",
        json!({"size_cap_bytes": 20000}),
    )
    .await;
    let r = b
        .query("DeviceProcessEvents | take 1000", &start, &end, Value::Null)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["message"],
        "Result size limit exceeded. Use \"summarize\" to aggregate results, \"project\" to drop uninteresting columns, or \"take\" to truncate results."
    );
    control(
        &s,
        "POST",
        "/_standin/settings",
        json!({"size_mode": "truncate"}),
    )
    .await;
    let r = b
        .query("DeviceProcessEvents | take 1000", &start, &end, Value::Null)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.len() <= 20000);
    let n = r.json()["Results"].as_array().expect("rows").len();
    assert!(n > 0 && n < 1000, "{n}");
    control(
        &s,
        "POST",
        "/_standin/settings",
        json!({"size_cap_bytes": 67108864, "size_mode": "error"}),
    )
    .await;

    // Query errors.
    let r = b
        .query("DeviceProcessEvents | project x", &start, &end, Value::Null)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"error": {"code": "BadRequest", "message": "'project' operator: Failed to resolve scalar expression named 'x'"}})
    );
    let r = b
        .send(
            "POST",
            "/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false",
            Some(&tok),
            b"{not json",
        )
        .await;
    assert_eq!(r.status, 400);

    // The call quota: exactly the real body, no Retry-After by default.
    control(
        &s,
        "POST",
        "/_standin/settings",
        json!({"calls_per_minute": 2}),
    )
    .await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let r = b
            .query("DeviceProcessEvents | count", &start, &end, Value::Null)
            .await;
        statuses.push(r.status);
        last = Some(r);
    }
    assert_eq!(statuses, [200, 200, 429]);
    let last = last.expect("response");
    assert_eq!(
        last.json(),
        json!({"error": {"code": "429", "message": "API calls quota exceeded! maximum allowed 2 per 00:01:00", "target": s.tenant_id}})
    );
    assert_eq!(last.header("retry-after"), None);
    control(
        &s,
        "POST",
        "/_standin/settings",
        json!({"calls_per_minute": 0}),
    )
    .await;

    // Faults: a queued 429, and a body cut mid-way.
    control(
        &s,
        "POST",
        "/_standin/faults",
        json!({"kind": "quota_429", "path_contains": "queryExecutor"}),
    )
    .await;
    let r = b
        .query("DeviceProcessEvents | count", &start, &end, Value::Null)
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json()["error"]["message"],
        "API calls quota exceeded! maximum allowed 45 per 00:01:00"
    );
    control(
        &s,
        "POST",
        "/_standin/faults",
        json!({"kind": "drop_mid_body", "after_bytes": 1000, "path_contains": "queryExecutor"}),
    )
    .await;
    let r = b
        .query("DeviceProcessEvents | take 50", &start, &end, Value::Null)
        .await;
    assert_eq!(r.status, 200);
    assert!(
        !r.complete,
        "the connection must close before the announced length"
    );
    assert_eq!(r.body.len(), 1000);
    assert!(
        r.header("content-length")
            .expect("length")
            .parse::<usize>()
            .expect("n")
            > 1000
    );
    let r = b
        .query("DeviceProcessEvents | take 50", &start, &end, Value::Null)
        .await;
    assert!(r.complete && r.status == 200, "a fault is used once");
    control(
        &s,
        "POST",
        "/_standin/faults",
        json!({"kind": "cpu_block", "wait_secs": 441}),
    )
    .await;
    let r = b
        .query("DeviceProcessEvents | count", &start, &end, Value::Null)
        .await;
    assert_eq!(r.json()["error"]["message"], "You have exceeded processing resources allocated to this tenant. You can run queries again in 00:07:21.");

    // History, newest first.
    let r = b
        .send(
            "POST",
            "/apiproxy/mtp/huntingService/reports/userHistory",
            Some(&tok),
            br#"{"startTime":"2000-01-01T00:00:00.000Z","maxResults":2}"#,
        )
        .await;
    let h = r.json();
    assert_eq!(h.as_array().expect("array").len(), 2);
    assert_eq!(h[0]["QueryText"], "DeviceProcessEvents | take 50");

    // The log saw what was sent.
    let log = control(&s, "GET", "/_standin/log", Value::Null)
        .await
        .json();
    let entries = log.as_array().expect("log");
    assert!(entries
        .iter()
        .all(|e| e["path"].as_str().expect("path").starts_with("/apiproxy/")));
    let wrong = entries
        .iter()
        .find(|e| e["x_xsrf_token"] == "wrong")
        .expect("the wrong-token call");
    assert_eq!(wrong["status"], 403);
    assert_eq!(wrong["xsrf_ok"], false);
    assert_eq!(wrong["xsrf_expected"], tok.as_str());
    assert_eq!(wrong["has_sccauth"], true);
    assert_eq!(wrong["origin"], "https://security.microsoft.com");
    let anon = entries
        .iter()
        .find(|e| e["status"] == 401)
        .expect("the anonymous call");
    assert_eq!(anon["has_sccauth"], false);
    // The call quota, the queued quota_429 and the cpu_block all answer 429.
    let q429 = entries.iter().filter(|e| e["status"] == 429).count();
    assert_eq!(q429, 3);
    assert!(entries.iter().any(|e| e["query_text"]
        == "DeviceProcessEvents | project Timestamp, ReportId"
        && e["rows"] == 100_000));
    control(&s, "DELETE", "/_standin/log", Value::Null).await;
    assert_eq!(
        control(&s, "GET", "/_standin/log", Value::Null)
            .await
            .json(),
        json!([])
    );

    // Ending the session: API calls redirect; signing in again works.
    control(
        &s,
        "POST",
        "/_standin/session/expire",
        json!({"mode": "redirect"}),
    )
    .await;
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some(&tok),
            b"",
        )
        .await;
    assert_eq!(r.status, 302);
    assert!(r
        .header("location")
        .expect("location")
        .starts_with("https://login.microsoftonline.com/"));
    let r = b.send("GET", "/v2/advanced-hunting", None, b"").await;
    assert_eq!(r.status, 302);
    b.sign_in().await;
    let tok2 = b.xsrf();
    assert_ne!(tok, tok2);
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some(&tok2),
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xsrf_expires_and_rotates() {
    let s = Server::start(&[]);
    let mut b = Browser::new(&s);
    b.sign_in().await;
    let old = b.xsrf();
    control(
        &s,
        "POST",
        "/_standin/settings",
        json!({"xsrf_ttl_secs": 1}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some(&old),
            b"",
        )
        .await;
    assert_eq!(r.status, 403, "stale token");
    let r = b.send("GET", "/v2/advanced-hunting", None, b"").await;
    assert_eq!(r.status, 200);
    let fresh = b.xsrf();
    assert_ne!(old, fresh);
    let r = b
        .send(
            "GET",
            "/apiproxy/mtp/huntingService/schema",
            Some(&fresh),
            b"",
        )
        .await;
    assert_eq!(r.status, 200);
    let info = control(&s, "GET", "/_standin/info", Value::Null)
        .await
        .json();
    assert_eq!(info["tables"]["DeviceNetworkEvents"], 1_000_000);
    assert_eq!(info["settings"]["row_cap"], 100_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_page_runs_queries_like_the_portal_under_the_csp() {
    let s = Server::start(&["--calls-per-minute", "0"]);
    let mut b = Browser::new(&s);
    b.sign_in().await;
    let page = b
        .send("GET", "/v2/advanced-hunting?editor=1", None, b"")
        .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains(r#"<textarea id="editor-query""#), "{html}");
    assert!(html.contains(r#"<script src="/static/editor.js"></script>"#));
    // Every script is external: the CSP forbids inline ones.
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    assert!(page
        .header("content-security-policy")
        .expect("CSP")
        .contains("script-src 'self'"));
    // Without the flag the page has no editor.
    let plain = b.send("GET", "/v2/advanced-hunting", None, b"").await;
    assert!(!plain.text().contains("editor.js"));

    let script = b.send("GET", "/static/editor.js", None, b"").await;
    assert_eq!(script.status, 200);
    let js = script.text();
    assert!(js.contains("/apiproxy/mtp/huntingService/queryExecutor?useFanOut=false"));
    assert!(js.contains("X-XSRF-TOKEN"));

    // What the editor sends is recorded in the portal's history, newest first.
    let (start, end) = window(&s);
    let text = "DeviceInfo | where DeviceName has '<img src=x onerror=alert(1)>' | take 1";
    assert_eq!(b.query(text, &start, &end, Value::Null).await.status, 200);
    let x = b.xsrf();
    let h = b
        .send(
            "POST",
            "/apiproxy/mtp/huntingService/reports/userHistory",
            Some(&x),
            br#"{"startTime":"2000-01-01T00:00:00.000Z","maxResults":30}"#,
        )
        .await;
    assert_eq!(h.status, 200);
    let items = h.json();
    assert_eq!(items[0]["QueryText"], text);
    assert_eq!(items[0]["StartTime"], start.as_str());
}
