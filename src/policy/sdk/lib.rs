//! The runready policy SDK: write a function from a [`Request`] to [`Finding`]s and let
//! [`export_policy!`] provide the exports of the core-module ABI v1 (policy-abi.md, "Call
//! contract B"), or, with the `component` feature, [`component_policy!`] implement the
//! component world `runready:policy@1.0.0` ("Call contract A") without any WIT glue in the
//! policy's own code. The manifest is the policy's `policy.yaml`, written in JSON form (JSON
//! is YAML) so that the module can return it from `metadata()` byte for byte.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
pub use serde_json::{Value, json};

/// What `evaluate` receives. The parts are parsed when the policy asks for them, and into
/// the types it asks for: a policy pays only for what it reads.
#[derive(Debug, Deserialize)]
pub struct Request {
    pub api_version: String,
    pub context: Context,
    model: Box<RawValue>,
    #[serde(default)]
    derived: Option<Box<RawValue>>,
    #[serde(default)]
    facts: Option<Box<RawValue>>,
    #[serde(default)]
    settings: Option<Box<RawValue>>,
}

fn parse<T: DeserializeOwned>(raw: Option<&RawValue>, what: &str) -> Result<T, PolicyError> {
    serde_json::from_str(raw.map_or("null", RawValue::get)).map_err(|e| PolicyError::InvalidInput(format!("{what}: {e}")))
}

impl Request {
    /// The merged support model, as runready serialises it.
    pub fn model(&self) -> Result<Value, PolicyError> {
        self.model_as()
    }
    /// The model into your own types: fields you do not declare are skipped, not built.
    pub fn model_as<T: DeserializeOwned>(&self) -> Result<T, PolicyError> {
        parse(Some(&self.model), "model")
    }
    /// Per service and severity: gaps, worst time to engage and its instant.
    pub fn derived(&self) -> Result<Value, PolicyError> {
        parse(self.derived.as_deref(), "derived")
    }
    /// The facts snapshot, when one was given.
    pub fn facts(&self) -> Result<Option<Value>, PolicyError> {
        parse(self.facts.as_deref(), "facts")
    }
    /// The policy's settings, validated against its schema.
    pub fn settings(&self) -> Result<Value, PolicyError> {
        parse(self.settings.as_deref(), "settings")
    }
}

#[derive(Debug, Deserialize)]
pub struct Context {
    /// The `--at` instant: the only clock a policy has.
    pub now: String,
    pub tool_version: String,
    pub policy: String,
}

/// One finding: a declared rule, a message, and a JSON pointer into the request that
/// runready maps back to the user's YAML line.
#[derive(Debug, Serialize, Clone, PartialEq)]
pub struct Finding {
    pub rule_id: String,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

#[derive(Debug, Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Finding {
    pub fn new(rule_id: &str, level: Level, message: impl Into<String>) -> Self {
        Finding { rule_id: rule_id.into(), level, message: message.into(), pointer: None, subject: None, remediation: None }
    }
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    pub fn fix(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }
}

/// Why a policy could not evaluate (policy-abi.md: `invalid-input`, `invalid-settings`,
/// `internal`).
#[derive(Debug)]
pub enum PolicyError {
    InvalidInput(String),
    InvalidSettings(String),
    Internal(String),
}

/// An RFC 6901 pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[doc(hidden)]
pub fn alloc(len: i32) -> i32 {
    let mut buf: Vec<u8> = Vec::with_capacity(len.max(1) as usize);
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr as i32
}

#[doc(hidden)]
/// # Safety
/// `ptr`/`len` must come from [`alloc`] or a packed result of this module.
pub unsafe fn free(ptr: i32, len: i32) {
    if ptr != 0 {
        drop(unsafe { Vec::from_raw_parts(ptr as *mut u8, 0, len.max(1) as usize) });
    }
}

#[doc(hidden)]
/// Hands `bytes` to the host as `(ptr << 32) | len`.
pub fn leak(bytes: Vec<u8>) -> i64 {
    let bytes = bytes.into_boxed_slice();
    let len = bytes.len() as i64;
    let ptr = Box::into_raw(bytes) as *mut u8 as i64;
    (ptr << 32) | len
}

fn input(ptr: i32, len: i32) -> &'static [u8] {
    // SAFETY: the host wrote `len` bytes at `ptr`, a buffer it got from `alloc`.
    unsafe { std::slice::from_raw_parts(ptr as *const u8, len.max(0) as usize) }
}

fn error(kind: &str, message: &str) -> i64 {
    leak(json!({ "error": { "kind": kind, "message": message } }).to_string().into_bytes())
}

#[doc(hidden)]
pub fn validate_settings(ptr: i32, len: i32, check: fn(&Value) -> Result<(), String>) -> i64 {
    match serde_json::from_slice::<Value>(input(ptr, len)) {
        Ok(settings) => match check(&settings) {
            Ok(()) => leak(b"{}".to_vec()),
            Err(e) => error("invalid-settings", &e),
        },
        Err(e) => error("invalid-settings", &e.to_string()),
    }
}

#[doc(hidden)]
pub fn evaluate(ptr: i32, len: i32, policy: fn(&Request) -> Result<Vec<Finding>, PolicyError>) -> i64 {
    match run(input(ptr, len), policy) {
        Ok(result) => leak(result.into_bytes()),
        Err(PolicyError::InvalidInput(m)) => error("invalid-input", &m),
        Err(PolicyError::InvalidSettings(m)) => error("invalid-settings", &m),
        Err(PolicyError::Internal(m)) => error("internal", &m),
    }
}

/// Settings that need no check beyond the manifest's schema.
pub fn any_settings(_: &Value) -> Result<(), String> {
    Ok(())
}

/// Exports the core ABI v1 for a policy:
/// `export_policy!(include_str!("../policy.yaml"), evaluate, check_settings);`
#[macro_export]
macro_rules! export_policy {
    ($manifest:expr, $evaluate:path) => {
        $crate::export_policy!($manifest, $evaluate, $crate::any_settings);
    };
    ($manifest:expr, $evaluate:path, $settings:path) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn runready_abi_version() -> i32 {
            1
        }
        #[unsafe(no_mangle)]
        pub extern "C" fn runready_alloc(len: i32) -> i32 {
            $crate::alloc(len)
        }
        #[unsafe(no_mangle)]
        pub extern "C" fn runready_free(ptr: i32, len: i32) {
            // SAFETY: the host frees only buffers this module handed out.
            unsafe { $crate::free(ptr, len) }
        }
        #[unsafe(no_mangle)]
        pub extern "C" fn runready_metadata() -> i64 {
            $crate::leak($manifest.trim().as_bytes().to_vec())
        }
        #[unsafe(no_mangle)]
        pub extern "C" fn runready_validate_settings(ptr: i32, len: i32) -> i64 {
            $crate::validate_settings(ptr, len, $settings)
        }
        #[unsafe(no_mangle)]
        pub extern "C" fn runready_evaluate(ptr: i32, len: i32) -> i64 {
            $crate::evaluate(ptr, len, $evaluate)
        }
    };
}

/// Parses the request and runs the policy: the shared core of both contracts.
fn run(request: &[u8], policy: fn(&Request) -> Result<Vec<Finding>, PolicyError>) -> Result<String, PolicyError> {
    let request: Request = serde_json::from_slice(request).map_err(|e| PolicyError::InvalidInput(e.to_string()))?;
    let findings = policy(&request)?;
    Ok(json!({ "findings": findings }).to_string())
}

#[cfg(feature = "component")]
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "policy",
        // Relative to policies/sdk/Cargo.toml; a scaffold's copy reads `wit` beside it.
        path: "../../src/policy/sdk/wit",
        pub_export_macro: true,
        export_macro_name: "export_component_bindings",
        default_bindings_module: "runready_policy::bindings",
    });
}

#[cfg(feature = "component")]
fn to_wit(e: PolicyError) -> bindings::PolicyError {
    match e {
        PolicyError::InvalidInput(m) => bindings::PolicyError::InvalidInput(m),
        PolicyError::InvalidSettings(m) => bindings::PolicyError::InvalidSettings(m),
        PolicyError::Internal(m) => bindings::PolicyError::Internal(m),
    }
}

#[cfg(feature = "component")]
#[doc(hidden)]
pub fn component_evaluate(request: &str, policy: fn(&Request) -> Result<Vec<Finding>, PolicyError>) -> Result<String, bindings::PolicyError> {
    run(request.as_bytes(), policy).map_err(to_wit)
}

#[cfg(feature = "component")]
#[doc(hidden)]
pub fn component_validate(settings: &str, check: fn(&Value) -> Result<(), String>) -> Result<(), bindings::PolicyError> {
    let value: Value = serde_json::from_str(settings).map_err(|e| bindings::PolicyError::InvalidSettings(e.to_string()))?;
    check(&value).map_err(bindings::PolicyError::InvalidSettings)
}

/// Implements the component world for a policy:
/// `component_policy!(include_str!("../policy.yaml"), evaluate);`
#[cfg(feature = "component")]
#[macro_export]
macro_rules! component_policy {
    ($manifest:expr, $evaluate:path) => {
        $crate::component_policy!($manifest, $evaluate, $crate::any_settings);
    };
    ($manifest:expr, $evaluate:path, $settings:path) => {
        struct RunreadyPolicy;
        impl $crate::bindings::Guest for RunreadyPolicy {
            fn metadata() -> String {
                $manifest.trim().to_string()
            }
            fn validate_settings(settings_json: String) -> Result<(), $crate::bindings::PolicyError> {
                $crate::component_validate(&settings_json, $settings)
            }
            fn evaluate(request_json: String) -> Result<String, $crate::bindings::PolicyError> {
                $crate::component_evaluate(&request_json, $evaluate)
            }
        }
        $crate::bindings::export_component_bindings!(RunreadyPolicy with_types_in $crate::bindings);
    };
}
