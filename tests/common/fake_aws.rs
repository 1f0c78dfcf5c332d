//! A fake AWS HTTP endpoint for the real SDK clients: it answers with the real payloads
//! of `../shared/fixtures/aws/` (Health as CBOR, the wire format of the Rust Health
//! client), can add latency per call, fail, throttle or never answer. The SDK's own
//! serialisation, signing, retries, timeouts and pagination all run for real.
#![allow(dead_code)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorFuture, SharedHttpConnector, http_client_fn};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_types::body::SdkBody;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Call {
    pub host: String,
    pub op: String,
    /// The signing region (from the Authorization header's credential scope).
    pub region: String,
    pub query: String,
    pub body: Vec<u8>,
    /// How many earlier calls of the same operation to the same host.
    pub nth: usize,
}

/// What to answer: `None` never answers (a hung endpoint).
pub type Answer = Option<(u16, &'static str, Vec<u8>)>;
type Handler = dyn Fn(&Call) -> Answer + Send + Sync;

#[derive(Clone)]
pub struct FakeAws {
    pub latency: Duration,
    pub log: Arc<Mutex<Vec<Call>>>,
    handler: Arc<Handler>,
}

impl std::fmt::Debug for FakeAws {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("FakeAws")
    }
}

impl FakeAws {
    pub fn new(latency: Duration, handler: impl Fn(&Call) -> Answer + Send + Sync + 'static) -> Self {
        FakeAws { latency, log: Arc::default(), handler: Arc::new(handler) }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.log.lock().unwrap().clone()
    }

    pub fn ops(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.op).collect()
    }

    /// An SDK configuration whose every client talks to this fake at `http://HOST`.
    pub fn config(&self, host: &str, attempts: u32, timeout: Duration) -> SdkConfig {
        let fake = self.clone();
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(aws_sdk_sts::config::Credentials::new("AKIDTEST", "secret", None, None, "test")))
            .http_client(http_client_fn(move |_, _| SharedHttpConnector::new(fake.clone())))
            .endpoint_url(format!("http://{host}"))
            .sleep_impl(aws_smithy_async::rt::sleep::SharedAsyncSleep::new(aws_smithy_async::rt::sleep::TokioSleep::new()))
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(100)))
            .timeout_config(aws_config::timeout::TimeoutConfig::builder().operation_attempt_timeout(timeout).build())
            .build()
    }
}

fn operation(req: &HttpRequest, body: &[u8]) -> String {
    let path = req.uri().split("://").nth(1).and_then(|r| r.split_once('/')).map(|(_, p)| format!("/{p}")).unwrap_or_default();
    let path = path.split('?').next().unwrap_or("").to_string();
    if let Some(t) = req.headers().get("x-amz-target") {
        return t.rsplit('.').next().unwrap_or(t).to_string();
    }
    if let Some(op) = path.strip_prefix("/service/AWSHealth_20160804/operation/") {
        return op.to_string();
    }
    if path == "/v1/recommendations" {
        return "ListRecommendations".into();
    }
    if path.starts_with("/v1/recommendations/") && path.ends_with("/resources") {
        return "ListRecommendationResources".into();
    }
    let form = String::from_utf8_lossy(body);
    form.split('&').find_map(|kv| kv.strip_prefix("Action=")).unwrap_or("unknown").to_string()
}

impl HttpConnector for FakeAws {
    fn call(&self, req: HttpRequest) -> HttpConnectorFuture {
        let body = req.body().bytes().unwrap_or_default().to_vec();
        let uri = req.uri().to_string();
        let host = uri.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or("").to_string();
        let query = uri.split_once('?').map(|(_, q)| q.to_string()).unwrap_or_default();
        let region = req.headers().get("authorization").and_then(|a| a.split("Credential=").nth(1)).and_then(|c| c.split('/').nth(2)).unwrap_or("").to_string();
        let op = operation(&req, &body);
        let answer = {
            let mut log = self.log.lock().unwrap();
            let nth = log.iter().filter(|c| c.op == op && c.host == host).count();
            let call = Call { host, op, region, query, body, nth };
            log.push(call.clone());
            (self.handler)(&call)
        };
        let latency = self.latency;
        HttpConnectorFuture::new(async move {
            tokio::time::sleep(latency).await;
            let Some((status, content_type, bytes)) = answer else {
                return std::future::pending().await;
            };
            let mut resp = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(bytes));
            resp.headers_mut().insert("content-type", content_type);
            if content_type == CBOR {
                resp.headers_mut().insert("smithy-protocol", "rpc-v2-cbor");
            }
            resp.headers_mut().insert("x-amzn-requestid", "test-request");
            Ok(resp)
        })
    }
}

pub const CBOR: &str = "application/cbor";
pub const JSON: &str = "application/json";
pub const AMZ_JSON: &str = "application/x-amz-json-1.1";
pub const XML: &str = "text/xml";

/// A fixture of `../shared/fixtures/aws/`.
pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/aws").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

pub fn json(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// Keys whose numbers are timestamps (epoch seconds) in Health's JSON examples.
const TIMESTAMPS: [&str; 3] = ["startTime", "endTime", "lastUpdatedTime"];

/// JSON as CBOR the way the Health service sends it: timestamps as tag 1.
pub fn cbor(v: &Value) -> Vec<u8> {
    let mut enc = aws_smithy_cbor::Encoder::new(Vec::new());
    encode(&mut enc, v, false);
    enc.into_writer()
}

fn encode(enc: &mut aws_smithy_cbor::Encoder, v: &Value, timestamp: bool) {
    match v {
        Value::Null => {
            enc.null();
        }
        Value::Bool(b) => {
            enc.boolean(*b);
        }
        Value::Number(n) if timestamp => {
            enc.timestamp(&aws_smithy_types::DateTime::from_secs_f64(n.as_f64().unwrap()));
        }
        Value::Number(n) => match n.as_i64() {
            Some(i) => {
                enc.long(i);
            }
            None => {
                enc.double(n.as_f64().unwrap());
            }
        },
        Value::String(s) => {
            enc.str(s);
        }
        Value::Array(items) => {
            enc.array(items.len());
            for i in items {
                encode(enc, i, false);
            }
        }
        Value::Object(map) => {
            enc.map(map.len());
            for (k, v) in map {
                enc.str(k);
                encode(enc, v, TIMESTAMPS.contains(&k.as_str()));
            }
        }
    }
}

/// A Health (RPC v2 CBOR) error.
pub fn cbor_error(code: &str, status: u16) -> Answer {
    Some((status, CBOR, cbor(&serde_json::json!({ "__type": code, "message": format!("{code} (fake)") }))))
}

/// A Support (awsJson 1.1) error.
pub fn json_error(code: &str, status: u16) -> Answer {
    Some((status, AMZ_JSON, json(&serde_json::json!({ "__type": code, "message": format!("{code} (fake)") }))))
}

/// A TrustedAdvisor (restJson1) error.
pub fn rest_error(code: &str, status: u16) -> Answer {
    Some((status, JSON, json(&serde_json::json!({ "__type": code, "message": format!("{code} (fake)") }))))
}

/// STS GetCallerIdentity (awsQuery XML) for `account`.
pub fn caller_identity(account: &str) -> Answer {
    let xml = format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/test</Arn><UserId>AIDTEST</UserId><Account>{account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
    Some((200, XML, xml.into_bytes()))
}

/// Severity levels of a Business plan (Support API, awsJson 1.1).
pub fn severity_levels(codes: &[&str]) -> Answer {
    let levels: Vec<Value> = codes.iter().map(|c| serde_json::json!({ "code": c, "name": c })).collect();
    Some((200, AMZ_JSON, json(&serde_json::json!({ "severityLevels": levels }))))
}
