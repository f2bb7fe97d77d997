"""Programme data is not in the admin site.

The matrix (``accounts/roles.py``) gives administrators no ``programme.view``: influencer
names, activities, budgets and reports are read on the programme pages by the roles that may,
within their agencies. Plans come from their data files (``manage.py load_plan``); everything
else is written through the programme's services, which check who may write and keep the sums
and the yearly lock. ``core/tests/test_admin_registry.py`` fails if a programme model is
registered here again without a decision.
"""
