package runready_test

import data.runready

event(start) := {
	"arn": "arn:aws:health:eu-west-1::event/RDS/X/1", "account": "111122223333", "region": "eu-west-1",
	"category": "scheduledChange", "status": "upcoming", "event_type_code": "AWS_RDS_MAINTENANCE_SCHEDULED",
	"start_time": start,
}

request(start) := {"context": {"now": "2026-11-23T10:00:00Z"}, "facts": {"health_events": [event(start)]}, "settings": {}}

test_a_change_in_three_days_warns if {
	count(runready.warn) == 1 with input as request("2026-11-26T02:00:00Z")
}

test_a_change_next_month_does_not if {
	count(runready.warn) == 0 with input as request("2026-12-23T02:00:00Z")
}

test_no_facts_no_findings if {
	count(runready.warn) == 0 with input as {"context": {"now": "2026-11-23T10:00:00Z"}, "settings": {}}
}
