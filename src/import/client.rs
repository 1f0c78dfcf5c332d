//! The PagerDuty REST API v2, read-only: the token from the environment, `offset`/`limit`/
//! `more` pagination, HTTP 429 honoured with `Retry-After`, 5xx retried with a back-off,
//! and every failure a sentence naming the request (exit 3).

use serde_json::Value;
use std::time::Duration;

/// Why the API could not be read: a sentence for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(pub String);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
    /// Attempts per request (429 and 5xx are retried).
    attempts: u32,
    /// The longest wait between attempts (a `Retry-After` beyond it is cut to it).
    max_wait: Duration,
    /// Requests made, for the progress line.
    pub requests: std::sync::atomic::AtomicUsize,
}

impl Client {
    pub fn new(base: &str, token: String, timeout: Duration) -> Client {
        let tls = ureq::tls::TlsConfig::builder().root_certs(crate::drill::fetch::trust_roots().clone()).build();
        let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).tls_config(tls).build().into();
        Client { base: base.trim_end_matches('/').to_string(), token, agent, attempts: 5, max_wait: Duration::from_secs(60), requests: Default::default() }
    }

    /// For tests: shorter waits between attempts.
    pub fn with_max_wait(mut self, d: Duration) -> Client {
        self.max_wait = d;
        self
    }

    /// GET `path` with `query`; the JSON answer.
    pub fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.base);
        let mut backoff = Duration::from_millis(500);
        for attempt in 1..=self.attempts {
            self.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut req = self
                .agent
                .get(&url)
                .header("Authorization", &format!("Token token={}", self.token))
                .header("Accept", "application/vnd.pagerduty+json;version=2")
                .header("User-Agent", concat!("runready/", env!("CARGO_PKG_VERSION")));
            for (k, v) in query {
                req = req.query(k, v);
            }
            let resp = match req.call() {
                Ok(r) => r,
                // A hung endpoint is asked once more, not for minutes.
                Err(e) if attempt < self.attempts.min(2) && matches!(e, ureq::Error::Timeout(_) | ureq::Error::Io(_)) => {
                    std::thread::sleep(backoff.min(self.max_wait));
                    backoff *= 2;
                    continue;
                }
                Err(e) => return Err(ApiError(format!("GET {url}: cannot reach PagerDuty: {e}"))),
            };
            let status = resp.status().as_u16();
            let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
            let body = resp.into_body().with_config().limit(64 * 1024 * 1024).read_to_string().unwrap_or_default();
            match status {
                200..=299 => return serde_json::from_str(&body).map_err(|e| ApiError(format!("GET {url}: the answer is not JSON: {e}"))),
                401 => return Err(ApiError(format!("GET {url}: HTTP 401: the token was refused (is PAGERDUTY_TOKEN a valid REST API key?){}", detail(&body)))),
                403 => return Err(ApiError(format!("GET {url}: HTTP 403: the token may not read this{}", detail(&body)))),
                429 if attempt < self.attempts => {
                    std::thread::sleep(retry_after.unwrap_or(backoff).min(self.max_wait));
                    backoff *= 2;
                }
                500..=599 if attempt < self.attempts => {
                    std::thread::sleep(backoff.min(self.max_wait));
                    backoff *= 2;
                }
                _ => return Err(ApiError(format!("GET {url}: HTTP {status}{}", detail(&body)))),
            }
        }
        Err(ApiError(format!("GET {url}: no answer after {} attempts", self.attempts)))
    }

    /// Every element of a paginated list (`key` in each page), `limit` 100 at a time.
    pub fn list(&self, path: &str, key: &str, query: &[(&str, String)]) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        let mut offset = 0usize;
        loop {
            let mut q: Vec<(&str, String)> = query.to_vec();
            q.push(("limit", "100".into()));
            q.push(("offset", offset.to_string()));
            let page = self.get(path, &q)?;
            let items = page.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
            let n = items.len();
            out.extend(items);
            if !page.get("more").and_then(Value::as_bool).unwrap_or(false) || n == 0 {
                return Ok(out);
            }
            offset += n;
            if offset > 1_000_000 {
                return Err(ApiError(format!("GET {}{path}: more than a million {key}", self.base)));
            }
        }
    }
}

/// `f` over `items` with at most `n` requests in flight; results in the items' order, or
/// the first error.
pub fn parallel<T: Sync, R: Send>(items: &[T], n: usize, f: impl Fn(&T) -> Result<R, ApiError> + Sync) -> Result<Vec<R>, ApiError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<R, ApiError>>>> = items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..n.clamp(1, items.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    let failed = r.is_err();
                    *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                    if failed {
                        // Stop taking work: the import fails with the first error anyway.
                        next.store(items.len(), std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(items.len());
    for slot in slots {
        match slot.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(r)) => out.push(r),
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    Ok(out)
}

/// PagerDuty's error message, when the body has one.
fn detail(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let msg = v.pointer("/error/message").and_then(Value::as_str).map(str::to_string);
    let errors: Vec<String> = v.pointer("/error/errors").and_then(Value::as_array).map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect()).unwrap_or_default();
    match (msg, errors.is_empty()) {
        (Some(m), true) => format!(": {m}"),
        (Some(m), false) => format!(": {m} ({})", errors.join("; ")),
        (None, _) => String::new(),
    }
}
