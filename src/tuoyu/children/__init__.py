"""在托儿童: enrolment without double counting, daily health checks (晨午检), examinations and
growth, outbreak early warning, health management and enrolment rates (P-HC-1..7)."""
