"""Writes of subsidies: titles.py (demonstration titles), claims.py (claim → review →
approval → payment), ledger.py (funds, budgets, clawbacks)."""
