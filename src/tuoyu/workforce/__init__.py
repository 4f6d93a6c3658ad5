"""从业人员: staff rosters, certificates and trainings, lifetime bans (P-SUP-6), staffing
compliance (P-STD-1, P-STD-2, P-HC-5) and the certification rate (P-TGT-8)."""
