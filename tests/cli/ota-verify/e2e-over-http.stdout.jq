.ranged == "updated" and .plain == "updated" and (.downloaded | all(. >= 71557))
