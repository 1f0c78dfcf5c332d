//! Which AWS Support cases may still be open, over every journal given (DRL-004, and what
//! the next live run resolves first). A case stays open until some journal records it
//! resolved: the run that opened it, or a later run's sweep. A case a run *may* have opened
//! (CreateCase sent with no answer, or a run that died without a write-ahead ledger) stays
//! open until a later run looked it up.

use super::journal::{CaseState, Journal, Outcome, SweepOutcome};
use crate::model::Instant;

/// A case that is, or may be, still open.
#[derive(Clone, Debug, PartialEq)]
pub struct Unresolved<'j> {
    /// The run that opened it (or may have).
    pub journal: &'j Journal,
    /// Known when the case was opened or found; `None` for a case the run may have opened.
    pub case_id: Option<String>,
    pub account: Option<String>,
    /// The body line that marks the run's cases (write-ahead journals only).
    pub token: Option<String>,
    /// The subject the run's cases carry.
    pub subject: Option<String>,
    /// The earliest creation time such a case can have.
    pub since: Instant,
    /// Why it may be open, in words.
    pub why: String,
}

impl Unresolved<'_> {
    /// `case case-1 (account 1234…), opened by drill pt started …: why` and the like.
    pub fn describe(&self) -> String {
        let account = self.account.as_ref().map(|a| format!(" in account {a}")).unwrap_or_default();
        match &self.case_id {
            Some(id) => format!("case {id}{account}, opened by {}: {}", self.journal.run_name(), self.why),
            None => format!("a case {} may have opened{account}: {}", self.journal.run_name(), self.why),
        }
    }
}

/// The cases left open by `journals` (live runs of one model), oldest run first. `opens_cases`
/// says whether a drill (by id) has a step that opens AWS Support cases: a run that died
/// without a write-ahead ledger may have opened one only then.
pub fn unresolved<'j>(journals: &[&'j Journal], opens_cases: impl Fn(&str) -> bool) -> Vec<Unresolved<'j>> {
    let mut runs: Vec<&Journal> = journals.iter().copied().filter(|j| !j.dry_run).collect();
    runs.sort_by_key(|j| j.started_at);
    let mut out = Vec::new();
    for (i, j) in runs.iter().enumerate() {
        let from_here = &runs[i..];
        let later = &runs[i + 1..];
        for c in candidates(j, &opens_cases, later) {
            let closed = match &c.case_id {
                Some(id) => from_here.iter().any(|k| resolves(k, id)),
                None => later.iter().any(|k| looked_up(k, j)),
            };
            if !closed {
                out.push(c);
            }
        }
    }
    out
}

/// What one run opened or may have opened, before any resolution is considered.
fn candidates<'j>(j: &'j Journal, opens_cases: &impl Fn(&str) -> bool, later: &[&Journal]) -> Vec<Unresolved<'j>> {
    let unfinished = j.finished_at.is_none();
    let ended = if unfinished { "the run did not finish (it died, or is still running)" } else { "the run ended" };
    let base = |case_id: Option<String>, why: String| Unresolved { journal: j, case_id, account: None, token: None, subject: None, since: j.started_at, why };
    let mut out = Vec::new();
    for r in &j.cases {
        let mut u = base(r.case_id.clone(), String::new());
        u.account = r.account.clone();
        u.token = Some(r.token.clone());
        u.subject = Some(r.subject.clone());
        u.since = r.requested_at;
        u.why = match (r.state, &r.case_id) {
            (CaseState::Opened, Some(_)) => format!("{ended} before resolving it"),
            (CaseState::LeftOpen, Some(_)) => last(&r.history).unwrap_or_else(|| "ResolveCase failed".into()),
            (CaseState::Requested | CaseState::Opened, _) => format!("CreateCase was sent at {} and {ended} before its answer", r.requested_at),
            (CaseState::MayHaveOpened, _) | (CaseState::LeftOpen, None) => last(&r.history).unwrap_or_else(|| "CreateCase failed ambiguously".into()),
            (CaseState::NotOpened | CaseState::Resolved, _) => continue,
        };
        out.push(u);
    }
    // Journals without a ledger (before v1.1, or written by hand): the steps' cleanup.
    for (n, s) in j.steps.iter().enumerate().filter(|(_, s)| s.kind == "vendor_case") {
        if j.cases.iter().any(|r| r.step == n) {
            continue;
        }
        let Some(c) = s.cleanup.as_ref().filter(|c| c.action == "resolve_case" && c.outcome != Outcome::Pass) else { continue };
        let id = s.evidence.get("case_id").and_then(|v| v.as_str()).unwrap_or(&s.target).to_string();
        if out.iter().any(|u| u.case_id.as_deref() == Some(&id)) || j.cases.iter().any(|r| r.case_id.as_deref() == Some(&id)) {
            continue;
        }
        let why = c.message.clone().unwrap_or_else(|| if c.outcome == Outcome::Planned { format!("{ended} before resolving it") } else { "its cleanup did not resolve it".into() });
        out.push(base(Some(id), why));
    }
    if unfinished && !j.write_ahead && j.cases.is_empty() && opens_cases(&j.drill) {
        out.push(base(None, "the run did not finish and its journal has no write-ahead ledger to say which cases it asked for".into()));
    }
    // Cases a later run found while looking this run's cases up, and could not resolve.
    for k in later {
        for s in k.swept.iter().filter(|s| s.drill == j.drill && s.run_started_at == j.started_at && s.outcome == SweepOutcome::Failed) {
            if let Some(id) = &s.case_id
                && !out.iter().any(|u| u.case_id.as_ref() == Some(id))
            {
                out.push(base(Some(id.clone()), format!("found by {}, which could not resolve it: {}", k.run_name(), s.message.as_deref().unwrap_or("ResolveCase failed"))));
            }
        }
    }
    out
}

fn last(history: &[String]) -> Option<String> {
    history.last().cloned()
}

/// Whether journal `k` records case `id` as resolved.
fn resolves(k: &Journal, id: &str) -> bool {
    k.cases.iter().any(|r| r.case_id.as_deref() == Some(id) && r.state == CaseState::Resolved)
        || k.steps.iter().any(|s| {
            s.kind == "vendor_case" && s.evidence.get("case_id").and_then(|v| v.as_str()) == Some(id) && s.cleanup.as_ref().is_some_and(|c| c.action == "resolve_case" && c.outcome == Outcome::Pass)
        })
        || k.swept.iter().any(|s| s.case_id.as_deref() == Some(id) && matches!(s.outcome, SweepOutcome::Resolved | SweepOutcome::AlreadyResolved | SweepOutcome::NotFound))
}

/// Whether journal `k` looked up the cases run `j` may have opened (and so found them all:
/// what it found is recorded by id, what it did not find does not exist).
fn looked_up(k: &Journal, j: &Journal) -> bool {
    k.swept.iter().any(|s| s.drill == j.drill && s.run_started_at == j.started_at && (s.case_id.is_some() || s.outcome == SweepOutcome::NotFound))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drill::journal::{CaseRecord, Cleanup, Step, Sweep};

    fn run(at: &str, finished: bool) -> Journal {
        Journal {
            schema_version: 1,
            drill: "pt".into(),
            kind: crate::model::DrillKind::ProcessTest,
            model: "m".into(),
            services: vec![],
            dry_run: false,
            started_at: at.parse().unwrap(),
            finished_at: finished.then(|| at.parse().unwrap()),
            outcome: Outcome::Pass,
            reason: None,
            interrupted: false,
            forced: false,
            write_ahead: true,
            steps: vec![],
            cases: vec![],
            swept: vec![],
        }
    }

    fn record(state: CaseState, id: Option<&str>) -> CaseRecord {
        CaseRecord {
            step: 0,
            vendor: "aws".into(),
            account: Some("123456789012".into()),
            subject: "TEST CASE-Please ignore".into(),
            token: "t".into(),
            requested_at: "2026-12-01T10:00:01Z".parse().unwrap(),
            state,
            case_id: id.map(str::to_string),
            history: vec![],
        }
    }

    fn sweep(of: &Journal, id: Option<&str>, outcome: SweepOutcome) -> Sweep {
        Sweep { drill: of.drill.clone(), run_started_at: of.started_at, case_id: id.map(str::to_string), outcome, message: None }
    }

    fn open_ids(js: &[&Journal]) -> Vec<Option<String>> {
        unresolved(js, |_| true).into_iter().map(|u| u.case_id).collect()
    }

    #[test]
    fn a_case_left_open_stays_open_after_later_passing_runs_until_one_resolves_it() {
        let mut a = run("2026-12-01T10:00:00Z", true);
        a.cases.push(record(CaseState::LeftOpen, Some("case-1")));
        let b = run("2026-12-02T10:00:00Z", true);
        assert_eq!(open_ids(&[&a, &b]), vec![Some("case-1".to_string())]);
        let mut c = run("2026-12-03T10:00:00Z", true);
        c.swept.push(sweep(&a, Some("case-1"), SweepOutcome::Resolved));
        assert!(open_ids(&[&a, &b, &c]).is_empty());
        // A sweep that failed leaves it open.
        c.swept[0].outcome = SweepOutcome::Failed;
        assert_eq!(open_ids(&[&a, &b, &c]), vec![Some("case-1".to_string())]);
    }

    #[test]
    fn a_dead_run_counts_what_it_requested_and_opened() {
        let mut a = run("2026-12-01T10:00:00Z", false);
        a.cases.push(record(CaseState::Opened, Some("case-1")));
        a.cases.push(record(CaseState::Requested, None));
        assert_eq!(open_ids(&[&a]), vec![Some("case-1".to_string()), None]);
        // A later run resolved the first and looked the second up: found and resolved it.
        let mut b = run("2026-12-01T11:00:00Z", true);
        b.swept.push(sweep(&a, Some("case-1"), SweepOutcome::Resolved));
        b.swept.push(sweep(&a, Some("case-2"), SweepOutcome::Resolved));
        assert!(open_ids(&[&a, &b]).is_empty());
        // Found but not resolved: open by its id.
        b.swept[1].outcome = SweepOutcome::Failed;
        assert_eq!(open_ids(&[&a, &b]), vec![Some("case-2".to_string())]);
    }

    #[test]
    fn a_dead_run_without_a_ledger_may_have_opened_a_case_if_its_drill_opens_cases() {
        let mut a = run("2026-12-01T10:00:00Z", false);
        a.write_ahead = false;
        assert_eq!(unresolved(&[&a], |_| true).len(), 1);
        assert!(unresolved(&[&a], |_| false).is_empty());
        let mut b = run("2026-12-01T11:00:00Z", true);
        b.swept.push(sweep(&a, None, SweepOutcome::NotFound));
        assert!(unresolved(&[&a, &b], |_| true).is_empty());
        // A lookup that failed is no lookup.
        b.swept[0].outcome = SweepOutcome::Failed;
        assert_eq!(unresolved(&[&a, &b], |_| true).len(), 1);
    }

    #[test]
    fn old_journals_are_read_from_their_steps() {
        let mut a = run("2026-12-01T10:00:00Z", true);
        a.write_ahead = false;
        let mut s = crate::drill::steps::step("vendor_case", "aws");
        s.evidence = serde_json::json!({ "case_id": "case-9" });
        s.cleanup = Some(Cleanup { action: "resolve_case".into(), outcome: Outcome::Fail, message: Some("case case-9 is still open: HTTP 500".into()) });
        a.steps.push(s.clone());
        assert_eq!(open_ids(&[&a]), vec![Some("case-9".to_string())]);
        let mut b: Journal = run("2026-12-02T10:00:00Z", true);
        let mut fixed: Step = s;
        fixed.cleanup.as_mut().unwrap().outcome = Outcome::Pass;
        b.steps.push(fixed);
        assert!(open_ids(&[&a, &b]).is_empty(), "a later run that resolved the same case id closes it");
    }
}
