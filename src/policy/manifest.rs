//! A policy's manifest: read from the module's `runready.policy.v1` custom section by a
//! section scan, before anything is compiled or run.

use crate::model::{Level, PolicyLimits};
use serde::{Deserialize, Serialize};

pub const SECTION: &str = "runready.policy.v1";

/// Which call contract the module implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Abi {
    Component,
    CoreV1,
    /// A directory of Rego files (policy-abi.md, "Rego policies (v1.1)").
    Rego,
}

/// A rule a policy declares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleDecl {
    pub id: String,
    pub title: String,
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// The policy's metadata (policy-abi.md, "Metadata").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// `[a-z0-9-]`; rule ids are reported as NAME/RULE.
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub abi: Abi,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_tool_version: Option<String>,
    pub rules: Vec<RuleDecl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_schema: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<PolicyLimits>,
    /// The shared parts of the request the policy reads (policy-abi.md, v1.1); absent:
    /// all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<Input>>,
    /// Rego only: the package holding `deny`/`violation`/`warn` (default `runready`, then
    /// conftest's `main`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A shared part of the policy request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Model,
    Derived,
    Facts,
}

impl Manifest {
    /// Whether the policy reads `input` (every part, without `inputs`).
    pub fn wants(&self, input: Input) -> bool {
        self.inputs.as_ref().is_none_or(|i| i.contains(&input))
    }
}

/// What a section scan finds in a `.wasm` file.
#[derive(Debug)]
pub struct Scan {
    pub manifest: Option<Result<Manifest, String>>,
    pub component: bool,
    /// A core module carrying wit-bindgen's `component-type` sections: a component to be
    /// made by the host (wasm32-unknown-unknown + wit-bindgen).
    pub wit_bindgen: bool,
    /// Imports: `module.name` for core modules, interface names for components.
    pub imports: Vec<String>,
}

/// Scans the module's sections. A file that is not a WebAssembly binary (a precompiled
/// native blob, say) is refused here, before anything could load it.
pub fn scan(bytes: &[u8]) -> Result<Scan, String> {
    if !bytes.starts_with(b"\0asm") {
        let what = if bytes.starts_with(b"\x7fELF") { "a precompiled native object, not a WebAssembly module" } else { "not a WebAssembly module" };
        return Err(format!("the file is {what}"));
    }
    let mut manifest = None;
    let mut imports = Vec::new();
    let mut component = false;
    let mut wit_bindgen = false;
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| format!("malformed module: {e}"))?;
        match payload {
            wasmparser::Payload::Version { encoding, .. } if depth == 0 => {
                component = encoding == wasmparser::Encoding::Component;
                depth += 1;
            }
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ImportSection(reader) if depth == 1 && !component => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| format!("malformed import: {e}"))?;
                    imports.push(format!("{}.{}", import.module, import.name));
                }
            }
            wasmparser::Payload::ComponentImportSection(reader) if depth == 1 && component => {
                for import in reader {
                    let import = import.map_err(|e| format!("malformed import: {e}"))?;
                    imports.push(import.name.name.to_string());
                }
            }
            wasmparser::Payload::CustomSection(c) if depth == 1 && !component && c.name().starts_with("component-type") => wit_bindgen = true,
            wasmparser::Payload::CustomSection(c) if c.name() == SECTION && manifest.is_none() => {
                manifest = Some(std::str::from_utf8(c.data()).map_err(|e| e.to_string()).and_then(|t| serde_json::from_str::<Manifest>(t).map_err(|e| e.to_string())));
            }
            _ => {}
        }
    }
    Ok(Scan { manifest, component, wit_bindgen, imports })
}
