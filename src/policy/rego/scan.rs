//! What runready reads from a Rego policy's syntax trees before anything runs it: the
//! built-ins it calls (refused when they read the clock, the network, randomness or the
//! environment; unknown ones are load errors), recursion among rules and functions (OPA's
//! `rego_recursion_error`, which regorus would only meet as a stack overflow), and the rules
//! that produce findings (`deny`, `violation`, `warn`, with suffixes) and tests (`test_*`).
//!
//! Every walk here is iterative: a hostile module (a reference chain of 10^5 fields) cannot
//! overflow the stack of the process that reads it.

use crate::diag::Location;
use regorus::unstable::{Expr, Literal, Module, Query, Rule, RuleHead};
use std::collections::{BTreeMap, BTreeSet};

/// Built-ins that make a result depend on something besides the request (policy-abi.md):
/// the name and what it reads.
pub const REFUSED: &[(&str, &str)] = &[
    ("time.now_ns", "the clock"),
    ("http.send", "the network"),
    ("net.lookup_ip_addr", "the network (DNS)"),
    ("opa.runtime", "the environment"),
    ("rand.intn", "randomness"),
    ("uuid.rfc4122", "randomness"),
    ("io.jwt.decode_verify", "the clock"),
    ("crypto.x509.parse_and_verify_certificates", "the clock"),
    ("crypto.x509.parse_and_verify_certificates_with_options", "the clock"),
];

/// A problem found in the trees, at its place in a `.rego` file.
#[derive(Clone, Debug)]
pub struct Located {
    pub message: String,
    pub location: Location,
}

/// What the scan found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Calls of refused built-ins (an `import` error when the policy is evaluated).
    pub refused: Vec<Located>,
    /// Load errors: unknown functions, recursion.
    pub errors: Vec<Located>,
    /// Every rule, as `data.PKG.NAME`, with where it is first written and whether it is in a
    /// test file.
    pub rules: BTreeMap<String, (Location, bool)>,
}

impl Analysis {
    /// The finding rules of a package (`data.runready`): `deny`, `violation`, `warn`, also
    /// with a `_suffix`, in name order.
    pub fn finding_sets(&self, package: &str) -> Vec<String> {
        self.rules
            .iter()
            .filter(|(_, (_, test))| !test)
            .filter_map(|(path, _)| path.strip_prefix(package)?.strip_prefix('.').map(str::to_string))
            .filter(|name| !name.contains('.') && ["deny", "violation", "warn"].iter().any(|s| name == s || name.strip_prefix(s).is_some_and(|rest| rest.starts_with('_') && rest.len() > 1)))
            .collect()
    }

    /// Whether any (non-test) rule lives in the package.
    pub fn has_rules_in(&self, package: &str) -> bool {
        self.rules.iter().any(|(p, (_, test))| !test && p.strip_prefix(package).is_some_and(|r| r.starts_with('.')))
    }

    /// `test_*` rules of test files, as `data.PKG.test_NAME`, with their place.
    pub fn tests(&self) -> Vec<(String, Location)> {
        self.rules.iter().filter(|(p, (_, test))| *test && p.rsplit('.').next().is_some_and(|n| n.starts_with("test_"))).map(|(p, (l, _))| (p.clone(), l.clone())).collect()
    }
}

fn location(span: &regorus::unstable::Span) -> Location {
    Location { file: span.source.file().clone(), line: span.line, column: span.col, path: String::new() }
}

fn text(v: &regorus::Value) -> Option<String> {
    v.as_string().ok().map(|s| s.to_string())
}

/// `a.b["c"]` as `["a", "b", "c"]`, walking down the chain without recursion; `None` when
/// a part is not a name or a string.
fn ref_path(mut e: &Expr) -> Option<Vec<String>> {
    let mut rev = Vec::new();
    loop {
        match e {
            Expr::Var { value, .. } => {
                rev.push(text(value)?);
                break;
            }
            Expr::RefDot { refr, field, .. } => {
                rev.push(text(&field.1)?);
                e = refr;
            }
            Expr::RefBrack { refr, index, .. } => {
                match index.as_ref() {
                    Expr::String { value, .. } | Expr::RawString { value, .. } => rev.push(text(value)?),
                    _ => return None,
                }
                e = refr;
            }
            _ => return None,
        }
    }
    rev.reverse();
    Some(rev)
}

/// Every expression reachable from the roots (queries of comprehensions and `every`
/// included), visited with an explicit work list.
fn each_expr<'a>(roots: Vec<Node<'a>>, mut f: impl FnMut(&'a Expr)) {
    let mut work = roots;
    while let Some(node) = work.pop() {
        match node {
            Node::Query(q) => {
                for stmt in &q.stmts {
                    match &stmt.literal {
                        Literal::SomeVars { .. } => {}
                        Literal::SomeIn { key, value, collection, .. } => {
                            work.extend(key.iter().map(|k| Node::Expr(k)));
                            work.push(Node::Expr(value));
                            work.push(Node::Expr(collection));
                        }
                        Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => work.push(Node::Expr(expr)),
                        Literal::Every { domain, query, .. } => {
                            work.push(Node::Expr(domain));
                            work.push(Node::Query(query));
                        }
                    }
                    // `with x as v`: the value is evaluated; the target is replaced, not read.
                    work.extend(stmt.with_mods.iter().map(|w| Node::Expr(&w.r#as)));
                }
            }
            Node::Expr(e) => {
                f(e);
                match e {
                    Expr::Array { items, .. } | Expr::Set { items, .. } => work.extend(items.iter().map(|i| Node::Expr(i))),
                    Expr::Object { fields, .. } => {
                        for (_, k, v) in fields {
                            work.push(Node::Expr(k));
                            work.push(Node::Expr(v));
                        }
                    }
                    Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                        work.push(Node::Expr(term));
                        work.push(Node::Query(query));
                    }
                    Expr::ObjectCompr { key, value, query, .. } => {
                        work.push(Node::Expr(key));
                        work.push(Node::Expr(value));
                        work.push(Node::Query(query));
                    }
                    Expr::Call { fcn, params, .. } => {
                        work.push(Node::Expr(fcn));
                        work.extend(params.iter().map(|p| Node::Expr(p)));
                    }
                    Expr::UnaryExpr { expr, .. } => work.push(Node::Expr(expr)),
                    Expr::RefDot { refr, .. } => work.push(Node::Expr(refr)),
                    Expr::RefBrack { refr, index, .. } => {
                        work.push(Node::Expr(refr));
                        work.push(Node::Expr(index));
                    }
                    Expr::BinExpr { lhs, rhs, .. } | Expr::BoolExpr { lhs, rhs, .. } | Expr::ArithExpr { lhs, rhs, .. } | Expr::AssignExpr { lhs, rhs, .. } => {
                        work.push(Node::Expr(lhs));
                        work.push(Node::Expr(rhs));
                    }
                    Expr::Membership { key, value, collection, .. } => {
                        work.extend(key.iter().map(|k| Node::Expr(k)));
                        work.push(Node::Expr(value));
                        work.push(Node::Expr(collection));
                    }
                    _ => {}
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Expr(&'a Expr),
    Query(&'a Query),
}

/// The head's reference, and every expression and query of the rule.
fn rule_parts(rule: &Rule) -> (&Expr, Vec<Node<'_>>) {
    match rule {
        Rule::Spec { head, bodies, .. } => {
            let mut roots = Vec::new();
            let refr = match head {
                RuleHead::Compr { refr, assign, .. } => {
                    roots.extend(assign.iter().map(|a| Node::Expr(&a.value)));
                    refr
                }
                RuleHead::Set { refr, key, .. } => {
                    roots.extend(key.iter().map(|k| Node::Expr(k)));
                    refr
                }
                RuleHead::Func { refr, args, assign, .. } => {
                    roots.extend(args.iter().map(|a| Node::Expr(a)));
                    roots.extend(assign.iter().map(|a| Node::Expr(&a.value)));
                    refr
                }
            };
            // Index expressions of the head (`p[x] := ...`) are read too.
            if let Expr::RefBrack { index, .. } = refr.as_ref() {
                roots.push(Node::Expr(index));
            }
            for body in bodies {
                roots.extend(body.assign.iter().map(|a| Node::Expr(&a.value)));
                roots.push(Node::Query(&body.query));
            }
            (refr, roots)
        }
        Rule::Default { refr, args, value, .. } => (refr, args.iter().map(|a| Node::Expr(a)).chain([Node::Expr(value)]).collect()),
    }
}

/// The rule's name: the head reference's first part (`deny`, `p` of `p.q[x]`).
fn head_name(mut e: &Expr) -> Option<String> {
    loop {
        match e {
            Expr::Var { value, .. } => return text(value),
            Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => e = refr,
            _ => return None,
        }
    }
}

/// Names bound locally in a rule (`some x`, `x :=`, `some k, v in`, `every`, function
/// arguments): a bare name among them is a variable, not a reference to a rule.
fn locals(rule: &Rule) -> BTreeSet<String> {
    let (_, roots) = rule_parts(rule);
    let mut out = BTreeSet::new();
    let mut queries = Vec::new();
    for r in &roots {
        if let Node::Query(q) = r {
            queries.push(*q);
        }
    }
    if let Rule::Spec { head: RuleHead::Func { args, .. }, .. } = rule {
        out.extend(args.iter().filter_map(|a| if let Expr::Var { value, .. } = a.as_ref() { text(value) } else { None }));
    }
    each_expr(roots, |e| match e {
        Expr::AssignExpr { lhs, .. } => {
            if let Expr::Var { value, .. } = lhs.as_ref() {
                out.extend(text(value));
            }
        }
        Expr::ArrayCompr { query, .. } | Expr::SetCompr { query, .. } | Expr::ObjectCompr { query, .. } => queries.push(query),
        _ => {}
    });
    for q in queries {
        for stmt in &q.stmts {
            match &stmt.literal {
                Literal::SomeVars { vars, .. } => out.extend(vars.iter().map(|s| s.text().to_string())),
                Literal::SomeIn { key, value, .. } => {
                    for e in key.iter().chain([value]) {
                        if let Expr::Var { value, .. } = e.as_ref() {
                            out.extend(text(value));
                        }
                    }
                }
                Literal::Every { key, value, .. } => {
                    out.extend(key.iter().map(|s| s.text().to_string()));
                    out.insert(value.text().to_string());
                }
                _ => {}
            }
        }
    }
    out
}

/// Analyses the modules; `test` says which of them come from `*_test.rego` files.
pub fn analyse(modules: &[(&Module, bool)]) -> Analysis {
    let mut rules: BTreeMap<String, (Location, bool)> = BTreeMap::new();
    let (mut refused, mut errors) = (Vec::new(), Vec::new());
    // Pass 1: every rule's path.
    let mut package_of = Vec::new();
    for (m, test) in modules {
        let pkg = ref_path(&m.package.refr).map(|p| format!("data.{}", p.join("."))).unwrap_or_else(|| "data".into());
        for rule in &m.policy {
            let (refr, _) = rule_parts(rule);
            if let Some(name) = head_name(refr) {
                rules.entry(format!("{pkg}.{name}")).or_insert_with(|| (location(rule.span()), *test));
            }
        }
        package_of.push(pkg);
    }
    let builtins = regorus::unstable::BUILTINS.keys().copied().collect::<BTreeSet<&str>>();
    // Pass 2: references (graph edges) and calls.
    let mut edges: BTreeMap<String, Vec<(String, Location)>> = BTreeMap::new();
    for ((m, _), pkg) in modules.iter().zip(&package_of) {
        let aliases: BTreeMap<String, Vec<String>> = m
            .imports
            .iter()
            .filter_map(|i| {
                let path = ref_path(&i.refr)?;
                let alias = i.r#as.as_ref().map(|s| s.text().to_string()).or_else(|| path.last().cloned())?;
                Some((alias, path))
            })
            .collect();
        let resolve = |path: &[String], local: &BTreeSet<String>| -> Option<String> {
            let first = path.first()?;
            let full: Vec<String> = if first == "data" {
                path.to_vec()
            } else if let Some(target) = aliases.get(first) {
                target.iter().cloned().chain(path[1..].iter().cloned()).collect()
            } else if first == "input" || local.contains(first) {
                return None;
            } else {
                std::iter::once(pkg.clone()).chain(path.iter().cloned()).collect()
            };
            // The longest prefix that names a rule.
            (1..=full.len()).rev().map(|n| full[..n].join(".")).find(|p| rules.contains_key(p))
        };
        for rule in &m.policy {
            let (refr, roots) = rule_parts(rule);
            let Some(name) = head_name(refr) else { continue };
            let from = format!("{pkg}.{name}");
            let local = locals(rule);
            let out = edges.entry(from.clone()).or_default();
            each_expr(roots, |e| match e {
                Expr::Call { fcn, span, .. } => {
                    let Some(path) = ref_path(fcn) else { return };
                    let dotted = path.join(".");
                    if let Some(target) = resolve(&path, &local) {
                        out.push((target, location(span)));
                    } else if let Some((_, what)) = REFUSED.iter().find(|(n, _)| *n == dotted) {
                        refused.push(Located {
                            message: format!("calls `{dotted}`, which reads {what}; a policy's result may depend only on its input (time: input.context.now)"),
                            location: location(span),
                        });
                    } else if dotted != "print" && !builtins.contains(dotted.as_str()) {
                        errors.push(Located { message: format!("rego_type_error: undefined function {dotted}"), location: location(span) });
                    }
                }
                Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. } => {
                    if let Some(target) = ref_path(e).and_then(|p| resolve(&p, &local)) {
                        out.push((target, location(e.span())));
                    }
                }
                _ => {}
            });
        }
    }
    errors.extend(find_cycle(&edges));
    Analysis { refused, errors, rules }
}

/// The first cycle among rules and functions (a depth-first search with its own stack),
/// reported at the reference that closes it, as OPA words it.
fn find_cycle(edges: &BTreeMap<String, Vec<(String, Location)>>) -> Option<Located> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = edges.keys().map(|k| (k.as_str(), Mark::New)).collect();
    for start in edges.keys() {
        if mark[start.as_str()] != Mark::New {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
        mark.insert(start.as_str(), Mark::Open);
        while let Some((node, next)) = stack.last().copied() {
            let out = edges.get(node).map(Vec::as_slice).unwrap_or_default();
            if next >= out.len() {
                mark.insert(node, Mark::Done);
                stack.pop();
                continue;
            }
            stack.last_mut().expect("not empty").1 += 1;
            let (target, at) = &out[next];
            match mark.get(target.as_str()).copied().unwrap_or(Mark::Done) {
                Mark::Open => {
                    let from = stack.iter().position(|(n, _)| *n == target.as_str()).unwrap_or(0);
                    let chain: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).chain([target.as_str()]).collect();
                    return Some(Located { message: format!("rego_recursion_error: rule {target} is recursive: {}", chain.join(" -> ")), location: at.clone() });
                }
                Mark::New => {
                    mark.insert(target.as_str(), Mark::Open);
                    stack.push((target.as_str(), 0));
                }
                Mark::Done => {}
            }
        }
    }
    None
}
