"""Case management over the API (``/api/v1/cases``, ``/api/v1/case-transfers``).

Thin views: parse the body with a strict input serializer, fetch the case through
``case_get_for_user`` (404 for everyone not on it), call one service, render. Names, codes
and status codes follow docs/api.md (the contract partner systems rely on).
"""
