//! The files a model was read from, kept so that any origin can be shown as
//! file:line:col with a snippet.

use super::yaml::{Node, Value};
use crate::diag::Location;
use crate::model::Origin;
use std::path::PathBuf;

pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown to users and written into reports (relative when possible).
    pub display: String,
    pub text: String,
    /// The parsed tree; `None` when the file could not be parsed.
    pub root: Option<std::rc::Rc<Node>>,
}

#[derive(Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
    /// The repository root (canonical) that the paths the model names must stay inside:
    /// the git work tree holding the first model path, else that path's directory.
    /// `None` for models not read from disk.
    pub root: Option<PathBuf>,
}

/// The root for a model read from `first`: the nearest ancestor with a `.git`, else the
/// directory given (or the file's folder).
pub fn root_of(first: &std::path::Path) -> Option<PathBuf> {
    let p = std::fs::canonicalize(first).ok()?;
    let dir = if p.is_dir() { p } else { p.parent()?.to_path_buf() };
    Some(dir.ancestors().find(|a| a.join(".git").exists()).map_or(dir.clone(), |a| a.to_path_buf()))
}

/// [`Sources::confine`] for a given root (`None`: no restriction).
pub fn confine_to(root: Option<&std::path::Path>, path: &std::path::Path) -> Result<(), String> {
    let (Some(root), Ok(real)) = (root, std::fs::canonicalize(path)) else { return Ok(()) };
    if real.starts_with(root) { Ok(()) } else { Err(format!("is outside the repository root {} (nothing of it was read; --allow-outside-root reads it anyway)", root.display())) }
}

impl Sources {
    /// Refuses a path the model names that resolves (after symlinks) outside the root, so
    /// that a pull request cannot make CI read and report files elsewhere on the runner.
    /// A path that does not exist is left to the reader to report.
    pub fn confine(&self, path: &std::path::Path) -> Result<(), String> {
        confine_to(self.root.as_deref(), path)
    }

    /// The file:line:col and dotted path of the value an origin names. When the pointer
    /// does not resolve completely (a default filled in, a missing key), the deepest
    /// written ancestor is shown.
    pub fn locate(&self, origin: &Origin) -> Location {
        let file = &self.files[origin.file];
        let Some(root) = &file.root else {
            return Location { file: file.display.clone(), line: 1, column: 1, path: String::new() };
        };
        let (node, _) = root.resolve_pointer(&origin.pointer);
        Location { file: file.display.clone(), line: node.pos.line, column: node.pos.column, path: dotted(root, &origin.pointer) }
    }

    /// The location of the key of the value a pointer names (for "unknown key", or to
    /// point at `owner:` rather than its value).
    pub fn locate_key(&self, origin: &Origin) -> Location {
        let mut loc = self.locate(origin);
        let file = &self.files[origin.file];
        if let (Some(root), Some((parent, last))) = (&file.root, origin.pointer.rsplit_once('/')) {
            let (node, ok) = root.resolve_pointer(parent);
            if ok
                && let Value::Map(entries) = &node.value
                && let Some((k, _)) = entries.iter().find(|(k, _)| k.name == last)
            {
                loc.line = k.pos.line;
                loc.column = k.pos.column;
            }
        }
        loc
    }

    pub fn text_of(&self, display: &str) -> Option<&str> {
        self.files.iter().find(|f| f.display == display).map(|f| f.text.as_str())
    }

    pub fn displays(&self) -> Vec<String> {
        self.files.iter().map(|f| f.display.clone()).collect()
    }
}

/// `/runbooks/x/required_sections/3` → `runbooks.x.required_sections[3]`, using the tree
/// to tell list indexes from keys that look like numbers.
pub fn dotted(root: &Node, pointer: &str) -> String {
    let mut out = String::new();
    let mut node = Some(root);
    for raw in pointer.trim_start_matches('/').split('/').filter(|s| !s.is_empty()) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match node.map(|n| &n.value) {
            Some(Value::Seq(items)) => {
                out.push_str(&format!("[{seg}]"));
                node = seg.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&seg);
                node = match other {
                    Some(Value::Map(entries)) => entries.get(&seg),
                    _ => None,
                };
            }
        }
    }
    out
}
