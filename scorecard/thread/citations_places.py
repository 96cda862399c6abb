"""Where each cited line of the iCAN documents is: its section and opening words."""

# Made from the documents' texts by `python -m scorecard.commands.citations SEEDS`;
# run it again after adding a citation to the framework. Not edited by hand.

from __future__ import annotations

from typing import Final

PLACES: Final[dict[str, tuple[str, str]]] = {
    "000_2cc581081d893adc.txt:177": (
        "",
        "6,600 people could avoid attending the emergency department…",
    ),
    "000_2cc581081d893adc.txt:605": (
        "",
        "7% reduction of over-65 bed-days through reducing the…",
    ),
    "003_3170e59ef2e0f1c1.txt:1316": (
        "",
        "I am linked in to the wider voluntary…",
    ),
    "003_3170e59ef2e0f1c1.txt:1317": (
        "",
        "I am supported to remain at home and…",
    ),
    "003_3170e59ef2e0f1c1.txt:1318": (
        "",
        "I am involved in my care and understand…",
    ),
    "003_3170e59ef2e0f1c1.txt:1319": (
        "",
        "my care is reviewed regularly with me and…",
    ),
    "003_3170e59ef2e0f1c1.txt:1320": (
        "",
        "I can access crisis response services in a…",
    ),
    "003_3170e59ef2e0f1c1.txt:1321": (
        "",
        "I understand alternative options to the Emergency Department",
    ),
    "003_3170e59ef2e0f1c1.txt:1322": (
        "",
        "If admission is necessary, I will have a…",
    ),
    "003_3170e59ef2e0f1c1.txt:1323": (
        "",
        "I will be returned home as the first…",
    ),
    "003_3170e59ef2e0f1c1.txt:1569": (
        "",
        "Time to be listened to by health professionals…",
    ),
    "003_3170e59ef2e0f1c1.txt:1571": (
        "",
        "Services to be available locally to me, timely…",
    ),
    "003_3170e59ef2e0f1c1.txt:1573": (
        "",
        "To have a support person to help me…",
    ),
    "003_3170e59ef2e0f1c1.txt:1575": (
        "",
        "To tell my story once and it be…",
    ),
    "003_3170e59ef2e0f1c1.txt:1577": (
        "",
        "To have the same choice and opportunities whether…",
    ),
    "003_3170e59ef2e0f1c1.txt:1579": (
        "",
        "For me to gain skills and confidence to…",
    ),
    "003_3170e59ef2e0f1c1.txt:1581": (
        "",
        "When I am in a crisis I want…",
    ),
    "003_3170e59ef2e0f1c1.txt:1583": (
        "",
        "For me and those supporting me to make…",
    ),
    "003_3170e59ef2e0f1c1.txt:1587": (
        "",
        "Outcomes: Resident “I” Statements – iCAN in 2025",
    ),
    "003_3170e59ef2e0f1c1.txt:1594": (
        "",
        "I am able to look after my physical…",
    ),
    "003_3170e59ef2e0f1c1.txt:1682": (
        "",
        "Every day, 149 over-65s come to ED, 93…",
    ),
    "003_3170e59ef2e0f1c1.txt:1954": (
        "",
        "*Home-based = Pathway 1, Bed-based = Pathway 2",
    ),
    "003_3170e59ef2e0f1c1.txt:2026": (
        "",
        "(10) Foundations: Single dashboard version of demand, flow…",
    ),
    "003_3170e59ef2e0f1c1.txt:2045": (
        "",
        "The programme began with three core streams or…",
    ),
    "003_3170e59ef2e0f1c1.txt:2053": (
        "",
        "Community Resilience Summary",
    ),
    "003_3170e59ef2e0f1c1.txt:2089": (
        "",
        "What the Frailty, Escalation and Front Door work…",
    ),
    "003_3170e59ef2e0f1c1.txt:2121": (
        "",
        "Increase knowledge of frailty system-wide through training",
    ),
    "003_3170e59ef2e0f1c1.txt:2127": (
        "",
        "What our Flow and Grip work is targeting?",
    ),
    "003_3170e59ef2e0f1c1.txt:2145": (
        "",
        "Improving ward flow and control",
    ),
    "003_3170e59ef2e0f1c1.txt:2147": (
        "",
        "Embedding true discharge to assess",
    ),
    "003_3170e59ef2e0f1c1.txt:2173": (
        "",
        "Clearing the decks for increased community capacity",
    ),
    "003_3170e59ef2e0f1c1.txt:2227": (
        "",
        "Community hubs and rapid response",
    ),
    "003_3170e59ef2e0f1c1.txt:2322": (
        "",
        "10 iCAN outcomes",
    ),
    "003_3170e59ef2e0f1c1.txt:2367": (
        "",
        "Stay Well Page 127 Opportunity to be fit,…",
    ),
    "003_3170e59ef2e0f1c1.txt:2368": (
        "",
        "Stay Well Access to health and social care…",
    ),
    "003_3170e59ef2e0f1c1.txt:2369": (
        "",
        "Age Well Opportunity to be fit, well and…",
    ),
    "003_3170e59ef2e0f1c1.txt:2441": (
        "",
        "Telecare and Assistive technology £648,000",
    ),
    "003_3170e59ef2e0f1c1.txt:2628": (
        "",
        "System-wide KPIs",
    ),
    "003_3170e59ef2e0f1c1.txt:2651": (
        "",
        "These measures may not be directly linked to…",
    ),
    "003_3170e59ef2e0f1c1.txt:317": (
        "",
        "At the Chairman's invitation the Director of Adults,…",
    ),
    "003_3170e59ef2e0f1c1.txt:321": (
        "",
        "On admission to Care homes there was a…",
    ),
    "003_3170e59ef2e0f1c1.txt:323": (
        "",
        "The final month's performance in relation to people…",
    ),
    "004_76ce9cc29bd9e152.txt:1057": (
        "10 iCAN outcomes",
        "10 iCAN outcomes",
    ),
    "004_76ce9cc29bd9e152.txt:109": (
        "2) Integrated MDT Approach to Community Health &…",
        "PCN Age Well Teams",
    ),
    "004_76ce9cc29bd9e152.txt:1093": (
        "iCAN is targeting specific operational benefits",
        "Case reviews of a random selection of cases…",
    ),
    "004_76ce9cc29bd9e152.txt:1094": (
        "iCAN is targeting specific operational benefits",
        "Case reviews of a random selection of people…",
    ),
    "004_76ce9cc29bd9e152.txt:1095": (
        "iCAN is targeting specific operational benefits",
        "Case reviews of a random selection of people…",
    ),
    "004_76ce9cc29bd9e152.txt:1096": (
        "iCAN is targeting specific operational benefits",
        "A review of the next steps for the…",
    ),
    "004_76ce9cc29bd9e152.txt:1098": (
        "iCAN outcomes framework example scorecard",
        "iCAN outcomes framework example scorecard",
    ),
    "004_76ce9cc29bd9e152.txt:110": (
        "2) Integrated MDT Approach to Community Health &…",
        "Community Asset Groups",
    ),
    "004_76ce9cc29bd9e152.txt:1105": (
        "iCAN outcomes framework example scorecard",
        "Stay Well Opportunity to be fit, well and…",
    ),
    "004_76ce9cc29bd9e152.txt:1106": (
        "iCAN outcomes framework example scorecard",
        "Stay Well Access to health and social care…",
    ),
    "004_76ce9cc29bd9e152.txt:1107": (
        "iCAN outcomes framework example scorecard",
        "Age Well Opportunity to be fit, well and…",
    ),
    "004_76ce9cc29bd9e152.txt:1115": (
        "Financial benefits – the ICAN Programme",
        "The baseline for comparison and savings calculations is…",
    ),
    "004_76ce9cc29bd9e152.txt:1117": (
        "Financial benefits – the ICAN Programme",
        "YR1 (2021/22) £'000 YR2 (2022/23) £'000 YR3 (2023/34)…",
    ),
    "004_76ce9cc29bd9e152.txt:1119": (
        "Financial benefits – the ICAN Programme",
        "Reduce A&E attendances (including associated admission & LoS)…",
    ),
    "004_76ce9cc29bd9e152.txt:1120": (
        "Financial benefits – the ICAN Programme",
        "j Reduce Admissions (including associated LoS) 512 1,280…",
    ),
    "004_76ce9cc29bd9e152.txt:1121": (
        "Financial benefits – the ICAN Programme",
        "Reduce admissions avoidance packages 224 560 1,120 1,120…",
    ),
    "004_76ce9cc29bd9e152.txt:1122": (
        "Financial benefits – the ICAN Programme",
        "Reduce bed days 734 1,835 3,670 3,670 3,670…",
    ),
    "004_76ce9cc29bd9e152.txt:1123": (
        "Financial benefits – the ICAN Programme",
        "Reduction in cost of CHC packages 120 300…",
    ),
    "004_76ce9cc29bd9e152.txt:1124": (
        "Financial benefits – the ICAN Programme",
        "Total Benefits 2,668 6,670 13,340 13,340 13,340 49,358",
    ),
    "004_76ce9cc29bd9e152.txt:1126": (
        "Financial benefits – the ICAN Programme",
        "All savings and costs were translated from operational…",
    ),
    "004_76ce9cc29bd9e152.txt:1128": (
        "Financial benefits – the ICAN Programme",
        "The benefits are being tracked via a benefits…",
    ),
    "004_76ce9cc29bd9e152.txt:1142": (
        "Investments",
        "Internal costs (PMO & Backfill) 1,850 1,850 1,000…",
    ),
    "004_76ce9cc29bd9e152.txt:1143": (
        "Investments",
        "Newton 8,000 0 0 0 0 8,000",
    ),
    "004_76ce9cc29bd9e152.txt:1146": (
        "Investments",
        "ICT & DN Pay Costs 462 2,740 2,740…",
    ),
    "004_76ce9cc29bd9e152.txt:1147": (
        "Investments",
        "Additional IV Costs - ТВС ТВС TBC TBC…",
    ),
    "004_76ce9cc29bd9e152.txt:1148": (
        "Investments",
        "Additional resource within maximum resource envelope 958 4,360…",
    ),
    "004_76ce9cc29bd9e152.txt:115": (
        "2) Integrated MDT Approach to Community Health &…",
        "Community Nursing",
    ),
    "004_76ce9cc29bd9e152.txt:116": (
        "2) Integrated MDT Approach to Community Health &…",
        "Rapid Response & Community Rehab",
    ),
    "004_76ce9cc29bd9e152.txt:1164": (
        "Budgets for a collaborative delivery model (1)",
        "Telecare and Assistive technology £648,000",
    ),
    "004_76ce9cc29bd9e152.txt:129": (
        "2) Integrated MDT Approach to Community Health &…",
        "Integrated Pathway 2 services (Recovering Independence Beds)",
    ),
    "004_76ce9cc29bd9e152.txt:1343": (
        "Outcome-Based Payment Mechanism",
        "The majority of the desired outcomes expressed through…",
    ),
    "004_76ce9cc29bd9e152.txt:1357": (
        "How will these be produced and used to…",
        "System-wide KPIs Attendances, admissions, LoS, Bed days and…",
    ),
    "004_76ce9cc29bd9e152.txt:155": (
        "iCAN plan to address priority issues (1)",
        "Too many people admitted to hospital unnecessarily High…",
    ),
    "004_76ce9cc29bd9e152.txt:156": (
        "iCAN plan to address priority issues (1)",
        "People stay too long in Hospital Discharge processes…",
    ),
    "004_76ce9cc29bd9e152.txt:157": (
        "iCAN plan to address priority issues (1)",
        "We are not maximising independence Lack of understanding…",
    ),
    "004_76ce9cc29bd9e152.txt:361": (
        "iCAN business case: the demographic challenge",
        "The NHSE business case for iCAN originally set…",
    ),
    "004_76ce9cc29bd9e152.txt:387": (
        "Progress against ICS comparators",
        "Our second improvement was to decrease our super…",
    ),
    "004_76ce9cc29bd9e152.txt:412": (
        "GP practice demand and priorities",
        "Primary care sits at the heart of our…",
    ),
    "004_76ce9cc29bd9e152.txt:468": (
        'Outcomes: Resident "I" Statements – iCAN in 2025',
        'Outcomes: Resident "I" Statements – iCAN in 2025',
    ),
    "004_76ce9cc29bd9e152.txt:489": (
        "Engaging patients – the People Advisory Group (PAG)",
        "The PAG gives the people group (including those…",
    ),
    "004_76ce9cc29bd9e152.txt:542": (
        "iCAN benefits and outcomes for people",
        "The latest ONS data shows there are 138,200…",
    ),
    "004_76ce9cc29bd9e152.txt:546": (
        "iCAN benefits and outcomes for people",
        "Every day, on average, 26.5 over-65s access urgent…",
    ),
    "004_76ce9cc29bd9e152.txt:550": (
        "iCAN benefits and outcomes for people",
        "Every day, 149 over-65s come to ED, 93…",
    ),
    "004_76ce9cc29bd9e152.txt:560": (
        "iCAN benefits and outcomes for people",
        "We could support more people who have had…",
    ),
    "004_76ce9cc29bd9e152.txt:741": (
        "iCAN collaborative aspirations",
        "The collaborative is committed to transforming services for…",
    ),
    "004_76ce9cc29bd9e152.txt:791": (
        "The challenge facing intermediate care pathways",
        "Through improving capacity and flow we will make…",
    ),
    "004_76ce9cc29bd9e152.txt:793": (
        "The challenge facing intermediate care pathways",
        "The graph shown to the right shows how…",
    ),
    "004_76ce9cc29bd9e152.txt:830": (
        "National priorities, 'Age Well' and improved discharge",
        "Develop more rapid community response teams, to support…",
    ),
    "004_76ce9cc29bd9e152.txt:891": (
        "These targets were set for the first two…",
        "\\* Against a baseline of 660 patients per…",
    ),
    "004_76ce9cc29bd9e152.txt:893": (
        "These targets were set for the first two…",
        "\\*\\* As measured against October 2021's baseline data",
    ),
    "004_76ce9cc29bd9e152.txt:909": (
        "How will iCAN deliver it objectives",
        "Integrated Care Across Northamptonshire (ICAN) Foundation Programme 1.…",
    ),
}
