//! `runready schema`: the JSON Schemas (draft-07) generated from the types, so editors
//! validate and complete model files and policy manifests, and consumers can validate
//! reports and policy requests and results.

use std::path::Path;

/// Every schema this version writes: file name and content.
pub fn schemas() -> Vec<(&'static str, String)> {
    let settings = schemars::generate::SchemaSettings::draft07();
    let model = settings.clone().into_generator().into_root_schema_for::<crate::model::Document>();
    let facts = settings.clone().into_generator().into_root_schema_for::<crate::facts::Facts>();
    let journal = settings.clone().into_generator().into_root_schema_for::<crate::drill::journal::Journal>();
    let report = settings.clone().into_generator().into_root_schema_for::<crate::report::Report>();
    let request = settings.clone().into_generator().into_root_schema_for::<crate::policy::Request<'static>>();
    let result = settings.clone().into_generator().into_root_schema_for::<crate::policy::PolicyResult>();
    let manifest = settings.into_generator().into_root_schema_for::<crate::policy::manifest::Manifest>();
    let pretty = |s: &schemars::Schema| serde_json::to_string_pretty(s).expect("schemas serialise") + "\n";
    vec![
        ("support-model.schema.json", pretty(&model)),
        ("facts.schema.json", pretty(&facts)),
        ("drill-journal.schema.json", pretty(&journal)),
        ("report.schema.json", pretty(&report)),
        ("policy-request.schema.json", pretty(&request)),
        ("policy-result.schema.json", pretty(&result)),
        ("policy-manifest.schema.json", pretty(&manifest)),
    ]
}

pub fn run(out: &Path) -> i32 {
    for (name, text) in schemas() {
        let path = out.join(name);
        if let Err(e) = crate::atomic::write_atomic(&path, &text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::exit::INVALID_INPUT;
        }
        outln!("wrote {}", path.display());
    }
    0
}
