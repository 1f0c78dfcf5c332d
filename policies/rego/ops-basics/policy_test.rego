package runready_test

import data.runready

model(runbooks) := {
	"tiers": {"critical": {"availability": "always"}},
	"runbooks": {"restore-db": {"kind": "restore"}, "triage": {"kind": "diagnose"}},
	"services": [{"id": "api", "tier": "critical", "runbooks": runbooks}],
}

test_a_service_without_a_restore_runbook_is_denied if {
	findings := runready.deny with input as {"model": model(["triage"])}
	count(findings) == 1
	some f in findings
	f.pointer == "/model/services/0/runbooks"
	f.subject == "service:api"
}

test_a_service_without_runbooks_points_at_the_service if {
	some f in runready.deny with input as {"model": model([])}
	f.pointer == "/model/services/0"
}

test_a_restore_runbook_passes if {
	count(runready.deny) == 0 with input as {"model": model(["restore-db"])}
}
