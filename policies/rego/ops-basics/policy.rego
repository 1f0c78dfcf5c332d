# OPS-001: every service whose tier's availability is `always` lists a runbook of kind
# `restore`. The finding points at the service's runbooks (or the service when it lists
# none); runready maps the pointer to the YAML line.
package runready

always(svc) if input.model.tiers[svc.tier].availability == "always"

has_restore(svc) if {
	some r in object.get(svc, "runbooks", [])
	input.model.runbooks[r].kind == "restore"
}

pointer(i, svc) := sprintf("/model/services/%d/runbooks", [i]) if {
	count(object.get(svc, "runbooks", [])) > 0
} else := sprintf("/model/services/%d", [i])

deny contains finding if {
	some i, svc in input.model.services
	always(svc)
	not has_restore(svc)
	finding := {
		"rule_id": "OPS-001",
		"message": sprintf("always-available service `%s` has no runbook of kind restore", [svc.id]),
		"pointer": pointer(i, svc),
		"subject": sprintf("service:%s", [svc.id]),
		"remediation": "add a runbook with `kind: restore` and list it in the service",
	}
}
