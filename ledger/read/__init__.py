"""The read side by subject: functions (session, actor, fund, ...) -> frozen dataclasses."""
