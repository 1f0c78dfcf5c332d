//! A fault-injecting proxy in front of moto: every AWS call goes through it to moto, and a
//! test decides per operation what the caller sees (moto's answer, an error after moto did
//! the work, an answer after the caller's timeout, no answer) and can act at that moment.
//! The real SDK talks to it; moto keeps the real state.
#![allow(dead_code)]

use super::http::{HttpServer, Reply, Request};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the caller of one operation gets.
#[derive(Clone)]
pub enum Fault {
    /// moto's answer.
    Pass,
    /// moto does the work; the caller gets this HTTP status (an AWS error body).
    AfterWith(u16),
    /// moto does the work; the caller gets moto's answer after this delay.
    AfterDelay(Duration),
    /// moto is not called; the caller gets this status.
    Instead(u16),
    /// moto is not called; no answer ever.
    Hang,
}

type Rule = dyn Fn(&str, usize) -> Fault + Send + Sync;
type Hook = dyn Fn(&str) + Send + Sync;

pub struct Proxy {
    pub server: HttpServer,
    pub ops: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// `rule(operation, nth)` decides each call (`nth` counts earlier calls of the
    /// operation); `hook(operation)` runs when moto has answered, before the caller is.
    pub fn start(moto: &str, rule: impl Fn(&str, usize) -> Fault + Send + Sync + 'static, hook: impl Fn(&str) + Send + Sync + 'static) -> Proxy {
        let target = moto.to_string();
        let ops: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = ops.clone();
        let rule: Arc<Rule> = Arc::new(rule);
        let hook: Arc<Hook> = Arc::new(hook);
        let server = HttpServer::start(move |req| {
            let op = operation(req);
            let nth = {
                let mut l = log.lock().unwrap();
                let n = l.iter().filter(|o| **o == op).count();
                l.push(op.clone());
                n
            };
            match rule(&op, nth) {
                Fault::Pass => {
                    let r = forward(&target, req);
                    hook(&op);
                    Some(r)
                }
                Fault::AfterWith(status) => {
                    forward(&target, req);
                    hook(&op);
                    error(status)
                }
                Fault::AfterDelay(d) => {
                    let r = forward(&target, req);
                    hook(&op);
                    std::thread::sleep(d);
                    Some(r)
                }
                Fault::Instead(status) => error(status),
                Fault::Hang => None,
            }
        });
        Proxy { server, ops }
    }

    pub fn url(&self) -> &str {
        &self.server.url
    }

    pub fn ops(&self) -> Vec<String> {
        self.ops.lock().unwrap().clone()
    }
}

/// The operation: the Support target, or an SNS/STS form's `Action`.
fn operation(req: &Request) -> String {
    if let Some((_, t)) = req.headers.iter().find(|(k, _)| k == "x-amz-target") {
        return t.rsplit('.').next().unwrap_or(t).to_string();
    }
    let form = String::from_utf8_lossy(&req.body);
    form.split('&').find_map(|kv| kv.strip_prefix("Action=")).unwrap_or("unknown").to_string()
}

fn error(status: u16) -> Reply {
    let body = serde_json::json!({ "__type": if status >= 500 { "InternalServerError" } else { "ThrottlingException" }, "message": format!("injected by the test proxy (HTTP {status})") });
    Some((status, "application/x-amz-json-1.1", serde_json::to_vec(&body).unwrap()))
}

fn forward(target: &str, req: &Request) -> (u16, &'static str, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut call = agent.post(format!("{target}{}", req.path));
    for (k, v) in &req.headers {
        if !matches!(k.as_str(), "host" | "content-length" | "connection" | "transfer-encoding" | "expect") {
            call = call.header(k, v);
        }
    }
    let resp = call.send(&req.body[..]).expect("moto answers");
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = resp.into_body().read_to_vec().unwrap();
    let ct: &'static str = if ct.contains("xml") {
        "text/xml"
    } else if ct.contains("amz-json") {
        "application/x-amz-json-1.1"
    } else {
        "application/json"
    };
    (status, ct, body)
}
