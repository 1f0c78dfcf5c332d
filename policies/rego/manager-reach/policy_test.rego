package runready_test

import data.runready

escalations := {
	"fast": {"steps": [{"notify": ["contact:boss"], "timeout": "PT5M"}]},
	"slow": {"steps": [{"notify": ["rotation:ops"], "timeout": "PT45M"}, {"notify": ["contact:boss"]}]},
}

test_durations_are_read_as_iso_8601 if {
	runready.seconds("PT15M") == 900
	runready.seconds("P1DT2H30M") == 95400
	runready.seconds("P1W") == 604800
}

test_a_manager_after_45_minutes_is_too_late if {
	findings := runready.deny with input as {"model": {"escalations": escalations}, "settings": {"managers": ["boss"], "max_minutes": 30}}
	{f.subject | some f in findings} == {"escalation:slow"}
}

test_a_generous_limit_passes if {
	count(runready.deny) == 0 with input as {"model": {"escalations": escalations}, "settings": {"managers": ["boss"], "max_minutes": 60}}
}
