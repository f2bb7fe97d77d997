"""``/api/v1/programme``: the plan as data, activities against its tasks, models and budgets."""
