"""The IDs that SOC 2 and ISO/IEC 27001:2022 define, with short titles in our own words.

This is the authority on whether an ID exists ("CC10.1" and "A.5.38" do not).
The corpus is checked against it; the engine uses it to refuse to describe an
ID the standards never defined.

>>> CATALOG["A.8.24"].title
'Use of cryptography'
>>> "CC10.1" in CATALOG
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Framework = Literal["soc2", "iso27001"]
Kind = Literal["criterion", "clause", "control"]


@dataclass(frozen=True)
class Entry:
    id: str
    framework: Framework
    kind: Kind
    title: str
    theme: str
    category: str | None = None  # SOC 2 only
    coso_principle: int | None = None  # CC1-CC5 only
    new_in_2022: bool = False  # ISO Annex A only


_SOC2_SERIES = {
    "CC1": ("Control environment", "security"),
    "CC2": ("Communication and information", "security"),
    "CC3": ("Risk assessment", "security"),
    "CC4": ("Monitoring activities", "security"),
    "CC5": ("Control activities", "security"),
    "CC6": ("Logical and physical access controls", "security"),
    "CC7": ("System operations", "security"),
    "CC8": ("Change management", "security"),
    "CC9": ("Risk mitigation", "security"),
    "A1": ("Availability", "availability"),
    "C1": ("Confidentiality", "confidentiality"),
    "PI1": ("Processing integrity", "processing_integrity"),
    "P1": ("Privacy: notice", "privacy"),
    "P2": ("Privacy: choice and consent", "privacy"),
    "P3": ("Privacy: collection", "privacy"),
    "P4": ("Privacy: use, retention and disposal", "privacy"),
    "P5": ("Privacy: access", "privacy"),
    "P6": ("Privacy: disclosure and notification", "privacy"),
    "P7": ("Privacy: quality", "privacy"),
    "P8": ("Privacy: monitoring and enforcement", "privacy"),
}

# id, short title, COSO principle (CC1-CC5 only)
_SOC2 = [
    ("CC1.1", "Commitment to integrity and ethical values", 1),
    ("CC1.2", "Board independence and oversight of internal control", 2),
    ("CC1.3", "Structures, reporting lines, authorities and responsibilities", 3),
    ("CC1.4", "Attracting, developing and retaining competent people", 4),
    ("CC1.5", "Holding people accountable for internal control", 5),
    ("CC2.1", "Relevant, quality information to support internal control", 13),
    ("CC2.2", "Internal communication of objectives and responsibilities", 14),
    ("CC2.3", "Communication with external parties", 15),
    ("CC3.1", "Objectives specified clearly enough to assess risks", 6),
    ("CC3.2", "Identifying and analysing risks", 7),
    ("CC3.3", "Considering the potential for fraud", 8),
    ("CC3.4", "Identifying and assessing significant changes", 9),
    ("CC4.1", "Ongoing and separate evaluations of controls", 16),
    ("CC4.2", "Evaluating and communicating control deficiencies", 17),
    ("CC5.1", "Selecting and developing control activities that mitigate risk", 10),
    ("CC5.2", "General controls over technology", 11),
    ("CC5.3", "Deploying controls through policies and procedures", 12),
    ("CC6.1", "Logical access security software, infrastructure and architecture", None),
    ("CC6.2", "Registering and authorising users before granting access", None),
    ("CC6.3", "Role-based access, least privilege and access removal", None),
    ("CC6.4", "Restricting physical access to facilities and assets", None),
    ("CC6.5", "Protecting data when assets are disposed of", None),
    ("CC6.6", "Protecting against threats from outside the system boundary", None),
    ("CC6.7", "Restricting transmission, movement and removal of information", None),
    ("CC6.8", "Preventing and detecting unauthorised or malicious software", None),
    ("CC7.1", "Detecting configuration changes and new vulnerabilities", None),
    ("CC7.2", "Monitoring system components for anomalies", None),
    ("CC7.3", "Evaluating security events to decide whether they are incidents", None),
    ("CC7.4", "Responding to security incidents", None),
    ("CC7.5", "Recovering from security incidents", None),
    ("CC8.1", "Managing changes to infrastructure, data, software and procedures", None),
    ("CC9.1", "Mitigating risks from business disruption", None),
    ("CC9.2", "Managing risks from vendors and business partners", None),
    ("A1.1", "Managing and planning processing capacity", None),
    ("A1.2", "Environmental protections, backups and recovery infrastructure", None),
    ("A1.3", "Testing recovery plans", None),
    ("C1.1", "Identifying and protecting confidential information", None),
    ("C1.2", "Disposing of confidential information", None),
    ("PI1.1", "Defining processing objectives and data specifications", None),
    ("PI1.2", "Complete and accurate system inputs", None),
    ("PI1.3", "Complete, accurate and timely processing", None),
    ("PI1.4", "Complete, accurate and timely outputs", None),
    ("PI1.5", "Storing inputs, in-process items and outputs", None),
    ("P1.1", "Privacy notice", None),
    ("P2.1", "Choice and consent", None),
    ("P3.1", "Collecting personal information for identified purposes", None),
    ("P3.2", "Explicit consent for collection where required", None),
    ("P4.1", "Limiting use of personal information to its purposes", None),
    ("P4.2", "Retaining personal information", None),
    ("P4.3", "Disposing of personal information securely", None),
    ("P5.1", "Data subject access to their personal information", None),
    ("P5.2", "Correcting personal information", None),
    ("P6.1", "Disclosing personal information to third parties with consent", None),
    ("P6.2", "Recording authorised disclosures", None),
    ("P6.3", "Recording unauthorised disclosures", None),
    ("P6.4", "Privacy commitments from third parties", None),
    ("P6.5", "Third parties reporting unauthorised disclosures", None),
    ("P6.6", "Notifying affected people of breaches and incidents", None),
    ("P6.7", "Giving data subjects an accounting of disclosures", None),
    ("P7.1", "Keeping personal information accurate and complete", None),
    ("P8.1", "Handling privacy inquiries, complaints and disputes", None),
]

_ISO_CLAUSES = [
    ("4.1", "Understanding the organization and its context", "Context of the organization"),
    ("4.2", "Understanding the needs and expectations of interested parties", "Context of the organization"),
    ("4.3", "Determining the scope of the information security management system", "Context of the organization"),
    ("4.4", "Information security management system", "Context of the organization"),
    ("5.1", "Leadership and commitment", "Leadership"),
    ("5.2", "Policy", "Leadership"),
    ("5.3", "Organizational roles, responsibilities and authorities", "Leadership"),
    ("6.1", "Actions to address risks and opportunities", "Planning"),
    ("6.1.2", "Information security risk assessment", "Planning"),
    ("6.1.3", "Information security risk treatment", "Planning"),
    ("6.2", "Information security objectives and planning to achieve them", "Planning"),
    ("6.3", "Planning of changes", "Planning"),
    ("7.1", "Resources", "Support"),
    ("7.2", "Competence", "Support"),
    ("7.3", "Awareness", "Support"),
    ("7.4", "Communication", "Support"),
    ("7.5", "Documented information", "Support"),
    ("8.1", "Operational planning and control", "Operation"),
    ("8.2", "Information security risk assessment", "Operation"),
    ("8.3", "Information security risk treatment", "Operation"),
    ("9.1", "Monitoring, measurement, analysis and evaluation", "Performance evaluation"),
    ("9.2", "Internal audit", "Performance evaluation"),
    ("9.3", "Management review", "Performance evaluation"),
    ("10.1", "Continual improvement", "Improvement"),
    ("10.2", "Nonconformity and corrective action", "Improvement"),
]

_ISO_THEMES = {"5": "organizational", "6": "people", "7": "physical", "8": "technological"}

_ISO_NEW_2022 = {"A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11",
                 "A.8.12", "A.8.16", "A.8.23", "A.8.28"}

_ISO_CONTROLS = [
    ("A.5.1", "Policies for information security"),
    ("A.5.2", "Information security roles and responsibilities"),
    ("A.5.3", "Segregation of duties"),
    ("A.5.4", "Management responsibilities"),
    ("A.5.5", "Contact with authorities"),
    ("A.5.6", "Contact with special interest groups"),
    ("A.5.7", "Threat intelligence"),
    ("A.5.8", "Information security in project management"),
    ("A.5.9", "Inventory of information and other associated assets"),
    ("A.5.10", "Acceptable use of information and other associated assets"),
    ("A.5.11", "Return of assets"),
    ("A.5.12", "Classification of information"),
    ("A.5.13", "Labelling of information"),
    ("A.5.14", "Information transfer"),
    ("A.5.15", "Access control"),
    ("A.5.16", "Identity management"),
    ("A.5.17", "Authentication information"),
    ("A.5.18", "Access rights"),
    ("A.5.19", "Information security in supplier relationships"),
    ("A.5.20", "Addressing information security within supplier agreements"),
    ("A.5.21", "Managing information security in the ICT supply chain"),
    ("A.5.22", "Monitoring, review and change management of supplier services"),
    ("A.5.23", "Information security for use of cloud services"),
    ("A.5.24", "Information security incident management planning and preparation"),
    ("A.5.25", "Assessment and decision on information security events"),
    ("A.5.26", "Response to information security incidents"),
    ("A.5.27", "Learning from information security incidents"),
    ("A.5.28", "Collection of evidence"),
    ("A.5.29", "Information security during disruption"),
    ("A.5.30", "ICT readiness for business continuity"),
    ("A.5.31", "Legal, statutory, regulatory and contractual requirements"),
    ("A.5.32", "Intellectual property rights"),
    ("A.5.33", "Protection of records"),
    ("A.5.34", "Privacy and protection of PII"),
    ("A.5.35", "Independent review of information security"),
    ("A.5.36", "Compliance with policies, rules and standards for information security"),
    ("A.5.37", "Documented operating procedures"),
    ("A.6.1", "Screening"),
    ("A.6.2", "Terms and conditions of employment"),
    ("A.6.3", "Information security awareness, education and training"),
    ("A.6.4", "Disciplinary process"),
    ("A.6.5", "Responsibilities after termination or change of employment"),
    ("A.6.6", "Confidentiality or non-disclosure agreements"),
    ("A.6.7", "Remote working"),
    ("A.6.8", "Information security event reporting"),
    ("A.7.1", "Physical security perimeters"),
    ("A.7.2", "Physical entry"),
    ("A.7.3", "Securing offices, rooms and facilities"),
    ("A.7.4", "Physical security monitoring"),
    ("A.7.5", "Protecting against physical and environmental threats"),
    ("A.7.6", "Working in secure areas"),
    ("A.7.7", "Clear desk and clear screen"),
    ("A.7.8", "Equipment siting and protection"),
    ("A.7.9", "Security of assets off-premises"),
    ("A.7.10", "Storage media"),
    ("A.7.11", "Supporting utilities"),
    ("A.7.12", "Cabling security"),
    ("A.7.13", "Equipment maintenance"),
    ("A.7.14", "Secure disposal or re-use of equipment"),
    ("A.8.1", "User end point devices"),
    ("A.8.2", "Privileged access rights"),
    ("A.8.3", "Information access restriction"),
    ("A.8.4", "Access to source code"),
    ("A.8.5", "Secure authentication"),
    ("A.8.6", "Capacity management"),
    ("A.8.7", "Protection against malware"),
    ("A.8.8", "Management of technical vulnerabilities"),
    ("A.8.9", "Configuration management"),
    ("A.8.10", "Information deletion"),
    ("A.8.11", "Data masking"),
    ("A.8.12", "Data leakage prevention"),
    ("A.8.13", "Information backup"),
    ("A.8.14", "Redundancy of information processing facilities"),
    ("A.8.15", "Logging"),
    ("A.8.16", "Monitoring activities"),
    ("A.8.17", "Clock synchronization"),
    ("A.8.18", "Use of privileged utility programs"),
    ("A.8.19", "Installation of software on operational systems"),
    ("A.8.20", "Networks security"),
    ("A.8.21", "Security of network services"),
    ("A.8.22", "Segregation of networks"),
    ("A.8.23", "Web filtering"),
    ("A.8.24", "Use of cryptography"),
    ("A.8.25", "Secure development life cycle"),
    ("A.8.26", "Application security requirements"),
    ("A.8.27", "Secure system architecture and engineering principles"),
    ("A.8.28", "Secure coding"),
    ("A.8.29", "Security testing in development and acceptance"),
    ("A.8.30", "Outsourced development"),
    ("A.8.31", "Separation of development, test and production environments"),
    ("A.8.32", "Change management"),
    ("A.8.33", "Test information"),
    ("A.8.34", "Protection of information systems during audit testing"),
]


def _series(criterion_id: str) -> str:
    return criterion_id.split(".")[0]


def _build() -> dict[str, Entry]:
    entries: list[Entry] = []
    for cid, title, principle in _SOC2:
        theme, category = _SOC2_SERIES[_series(cid)]
        entries.append(Entry(cid, "soc2", "criterion", title, theme, category, principle))
    for cid, title, theme in _ISO_CLAUSES:
        entries.append(Entry(cid, "iso27001", "clause", title, theme))
    for cid, title in _ISO_CONTROLS:
        theme = _ISO_THEMES[cid.split(".")[1]]
        entries.append(Entry(cid, "iso27001", "control", title, theme,
                             new_in_2022=cid in _ISO_NEW_2022))
    return {e.id: e for e in entries}


CATALOG: dict[str, Entry] = _build()

SOC2_IDS = tuple(e.id for e in CATALOG.values() if e.framework == "soc2")
ISO_CLAUSE_IDS = tuple(e.id for e in CATALOG.values() if e.kind == "clause")
ISO_CONTROL_IDS = tuple(e.id for e in CATALOG.values() if e.kind == "control")
# SOC 2 series -> (title, category): "CC6" -> ("Logical and physical access controls", "security")
SOC2_SERIES: dict[str, tuple[str, str]] = dict(_SOC2_SERIES)
