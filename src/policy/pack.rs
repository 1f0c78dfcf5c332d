//! `runready policy pack` and `policy inspect`: the manifest (`policy.yaml`) embedded as the
//! `runready.policy.v1` custom section, and read back without running anything.

use super::manifest::{self, Manifest, SECTION};
use sha2::Digest;

/// Reads and checks a `policy.yaml`: the manifest every module of the policy carries.
pub fn read_manifest(path: &std::path::Path) -> Result<Manifest, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let node = crate::load::yaml::parse(&text).map_err(|e| format!("{}: invalid YAML: {}", path.display(), e.message))?;
    let m: Manifest = serde_json::from_value(node.to_json()).map_err(|e| format!("{}: not a policy manifest: {e}", path.display()))?;
    check(&m).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(m)
}

fn check(m: &Manifest) -> Result<(), String> {
    if m.name.is_empty() || !m.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(format!("name `{}` must match [a-z0-9-]+", m.name));
    }
    let mut ids: Vec<&str> = m.rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("rule `{}` is declared twice", w[0]));
    }
    if m.rules.is_empty() {
        return Err("a policy declares at least one rule".into());
    }
    if let Some(schema) = &m.settings_schema {
        jsonschema::validator_for(schema).map_err(|e| format!("settings_schema is not a valid JSON Schema: {e}"))?;
    }
    Ok(())
}

fn leb128(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The module with the manifest appended as its custom section. A module that already
/// carries one is refused: pack the unpacked build output.
pub fn pack(module: &[u8], m: &Manifest) -> Result<Vec<u8>, String> {
    let scan = manifest::scan(module)?;
    if scan.manifest.is_some() {
        return Err(format!("the module already has a `{SECTION}` section; pack the build output instead"));
    }
    let json = serde_json::to_string(m).map_err(|e| e.to_string())?;
    let mut body = Vec::new();
    leb128(SECTION.len(), &mut body);
    body.extend_from_slice(SECTION.as_bytes());
    body.extend_from_slice(json.as_bytes());
    let mut out = module.to_vec();
    out.push(0);
    leb128(body.len(), &mut out);
    out.extend(body);
    Ok(out)
}

/// What `policy inspect` prints.
pub fn inspect(module: &[u8]) -> Result<String, String> {
    let scan = manifest::scan(module)?;
    let sha: String = sha2::Sha256::digest(module).iter().map(|b| format!("{b:02x}")).collect();
    let m = match scan.manifest {
        None => return Err(format!("no `{SECTION}` section: not a packed runready policy")),
        Some(Err(e)) => return Err(format!("the embedded manifest is not valid: {e}")),
        Some(Ok(m)) => m,
    };
    let mut out = format!("{} {} ({})\n", m.name, m.version, serde_json::to_value(m.abi).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default());
    if let Some(d) = &m.description {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&format!(
        "sha256 {sha}\n{} bytes, {}\n",
        module.len(),
        if scan.component {
            "component"
        } else if scan.wit_bindgen {
            "core module with wit-bindgen output (made into a component by the host)"
        } else {
            "core module"
        }
    ));
    out.push_str(&format!("imports: {}\n", if scan.imports.is_empty() { "none".to_string() } else { scan.imports.join(", ") }));
    out.push_str(&manifest_tail(&m));
    Ok(out)
}

/// The end of what `policy inspect` prints, for WASM and Rego policies alike: the declared
/// rules, the limits, the settings schema.
pub fn manifest_tail(m: &Manifest) -> String {
    let mut out = String::from("rules:\n");
    for r in &m.rules {
        out.push_str(&format!("  {}/{}  {:<7}  {}\n", m.name, r.id, r.level.as_str(), r.title));
    }
    if let Some(l) = &m.limits {
        out.push_str(&format!("limits: {}\n", serde_json::to_string(l).unwrap_or_default()));
    }
    if let Some(s) = &m.settings_schema {
        out.push_str(&format!("settings schema: {s}\n"));
    }
    out
}
