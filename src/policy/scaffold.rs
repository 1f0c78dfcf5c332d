//! `runready policy new NAME [--lang rego]`: a Rust policy that builds and passes its own
//! test as generated (the SDK is copied in, `sdk/`, so it builds with crates.io alone), or a
//! Rego policy whose `_test.rego` and `*.tests.yaml` pass as generated.

use std::path::{Path, PathBuf};

/// The SDK's manifest as a scaffold gets it: policies/sdk/Cargo.toml without its `[lib]`
/// section, which points at src/policy/sdk/ (tests/install.rs checks they agree).
pub const SDK_CARGO: &str = r#"[package]
name = "runready-policy"
description = "Write runready policies as a function from a typed request to findings"
edition.workspace = true
version.workspace = true
license.workspace = true

[dependencies]
# The request and result are JSON (policy-abi.md, "Data contract").
serde = { version = "1", features = ["derive"] }
# Parses the request and writes the result.
serde_json = { version = "1", features = ["raw_value"] }
# Guest bindings for the component contract (world runready:policy@1.0.0), with `component`.
wit-bindgen = { version = "0.61", optional = true, default-features = false, features = ["macros", "realloc"] }

[features]
# Build the policy as a component (wasm32-wasip2) instead of a core ABI v1 module.
component = ["dep:wit-bindgen"]
"#;
const SDK_LIB: &str = include_str!("sdk/lib.rs");
const SDK_WIT: &str = include_str!("sdk/wit/policy.wit");

/// The SDK's source for a scaffold: its `wit` directory sits beside its Cargo.toml there.
fn sdk_lib() -> String {
    SDK_LIB.replace("// Relative to policies/sdk/Cargo.toml; a scaffold's copy reads `wit` beside it.\n        path: \"../../src/policy/sdk/wit\",", "path: \"wit\",")
}

fn files(name: &str) -> Vec<(String, String)> {
    let lib = name.replace('-', "_");
    let workspace = format!(
        "# Build:  cargo build --release --target wasm32-unknown-unknown\n# Pack:   runready policy pack target/wasm32-unknown-unknown/release/{lib}.wasm --manifest policy.yaml -o dist/{name}.wasm\n# Test:   runready policy test .\n[workspace]\nmembers = [\"sdk\", \"policy\"]\nresolver = \"3\"\n\n[workspace.package]\nedition = \"2024\"\nversion = \"0.1.0\"\nlicense = \"Apache-2.0\"\n\n[profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\npanic = \"abort\"\nstrip = true\n"
    );
    let policy_cargo = format!(
        "[package]\nname = \"{name}\"\ndescription = \"A runready policy\"\nedition.workspace = true\nversion.workspace = true\nlicense.workspace = true\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\n# The policy SDK (a copy made by `runready policy new`).\nrunready-policy = {{ path = \"../sdk\" }}\n"
    );
    let manifest = format!(
        "{{\"name\": \"{name}\", \"version\": \"0.1.0\", \"description\": \"Describe what this policy checks\", \"abi\": \"core-v1\", \"rules\": [{{\"id\": \"EX-001\", \"title\": \"Every service names its owner\", \"level\": \"error\", \"help\": \"Add `owner:` to the service\"}}]}}\n"
    );
    let lib_rs = r#"//! EX-001: every service names its owner. Replace with your team's rules; each finding
//! points into the request with a JSON pointer, which runready maps to the YAML line.

use runready_policy::{Finding, Level, PolicyError, Request, export_policy};

export_policy!(include_str!("../../policy.yaml"), evaluate);

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    let model = req.model()?;
    let services = model["services"].as_array().ok_or_else(|| PolicyError::InvalidInput("model.services is not a list".into()))?;
    Ok(services
        .iter()
        .enumerate()
        .filter(|(_, s)| s["owner"].as_str().is_none_or(|o| o.trim().is_empty()))
        .map(|(i, s)| {
            let id = s["id"].as_str().unwrap_or("?");
            Finding::new("EX-001", Level::Error, format!("service `{id}` has no owner"))
                .at(format!("/model/services/{i}"))
                .subject(format!("service:{id}"))
                .fix("add `owner: team-name` to the service")
        })
        .collect())
}
"#
    .to_string();
    let model =
        |owner: &str| format!("apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: {{ name: {name}-fixture }}\nservices:\n  - {{ id: api{owner} }}\n  - {{ id: web, owner: team-web }}\n");
    let tests = format!(
        "policy: dist/{name}.wasm\ncases:\n  - name: a service without an owner is reported\n    model: fixtures/no-owner.yaml\n    at: 2026-01-01T00:00:00Z\n    expect:\n      findings: [{{ rule_id: EX-001, pointer: /model/services/0, subject: \"service:api\" }}]\n      only: true\n  - name: owners everywhere pass\n    model: fixtures/owners.yaml\n    at: 2026-01-01T00:00:00Z\n    expect: {{ findings: [] }}\n"
    );
    let readme = format!(
        "# {name}\n\nA runready policy (core ABI v1) written with the Rust SDK copied into `sdk/`.\n\n```sh\nrustup target add wasm32-unknown-unknown\ncargo build --release --target wasm32-unknown-unknown\nrunready policy pack target/wasm32-unknown-unknown/release/{lib}.wasm --manifest policy.yaml -o dist/{name}.wasm\nrunready policy test .\n```\n\n`policy.yaml` is the manifest (JSON is YAML: the module returns it from `metadata()` as written).\nUse the packed `dist/{name}.wasm` from a model's `policies:` or with `runready check --policy`.\n"
    );
    vec![
        ("Cargo.toml".into(), workspace),
        ("sdk/Cargo.toml".into(), SDK_CARGO.to_string()),
        ("sdk/src/lib.rs".into(), sdk_lib()),
        ("sdk/wit/policy.wit".into(), SDK_WIT.to_string()),
        ("policy/Cargo.toml".into(), policy_cargo),
        ("policy/src/lib.rs".into(), lib_rs),
        ("policy.yaml".into(), manifest),
        ("fixtures/no-owner.yaml".into(), model("")),
        ("fixtures/owners.yaml".into(), model(", owner: team-api")),
        (format!("{name}.tests.yaml"), tests),
        ("README.md".into(), readme),
        (".gitignore".into(), "/target\n/dist\n".into()),
    ]
}

/// A Rego policy: manifest, one rule, its `_test.rego`, a tests file with two fixtures.
fn rego_files(name: &str) -> Vec<(String, String)> {
    let manifest = format!(
        "# The manifest: rule ids are reported as {name}/ID; findings must use a declared id.\nname: {name}\nversion: 0.1.0\ndescription: Describe what this policy checks\nabi: rego\ninputs: [model]\nrules:\n  - id: EX-001\n    title: Every service names its owner\n    level: error\n    help: Add `owner:` to the service\n"
    );
    let rego = r#"# EX-001: every service names its owner. Replace with your team's rules. `input` is the
# request of policy-abi.md (input.model, input.derived, input.facts, input.settings,
# input.context.now); each finding points into it with a JSON pointer, which runready maps
# to the YAML line.
package runready

deny contains finding if {
	some i, svc in input.model.services
	trim_space(object.get(svc, "owner", "")) == ""
	finding := {
		"rule_id": "EX-001",
		"message": sprintf("service `%s` has no owner", [svc.id]),
		"pointer": sprintf("/model/services/%d", [i]),
		"subject": sprintf("service:%s", [svc.id]),
		"remediation": "add `owner: team-name` to the service",
	}
}
"#
    .to_string();
    let test = r#"package runready_test

import data.runready

test_a_service_without_an_owner_is_denied if {
	some f in runready.deny with input as {"model": {"services": [{"id": "api"}]}}
	f.pointer == "/model/services/0"
}

test_owners_everywhere_pass if {
	count(runready.deny) == 0 with input as {"model": {"services": [{"id": "web", "owner": "team-web"}]}}
}
"#
    .to_string();
    let model =
        |owner: &str| format!("apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: {{ name: {name}-fixture }}\nservices:\n  - {{ id: api{owner} }}\n  - {{ id: web, owner: team-web }}\n");
    let tests = format!(
        "policy: .\ncases:\n  - name: a service without an owner is reported\n    model: fixtures/no-owner.yaml\n    at: 2026-01-01T00:00:00Z\n    expect:\n      findings: [{{ rule_id: EX-001, pointer: /model/services/0, subject: \"service:api\" }}]\n      only: true\n  - name: owners everywhere pass\n    model: fixtures/owners.yaml\n    at: 2026-01-01T00:00:00Z\n    expect: {{ findings: [] }}\n"
    );
    let readme = format!(
        "# {name}\n\nA runready policy in Rego (v1), evaluated by runready itself: nothing to build.\n\n```sh\nrunready policy test .            # the *.tests.yaml cases and the test_* rules of policy_test.rego\nrunready policy inspect .         # manifest, rules, and the sha256 pin for the model's `policies`\nrunready check MODEL --policy .   # or list it in the model: policies: [{{ path: ... }}]\n```\n\nFindings come from the sets `deny`, `violation` (errors) and `warn` (warnings) of package\n`runready`, also with a suffix (`deny_owner`). An element is a message string (it takes the\nfirst declared rule of its level) or an object {{rule_id, message, pointer, subject,\nremediation, properties}}. Built-ins that read the clock, the network, randomness or the\nenvironment are refused; time comes from `input.context.now`.\n"
    );
    vec![
        ("policy.yaml".into(), manifest),
        ("policy.rego".into(), rego),
        ("policy_test.rego".into(), test),
        ("fixtures/no-owner.yaml".into(), model("")),
        ("fixtures/owners.yaml".into(), model(", owner: team-api")),
        (format!("{name}.tests.yaml"), tests),
        ("README.md".into(), readme),
    ]
}

/// Writes the scaffold into `dir/NAME`; refuses to overwrite.
pub fn create(dir: &Path, name: &str, lang: crate::cli::Lang) -> Result<PathBuf, String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') || name.starts_with('-') {
        return Err(format!("`{name}` is not a policy name: use [a-z0-9-]"));
    }
    let root = dir.join(name);
    if root.exists() {
        return Err(format!("{} exists", root.display()));
    }
    let files = match lang {
        crate::cli::Lang::Rust => files(name),
        crate::cli::Lang::Rego => rego_files(name),
    };
    for (rel, text) in files {
        crate::atomic::write_atomic(&root.join(rel), &text).map_err(|e| e.to_string())?;
    }
    Ok(root)
}
