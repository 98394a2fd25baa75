// filled in by the calendar work
