# SCH-001: a warning for each AWS Health event of category scheduledChange that is not
# closed and starts between input.context.now and within_days (default 7) later. Without a
# facts snapshot the policy reports nothing.
package runready

within_ns := object.get(input.settings, "within_days", 7) * 86400 * 1000000000

now_ns := time.parse_rfc3339_ns(input.context.now)

warn contains finding if {
	some i, event in input.facts.health_events
	event.category == "scheduledChange"
	event.status != "closed"
	start := time.parse_rfc3339_ns(event.start_time)
	start >= now_ns
	start - now_ns <= within_ns
	finding := {
		"message": sprintf("AWS scheduled change %s (%s) in account %s starts %s", [event.event_type_code, event.region, event.account, event.start_time]),
		"pointer": sprintf("/facts/health_events/%d/start_time", [i]),
		"properties": {"arn": event.arn, "affected_entities": object.get(event, "affected_entities", [])},
	}
}
