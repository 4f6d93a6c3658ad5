"""Every write of children: enrolment (P-HC-1, P-HC-4), daily checks (P-HC-3), outbreak
alerts (P-HC-6)."""
