"""Demo and scale data of subsidies (after every other app, `generate_after_all`, so that
designations, classes, filings and the blacklist exist): the funds with their budgets and the
demonstration titles (`seeding_funds`), then claims in every state with their payments and a
clawback (`seeding_claims`). Deterministic (`ctx.rng_for`)."""

from __future__ import annotations


def generate_after_all(ctx) -> None:
    from tuoyu.subsidies import seeding_claims, seeding_funds

    seeding_funds.generate(ctx)
    seeding_claims.generate(ctx)
