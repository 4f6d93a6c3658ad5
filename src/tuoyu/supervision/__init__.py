"""综合监管: inspections by random draw, rectification, public complaints, credit files,
the blacklist and risk-based attention (P-SUP-1..6)."""
