//! Loading: files and directories → one merged [`Model`], or every problem found, each
//! with its file, line and column.

pub mod de;
mod error;
mod external;
mod paging;
mod sources;
mod validate;
pub mod yaml;
pub use paging::paging_snapshot;

pub use sources::{SourceFile, Sources, confine_to, dotted};

use crate::diag::{Diagnostic, Location};
use crate::model::*;
use crate::suggest::did_you_mean;
use de::{DeError, UnknownKeys, from_node};
use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use yaml::{Node, Value};

/// The result of loading: the merged model, the files, and the load errors. Any load
/// error means the model cannot be used (exit 2).
pub struct Loaded {
    pub model: Model,
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn is_usable(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Loads every file named by `paths` (directories: every `*.yaml`/`*.yml` below, hidden
/// folders skipped, sorted by path).
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loader = Loader::default();
    loader.sources.root = paths.first().and_then(|p| sources::root_of(p));
    let files = loader.discover(paths);
    // Reading and parsing are per file and independent: done on every core, then merged
    // in path order, so the result is the same as one after the other.
    for (path, read) in read_and_parse(files) {
        match read {
            Ok((text, parsed)) => loader.add_parsed(path, text, parsed),
            Err(e) => loader.unreadable(path, e),
        }
    }
    loader.finish()
}

type Parsed = Result<(String, Result<Node, yaml::SyntaxError>), crate::read::ReadError>;

/// Every file read and parsed, in the given order, on every core.
fn read_and_parse(files: Vec<PathBuf>) -> Vec<(PathBuf, Parsed)> {
    let parsed = crate::par::map(&files, |path| -> Parsed {
        let text = crate::read::text(path, crate::read::Kind::Model)?;
        let parsed = yaml::parse(&text);
        Ok((text, parsed))
    });
    files.into_iter().zip(parsed).collect()
}

/// Loads a model from in-memory text, as if read from `name` (tests, fuzzing, `init`).
pub fn load_str(name: &str, text: &str) -> Loaded {
    let mut loader = Loader::default();
    loader.add(PathBuf::from(name), text.to_string());
    loader.finish()
}

#[derive(Default)]
struct Loader {
    sources: Sources,
    model: Model,
    diagnostics: Vec<Diagnostic>,
    /// Ids of the list sections, for duplicate detection across files.
    seen: HashMap<(&'static str, String), Origin>,
}

impl Loader {
    fn discover(&mut self, paths: &[PathBuf]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for path in paths {
            if path.is_dir() {
                let mut found = Vec::new();
                walk(path, &mut found);
                found.sort();
                if found.is_empty() {
                    self.diagnostics.push(Diagnostic::new(crate::diag::Code::Io, format!("{} contains no *.yaml or *.yml files", path.display()), None));
                }
                out.extend(found);
            } else if path.exists() {
                out.push(path.clone());
            } else {
                self.diagnostics.push(Diagnostic::new(crate::diag::Code::Io, format!("cannot read {}: no such file or directory", path.display()), None));
            }
        }
        out
    }

    /// A file that could not be read: a load error (located when it is bad UTF-8), and
    /// the file named in the report's file list, though nothing of it could be used.
    fn unreadable(&mut self, path: PathBuf, e: crate::read::ReadError) {
        let display = display_path(&path);
        let loc = match e {
            crate::read::ReadError::NotUtf8 { line, column } => Some(Location { file: display.clone(), line, column, path: String::new() }),
            _ => None,
        };
        self.diagnostics.push(Diagnostic::new(crate::diag::Code::Io, format!("{display} {e}"), loc));
        self.sources.files.push(SourceFile { path, display, text: String::new(), root: None });
    }

    fn add(&mut self, path: PathBuf, text: String) {
        let parsed = yaml::parse(&text);
        self.add_parsed(path, text, parsed);
    }

    fn add_parsed(&mut self, path: PathBuf, text: String, parsed: Result<Node, yaml::SyntaxError>) {
        let display = display_path(&path);
        let file = self.sources.files.len();
        self.sources.files.push(SourceFile { path, display: display.clone(), text, root: None });
        match parsed {
            Ok(root) => {
                let root = std::rc::Rc::new(root);
                self.sources.files[file].root = Some(root.clone());
                self.merge_file(file, &root);
            }
            Err(e) => {
                let loc = e.pos.map(|p| Location { file: display, line: p.line, column: p.column, path: String::new() });
                self.diagnostics.push(Diagnostic::new(crate::diag::Code::Yaml, format!("invalid YAML: {}", e.message), loc));
            }
        }
    }

    fn loc(&self, file: FileId, node: &Node, path: &str) -> Location {
        Location { file: self.sources.files[file].display.clone(), line: node.pos.line, column: node.pos.column, path: path.to_string() }
    }

    fn merge_file(&mut self, file: FileId, root: &Node) {
        let Value::Map(entries) = &root.value else {
            let loc = self.loc(file, root, "");
            self.diagnostics.push(Diagnostic::new(crate::diag::Code::Header, "expected a mapping that starts with `apiVersion: runready.dev/v1` and `kind: SupportModel`", Some(loc)));
            return;
        };
        self.check_header(file, root);
        for (key, node) in entries {
            let o = Origin { file, pointer: format!("/{}", key.name.replace('~', "~0").replace('/', "~1")) };
            match Section::parse(&key.name) {
                Some(Section::ApiVersion | Section::Kind) => {}
                Some(Section::Metadata) => self.metadata(&o, node),
                Some(Section::Severities) => self.severities(&o, node),
                Some(Section::Contacts) => {
                    let items = self.list::<Contact>(Section::Contacts, &o, node, |c| Some(c.id.clone()));
                    self.model.contacts.extend(items);
                }
                Some(Section::Services) => {
                    let items = self.list::<Service>(Section::Services, &o, node, |s| Some(s.id.clone()));
                    self.model.services.extend(items);
                }
                Some(Section::Drills) => {
                    let items = self.list::<Drill>(Section::Drills, &o, node, |d| Some(d.id.clone()));
                    self.model.drills.extend(items);
                }
                Some(Section::Policies) => {
                    let items = self.list::<PolicyRef>(Section::Policies, &o, node, |_| None);
                    self.model.policies.extend(items);
                }
                Some(Section::Waivers) => {
                    let items = self.list::<Waiver>(Section::Waivers, &o, node, |_| None);
                    self.model.waivers.extend(items);
                }
                Some(map) => self.map_section(&o, node, map),
                None => {
                    let other = key.name.as_str();
                    let mut d = Diagnostic::new(crate::diag::Code::UnknownKey, format!("unknown section `{other}`"), Some(self.loc(file, &key_node(key), other)));
                    d.help = Some(match did_you_mean(other, Section::ALL.iter().map(|s| s.key())) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("expected one of {}", Section::ALL.map(Section::key).join(", ")),
                    });
                    self.diagnostics.push(d);
                }
            }
        }
    }

    fn check_header(&mut self, file: FileId, root: &Node) {
        for (key, expected) in [("apiVersion", API_VERSION), ("kind", KIND)] {
            match root.get(key) {
                Some(n) if n.as_str() == Some(expected) => {}
                Some(n) => {
                    let loc = self.loc(file, n, key);
                    self.diagnostics.push(Diagnostic::new(crate::diag::Code::Header, format!("`{key}` must be `{expected}`"), Some(loc)));
                }
                None => {
                    let loc = self.loc(file, root, "");
                    self.diagnostics.push(
                        Diagnostic::new(crate::diag::Code::Header, format!("missing `{key}: {expected}`"), Some(loc))
                            .with_help("every model file starts with `apiVersion: runready.dev/v1` and `kind: SupportModel`"),
                    );
                }
            }
        }
    }

    /// Deserialises one entry, recording its unknown keys and its first type error.
    fn entry<T: DeserializeOwned>(&mut self, origin: &Origin, node: &Node, path: &str) -> Option<T> {
        let unknown = UnknownKeys::default();
        let result = from_node::<T>(node, path, &unknown);
        for e in unknown.into_inner() {
            self.push_de_error(origin.file, crate::diag::Code::UnknownKey, e);
        }
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push_de_error(origin.file, crate::diag::Code::InvalidValue, e);
                None
            }
        }
    }

    fn push_de_error(&mut self, file: FileId, code: crate::diag::Code, e: DeError) {
        let pos = e.pos.unwrap_or_default();
        let loc = Location { file: self.sources.files[file].display.clone(), line: pos.line.max(1), column: pos.column.max(1), path: e.path.clone() };
        let message = if e.path.is_empty() || code == crate::diag::Code::UnknownKey { e.message.clone() } else { format!("{}: {}", e.path, e.message) };
        let mut d = Diagnostic::new(code, message, Some(loc));
        d.help = e.help;
        self.diagnostics.push(d);
    }

    fn metadata(&mut self, o: &Origin, node: &Node) {
        if let Some(first) = &self.model.metadata {
            let here = self.sources.locate(o);
            let there = self.sources.locate(&first.origin);
            self.diagnostics.push(Diagnostic::new(crate::diag::Code::DuplicateId, "`metadata` appears in more than one file", Some(here)).with_related(there, "first defined here"));
            return;
        }
        if let Some(value) = self.entry::<Metadata>(o, node, "metadata") {
            self.model.metadata = Some(Entry { value, origin: o.clone() });
        }
    }

    fn severities(&mut self, o: &Origin, node: &Node) {
        if let Some(first) = self.model.severities.first() {
            let here = self.sources.locate(o);
            let there = self.sources.locate(&Origin { file: first.origin.file, pointer: "/severities".into() });
            self.diagnostics
                .push(Diagnostic::new(crate::diag::Code::DuplicateId, "`severities` is an ordered list and must appear in one file only", Some(here)).with_related(there, "first defined here"));
            return;
        }
        let items = self.list::<Severity>(Section::Severities, o, node, |s| Some(s.id.clone()));
        self.model.severities.extend(items);
    }

    fn list<T: DeserializeOwned>(&mut self, section: Section, o: &Origin, node: &Node, id: impl Fn(&T) -> Option<String>) -> Vec<Entry<T>> {
        let section = section.key();
        let Value::Seq(items) = &node.value else {
            if node.value != Value::Null {
                let loc = self.loc(o.file, node, section);
                self.diagnostics.push(Diagnostic::new(crate::diag::Code::InvalidValue, format!("`{section}` must be a list, found {}", node.value.kind()), Some(loc)));
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let origin = o.at(i.to_string());
            let Some(value) = self.entry::<T>(&origin, item, &format!("{section}[{i}]")) else { continue };
            if let Some(id) = id(&value) {
                let id_origin = origin.at("id");
                if !self.check_id(section, &id, &id_origin) {
                    continue;
                }
            }
            out.push(Entry { value, origin });
        }
        out
    }

    /// Records an id; false (with a diagnostic naming both places) when it is taken.
    fn check_id(&mut self, section: &'static str, id: &str, origin: &Origin) -> bool {
        if let Some(problem) = validate::id_problem(section, id) {
            let loc = self.sources.locate(origin);
            self.diagnostics.push(Diagnostic::new(crate::diag::Code::InvalidValue, format!("{section}: id `{id}` {problem}"), Some(loc)));
        }
        if section == "calendars" && id == ALWAYS {
            let loc = self.sources.locate_key(origin);
            self.diagnostics.push(Diagnostic::new(crate::diag::Code::DuplicateId, "`always` is a built-in calendar and cannot be redefined", Some(loc)));
            return false;
        }
        match self.seen.get(&(section, id.to_string())) {
            Some(first) => {
                let first = first.clone();
                let here = self.sources.locate_key(origin);
                let there = self.sources.locate_key(&first);
                self.diagnostics.push(
                    Diagnostic::new(crate::diag::Code::DuplicateId, format!("{section}: `{id}` is defined twice"), Some(here))
                        .with_related(there, "first defined here")
                        .with_help("ids must be unique across all files of the model"),
                );
                false
            }
            None => {
                self.seen.insert((section, id.to_string()), origin.clone());
                true
            }
        }
    }

    /// A section that maps ids to entries.
    fn map_section(&mut self, o: &Origin, node: &Node, which: Section) {
        let what = which.entry();
        let Value::Map(entries) = &node.value else {
            if node.value != Value::Null {
                let loc = self.loc(o.file, node, &o.pointer[1..]);
                self.diagnostics.push(Diagnostic::new(crate::diag::Code::InvalidValue, format!("`{}` must be a mapping of id to {what}, found {}", &o.pointer[1..], node.value.kind()), Some(loc)));
            }
            return;
        };
        let section: &'static str = which.key();
        for (key, value_node) in entries {
            let origin = o.at(key.name.replace('~', "~0").replace('/', "~1"));
            let path = format!("{section}.{}", key.name);
            if !self.check_id(section, &key.name, &origin) {
                continue;
            }
            match which {
                Section::Holidays => self.holiday_set(origin, value_node, &path, &key.name),
                Section::Calendars => self.insert(origin, value_node, &path, |m| &mut m.calendars, &key.name),
                Section::Tiers => self.insert(origin, value_node, &path, |m| &mut m.tiers, &key.name),
                Section::Rotations => self.insert(origin, value_node, &path, |m| &mut m.rotations, &key.name),
                Section::Schedules => self.insert(origin, value_node, &path, |m| &mut m.schedules, &key.name),
                Section::Escalations => self.insert(origin, value_node, &path, |m| &mut m.escalations, &key.name),
                Section::Vendors => self.insert(origin, value_node, &path, |m| &mut m.vendors, &key.name),
                Section::RequestTemplates => self.insert(origin, value_node, &path, |m| &mut m.request_templates, &key.name),
                Section::Runbooks => self.insert(origin, value_node, &path, |m| &mut m.runbooks, &key.name),
                Section::Artifacts => self.insert(origin, value_node, &path, |m| &mut m.artifacts, &key.name),
                Section::RuleOverrides => self.insert(origin, value_node, &path, |m| &mut m.rule_overrides, &key.name),
                // Lists and the header are read by their own functions.
                Section::ApiVersion | Section::Kind | Section::Metadata | Section::Severities | Section::Contacts | Section::Services | Section::Drills | Section::Policies | Section::Waivers => {}
            }
        }
    }

    fn insert<T: DeserializeOwned>(&mut self, origin: Origin, node: &Node, path: &str, section: impl Fn(&mut Model) -> &mut IndexMap<String, Entry<T>>, id: &str) {
        if let Some(value) = self.entry::<T>(&origin, node, path) {
            section(&mut self.model).insert(id.to_string(), Entry { value, origin });
        }
    }

    fn finish(mut self) -> Loaded {
        self.ics_leave();
        self.model.index_ids();
        let extra = validate::validate(&self.model, &self.sources);
        self.diagnostics.extend(extra);
        if self.sources.files.iter().all(|f| f.root.is_some()) && self.model.metadata.is_none() && !self.sources.files.is_empty() {
            let loc = Location { file: self.sources.files[0].display.clone(), line: 1, column: 1, path: String::new() };
            self.diagnostics
                .push(Diagnostic::new(crate::diag::Code::InvalidModel, "no file has `metadata` with the model's `name`", Some(loc)).with_help("add `metadata: { name: my-platform }` to one file"));
        }
        Loaded { model: self.model, sources: self.sources, diagnostics: self.diagnostics }
    }
}

fn key_node(key: &yaml::Key) -> Node {
    Node { pos: key.pos, value: Value::Null }
}

/// Every `*.yaml`/`*.yml` below `dir`, hidden folders skipped. Symlinks are followed, but
/// each directory is visited once (by device and inode), so a link to a parent ends the
/// descent instead of looping.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    walk_once(dir, out, &mut std::collections::HashSet::new());
}

fn walk_once(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut std::collections::HashSet<(u64, u64)>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(dir) else { return };
    if !seen.insert((meta.dev(), meta.ino())) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            // A directory with a policy manifest is a policy (Rego files, or a WASM policy's
            // source) kept beside the model, not part of it.
            if !path.join("policy.yaml").is_file() {
                walk_once(&path, out, seen);
            }
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) && !name.to_string_lossy().contains(".tests.y") {
            out.push(path);
        }
    }
}

/// A path as users should see it: relative to the working directory when it is below it.
pub fn display_path(path: &Path) -> String {
    let rel = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    let shown = rel.unwrap_or_else(|| path.to_path_buf());
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
