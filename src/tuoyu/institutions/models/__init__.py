"""Institutions: registration facts pushed by the registration authorities (P-REG-10/11),
the filed facts (P-REG-12, P-FIL-*), classes and slots (§9.1), chains (P-REG-13) and
affordable designations (P-MODE-2). The filing workflow itself lives in `tuoyu.filings`."""

from tuoyu.institutions.models.affordable import AffordableDesignation
from tuoyu.institutions.models.chains import ChainAgreement
from tuoyu.institutions.models.classes import CareClass
from tuoyu.institutions.models.institution import Institution
from tuoyu.institutions.models.registration import RegistrationEvent

__all__ = [
    "AffordableDesignation",
    "CareClass",
    "ChainAgreement",
    "Institution",
    "RegistrationEvent",
]
