# MGR-001: every escalation pages one of `settings.managers` (contact ids) at a step it
# enters within `settings.max_minutes` (default 30) of the incident. runready has already
# checked the settings against the manifest's settings_schema.
package runready

managers := {sprintf("contact:%s", [m]) | some m in input.settings.managers}

max_seconds := object.get(input.settings, "max_minutes", 30) * 60

# An ISO 8601 duration as runready normalises them (PT15M, P1D, P1DT2H30M) in seconds.
date_units := {"W": 604800, "D": 86400}

time_units := {"H": 3600, "M": 60, "S": 1}

seconds(d) := s if {
	halves := split(trim_prefix(d, "P"), "T")
	in_date := [(to_number(m[1]) * date_units[m[2]]) | some m in regex.find_all_string_submatch_n(`(\d+)([WD])`, halves[0], -1)]
	in_time := [(to_number(m[1]) * time_units[m[2]]) | some m in regex.find_all_string_submatch_n(`(\d+)([HMS])`, time_part(halves), -1)]
	s := sum(in_date) + sum(in_time)
}

time_part(halves) := halves[1] if count(halves) > 1

else := ""

# The step `k` is entered after the timeouts of the steps before it.
entered(steps, k) := sum([seconds(s.timeout) | some j, s in steps; j < k])

reaches(esc) if {
	some k, step in esc.steps
	entered(esc.steps, k) <= max_seconds
	some target in step.notify
	target in managers
}

# RFC 6901: `~` and `/` in a key are escaped.
escape(key) := replace(replace(key, "~", "~0"), "/", "~1")

deny contains finding if {
	some id, esc in input.model.escalations
	not reaches(esc)
	finding := {
		"rule_id": "MGR-001",
		"message": sprintf("escalation `%s` reaches no manager within %d minutes", [id, max_seconds / 60]),
		"pointer": sprintf("/model/escalations/%s/steps", [escape(id)]),
		"subject": sprintf("escalation:%s", [id]),
		"remediation": sprintf("add a step notifying one of %s within %d minutes", [concat(", ", sort(managers)), max_seconds / 60]),
	}
}
