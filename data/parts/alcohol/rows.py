# -*- coding: utf-8 -*-
# Source of the CSVs in this folder. Every number below was read in this session via the `search` tool.

K97 = dict(study_id="krupitsky1997", first_author="Krupitsky", year=1997, doi="10.1080/02791072.1997.10400185", pmid="",
           condition="alcohol", design="nonrandomised_controlled", randomised="false", blinding="open",
           intervention="ketamine psychedelic therapy (KPT: subanesthetic ketamine session with preparatory and post-session psychotherapy) added to standard alcoholism treatment; ketamine dose/route not read",
           comparator="conventional (standard) alcoholism treatment without KPT", comparator_type="treatment as usual")
D20 = dict(study_id="dakwar2020", first_author="Dakwar", year=2020, doi="10.1176/appi.ajp.2019.19070684", pmid="",
           condition="alcohol", design="parallel_rct", randomised="true", blinding="double-blind",
           intervention="ketamine 0.71 mg/kg IV over 52 min, single infusion in week 2 + 5-week MET",
           comparator="midazolam 0.025 mg/kg IV over 52 min, single infusion + 5-week MET", comparator_type="active placebo")
G22 = dict(study_id="grabski2022", first_author="Grabski", year=2022, doi="10.1176/appi.ajp.2021.21030277", pmid="",
           condition="alcohol", design="parallel_rct", randomised="true", blinding="double-blind")
DAS = dict(study_id="das2019", first_author="Das", year=2019, doi="10.1038/s41467-019-13162-w", pmid="31772157",
           condition="alcohol", design="parallel_rct", randomised="true", blinding="double-blind")
Y19 = dict(study_id="yoon2019", first_author="Yoon", year=2019, doi="10.1001/jamapsychiatry.2018.3990", pmid="",
           condition="alcohol", design="uncontrolled", randomised="false", blinding="open",
           intervention="ketamine 0.5 mg/kg IV once weekly x4 + extended-release naltrexone 380 mg IM once (2-6 days before first infusion)",
           comparator="none", comparator_type="none")
Y25 = dict(study_id="yoon2025", first_author="Yoon", year=2025, doi="10.1093/ijnp/pyaf056", pmid="40795937",
           condition="alcohol", design="parallel_rct", randomised="true", blinding="double-blind")
GENT = dict(study_id="gent2024", first_author="Gent", year=2024, doi="10.1177/02698811241254834", pmid="38863284",
           condition="alcohol", design="parallel_rct", randomised="true", blinding="double-blind",
           intervention="esketamine hydrochloride (AWKN002) 115.1 mg sublingual oral thin film, single dose + 2 weeks daily mindfulness-based intervention",
           comparator="vitamin C placebo sublingual oral thin film, single dose + 2 weeks daily mindfulness-based intervention", comparator_type="placebo")

def r(base, **kw):
    d = dict(base); d.update(kw); return d

KRU_ABS = "10.1080/02791072.1997.10400185, Abstract (publisher abstract as shown at https://scilit.com/publications/9d3c5cc5f2928fe53a0e6a2b6d390253)"
DAK_ABS = "10.1176/appi.ajp.2019.19070684, Abstract (https://psychiatryonline.org/doi/full/10.1176/appi.ajp.2019.19070684)"
GRA_ABS = "10.1176/appi.ajp.2021.21030277, Abstract (https://psychiatryonline.org/doi/full/10.1176/appi.ajp.2021.21030277)"
DAS_ABS = "10.1038/s41467-019-13162-w, Abstract (UCL Discovery record https://discovery.ucl.ac.uk/id/eprint/10086992)"
Y25_ABS = "10.1093/ijnp/pyaf056, Abstract (PubMed 40795937 as mirrored at http://47.251.13.51:8081/40795937)"
GENT_ABS = "10.1177/02698811241254834, Abstract (PubMed 38863284 as mirrored at http://47.251.13.51:8081/38863284)"

STUDIES = [
  r(K97, n_intervention=111, n_comparator=100, outcome="abstinence", outcome_type="binary", timepoint="12 months",
    events_intervention=73, events_comparator=24, effect_measure="RR", data_level="arm", source_type="primary",
    source_locator=KRU_ABS,
    source_quote="Total abstinence for more than one year was observed in 73 out of Ill (65.8%) alcoholic patients in the KPT group, compared to 24% (24 out of 100 patients) of the conventional treatment control group (p<0.01)",
    notes="'Ill' is the page's OCR of 111. Timepoint = 'more than one year' of total abstinence after treatment. Allocation method (non-random) and how controls were selected/followed not read in this session; the paper is a 10-year review pooling the authors' KPT studies."),

  r(D20, n_intervention=17, n_comparator=23, outcome="abstinence", outcome_type="binary", timepoint="21 days",
    data_level="narrative", source_type="primary", source_locator=DAK_ABS,
    source_quote="A longitudinal logistic mixed-effects model was used to model daily abstinence from alcohol over the 21 days after ketamine infusion. ... Ketamine significantly increased the likelihood of abstinence",
    notes="Primary outcome (self-reported daily abstinence over 21 days post-infusion, confirmed by urine EtG). n = randomised per arm. Arm-level numbers/OR from Results section not read (only the abstract chunk of the page was retrievable)."),
  r(D20, n_intervention=17, n_comparator=23, outcome="heavy_drinking_days", outcome_type="binary", timepoint="21 days",
    data_level="narrative", source_type="primary", source_locator=DAK_ABS,
    source_quote="Ketamine significantly ... reduced the likelihood of heavy drinking days compared with midazolam.",
    notes="Heavy drinking day = more than four drinks per day (men) / more than three (women) (Introduction). Daily-level outcome modelled over the post-infusion period; numbers not read."),
  r(D20, n_intervention=17, n_comparator=23, outcome="relapse", outcome_type="time_to_event", timepoint="21 days",
    data_level="narrative", source_type="primary", source_locator=DAK_ABS,
    source_quote="Ketamine significantly increased the likelihood of abstinence, delayed the time to relapse",
    notes="Time to relapse or study dropout (Introduction). HR/numbers not read. Timepoint = post-infusion observation window."),
  r(D20, n_intervention=17, n_comparator=23, outcome="adverse_events", outcome_type="count", timepoint="21 days",
    data_level="narrative", source_type="primary", source_locator=DAK_ABS,
    source_quote="Infusions were well tolerated, with no participants removed from the study as a result of adverse events.",
    notes="Only withdrawals due to AEs stated (none)."),

  r(G22, intervention="ketamine 0.8 mg/kg IV over 40 min, 3 weekly infusions (pooled ketamine+therapy and ketamine+education arms)",
    comparator="saline IV, 3 weekly infusions (pooled saline+therapy and saline+education arms)", comparator_type="placebo",
    n_intervention="", n_comparator="", outcome="percent_days_abstinent", outcome_type="continuous", timepoint="6 months",
    effect_measure="MD", effect=10.1, ci_low=1.1, ci_high=19.0, data_level="contrast", source_type="primary", source_locator=GRA_ABS,
    source_quote="there were a significantly greater number of days abstinent from alcohol in the ketamine group compared with the placebo group at 6-month follow-up (mean difference=10.1%, 95% CI=1.1, 19.0)",
    notes="Co-primary outcome (self-reported % days abstinent, 6-month follow-up). 96 randomised and in ITT; per-arm n not read, so n cells left empty. MD in percentage points. New outcome name, see notes.md."),
  r(G22, intervention="ketamine 0.8 mg/kg IV over 40 min, 3 weekly infusions + psychological therapy (mindfulness-based relapse prevention)",
    comparator="saline IV, 3 weekly infusions + alcohol education", comparator_type="placebo",
    n_intervention="", n_comparator="", outcome="percent_days_abstinent", outcome_type="continuous", timepoint="6 months",
    effect_measure="MD", effect=15.9, ci_low=3.8, ci_high=28.1, data_level="contrast", source_type="primary", source_locator=GRA_ABS,
    source_quote="with the greatest reduction in the ketamine plus therapy group compared with the saline plus education group (15.9%, 95% CI=3.8, 28.1)",
    notes="Arm-vs-arm contrast of the 2x2 factorial (drug and therapy differ): not a pure ketamine effect; do not pool with the pooled ketamine-vs-placebo row. Per-arm n not read."),
  r(G22, intervention="ketamine 0.8 mg/kg IV over 40 min, 3 weekly infusions (pooled ketamine arms)",
    comparator="saline IV, 3 weekly infusions (pooled saline arms)", comparator_type="placebo",
    n_intervention="", n_comparator="", outcome="relapse", outcome_type="binary", timepoint="6 months",
    data_level="narrative", source_type="primary", source_locator=GRA_ABS,
    source_quote="There was no significant difference in relapse rate between the ketamine and placebo groups.",
    notes="Co-primary outcome (confirmed alcohol relapse at 6-month follow-up). Numbers not read."),
  r(G22, intervention="ketamine 0.8 mg/kg IV over 40 min, 3 weekly infusions (pooled ketamine arms)",
    comparator="saline IV, 3 weekly infusions (pooled saline arms)", comparator_type="placebo",
    n_intervention="", n_comparator="", outcome="adverse_events", outcome_type="count", timepoint="6 months",
    data_level="narrative", source_type="primary", source_locator=GRA_ABS,
    source_quote="The treatment was well tolerated, and no serious adverse events were associated with the study drug.",
    notes="Serious AEs attributed to study drug: none. Timepoint = whole follow-up."),

  r(DAS, intervention="ketamine IV (single infusion) immediately after retrieval of alcohol-reward memories (RET + KET)",
    comparator="placebo infusion after memory retrieval (retrieval alone)", comparator_type="placebo",
    n_intervention="", n_comparator="", outcome="drinks_per_day", outcome_type="continuous", timepoint="9 months",
    data_level="narrative", source_type="primary", source_locator=DAS_ABS,
    source_quote="MRM retrieval + ketamine (RET + KET) effectively reduced the reinforcing effects of alcohol and long-term drinking levels, compared to ketamine or retrieval alone.",
    notes="Blinding coded double-blind from the placebo-infusion design; blinding statement not read verbatim. Population: non-treatment-seeking hazardous drinkers (not diagnosed AUD); total n=90 (press reports only), per-arm n not read. Expert comment (Science Media Centre) notes baseline drinking differed between groups. Third arm: ketamine without retrieval (No RET + KET). Drinking levels were volume consumed and drinking days per week; arm-level numbers not read. Timepoint 9 months = longest follow-up as stated in the Discussion (read only in a third-party copy of the article). Author Correction published 2020 (doi 10.1038/s41467-020-16762-z) - content not read."),

  r(Y19, n_intervention=5, n_comparator="", outcome="depression_response", outcome_type="binary", timepoint="4 weeks",
    data_level="narrative", source_type="secondary",
    source_locator="https://mdedge9-ma1.mdedge.com/content/naltrexone/ketamine-combo-may-reduce-depressive-symptoms-mdd/aud-patients (news report of 10.1001/jamapsychiatry.2018.3990)",
    source_quote="After the first ketamine dose, three of the five study participants met the primary outcome, and all five met the outcome after receiving all four doses.",
    notes="Case series (open-label, n=5, no control); comorbid major depressive disorder + AUD. Response = >=50% MADRS improvement. Read only in a news report (secondary) - numbers not entered. This is NOT a randomised pilot; the randomised trial is yoon2025."),

  r(Y25, intervention="ketamine 0.5 mg/kg IV once weekly x4 + saline IM",
    comparator="midazolam 0.045 mg/kg IV once weekly x4 + saline IM", comparator_type="active placebo",
    n_intervention=19, n_comparator=19, outcome="depression_score", outcome_type="continuous", timepoint="4 weeks",
    data_level="narrative", source_type="primary", source_locator=Y25_ABS,
    source_quote="Of 65 participants, 58 received at least 1 ketamine/midazolam infusion: 20 in ketamine-naltrexone, 19 in ketamine-saline, 19 in midazolam-saline. All groups improved significantly (>80% depression remission). No group differences were observed",
    notes="Comorbid major depressive disorder + AUD (condition coded alcohol). Co-primary MADRS. n = participants with >=1 infusion. Abstract text was truncated after 'No group differences were observed'; timepoint = end of 4-week infusion phase (assumed from design; exact analysis timepoint not read)."),
  r(Y25, intervention="ketamine 0.5 mg/kg IV once weekly x4 + saline IM",
    comparator="midazolam 0.045 mg/kg IV once weekly x4 + saline IM", comparator_type="active placebo",
    n_intervention=19, n_comparator=19, outcome="abstinence", outcome_type="binary", timepoint="4 weeks",
    data_level="narrative", source_type="primary", source_locator=Y25_ABS,
    source_quote="Main outcomes and measures: Co-primary: MADRS; complete alcohol abstinence.",
    notes="Co-primary complete alcohol abstinence; result not read (abstract truncated). Comorbid MDD. A ketamine+naltrexone arm (n=20) also exists."),

  r(GENT, n_intervention="", n_comparator="", outcome="craving", outcome_type="continuous", timepoint="6 days",
    data_level="narrative", source_type="primary", source_locator=GENT_ABS,
    source_quote="Esketamine enhanced psychological engagement with a daily MBI, compared to placebo, and led to transient decreases in alcohol cravings.",
    notes="28 randomised; per-arm n not read. Primary outcome was engagement in MBI (not a vocabulary outcome). Timepoint 6 days = dose on day 8, final assessment day 14 (design read only in a secondary news summary, goamra.org); the decrease was 'transient'."),
  r(GENT, n_intervention="", n_comparator="", outcome="dissociation", outcome_type="continuous", timepoint="1 h",
    data_level="narrative", source_type="primary", source_locator=GENT_ABS,
    source_quote="Esketamine also resulted in significantly greater mystical experiences and dissociative states compared to placebo.",
    notes="Acute (dosing-day) dissociation; scale and numbers not read. Timepoint 1 h = dosing session; exact assessment time not read."),
]


NR = "not reported"
CHARS = [
  dict(study_id="krupitsky1997", title="Ketamine Psychedelic Therapy (KPT): A Review of the Results of Ten Years of Research",
       journal="Journal of Psychoactive Drugs", population="alcohol-dependent patients (alcoholism), Leningrad Regional Dispensary of Narcology",
       country="Russia", setting="addiction treatment service (Leningrad Regional Dispensary of Narcology)", n_randomised="",
       dose_route="subanesthetic ketamine; dose/route not read", sessions="KPT: preparation, ketamine session, post-session psychotherapy (number of ketamine sessions not read)",
       co_therapy="standard alcoholism treatment given to both groups; KPT group additionally received ketamine-assisted psychotherapy",
       follow_up="more than one year (abstinence outcome)", funding=NR, conflicts=NR, registration="none reported",
       source_locator="10.1080/02791072.1997.10400185 abstract (scilit.com/publications/9d3c5cc5f2928fe53a0e6a2b6d390253); author text at http://www.maps.org/research/ketamine/kptjpd.html (intro/method only read)",
       notes="Not randomised as far as read: abstract says 'controlled clinical trial' (KPT n=111 vs conventional treatment n=100); n_randomised empty because allocation was not random. Review article summarising 10 years of the authors' research."),
  dict(study_id="dakwar2020", title="A Single Ketamine Infusion Combined With Motivational Enhancement Therapy for Alcohol Use Disorder: A Randomized Midazolam-Controlled Pilot Trial",
       journal="American Journal of Psychiatry", population="treatment-seeking adults with alcohol dependence; mean age 53 (SD 9.8); ~5 drinks/day at entry",
       country="USA", setting="outpatient research clinic (New York State Psychiatric Institute per registry NCT02539511)", n_randomised=40,
       dose_route="ketamine 0.71 mg/kg IV over 52 min vs midazolam 0.025 mg/kg IV over 52 min", sessions="1 infusion (week 2, designated quit day)",
       co_therapy="5-week outpatient motivational enhancement therapy (MET), both arms", follow_up="21 days post-infusion (5-week trial)",
       funding="not read in paper; registry lists National Institute on Alcohol Abuse and Alcoholism (NIAAA) as collaborator", conflicts=NR,
       registration="NCT02539511",
       source_locator="10.1176/appi.ajp.2019.19070684 abstract and introduction (psychiatryonline.org); registry via clinicaltrialexchange.com/clinical-trials/Glutamatergic-Modulation-of-Disordered-Alcohol-Use/NCT02539511 and trial.medpath.com",
       notes="Randomised n per arm 17 ketamine / 23 midazolam. Published online 2 Dec 2019; print issue Feb 2020 (editorial 10.1176/appi.ajp.2019.19121242, published 1 Feb 2020, says 'In this issue'). Funding/conflict statements not read."),
  dict(study_id="grabski2022", title="Adjunctive Ketamine With Relapse Prevention-Based Psychological Therapy in the Treatment of Alcohol Use Disorder",
       journal="American Journal of Psychiatry", population="adults with severe alcohol use disorder, recently detoxified/abstinent; 35 women; mean age 44.07 (SD 10.59); registry inclusion BDI-II >14",
       country="United Kingdom", setting="multi-site phase 2 trial (sponsor University College London)", n_randomised=96,
       dose_route="ketamine 0.8 mg/kg IV over 40 min vs saline IV", sessions="3 weekly infusions",
       co_therapy="2x2 factorial: mindfulness-based relapse-prevention psychological therapy OR alcohol education, crossed with ketamine/saline",
       follow_up="6 months (also 3 months)", funding="not read in paper (press report: Medical Research Council)", conflicts=NR,
       registration="NCT02649231; EudraCT 2015-000222-11",
       source_locator="10.1176/appi.ajp.2021.21030277 abstract (psychiatryonline.org); clinicaltrials.gov/show/NCT02649231; clinicaltrialsregister.eu 2015-000222-11",
       notes="Four arms; per-arm n not read. Registry results posted (CT.gov 9 Sep 2021; EudraCT 1 May 2021) but result tables not retrievable in this session."),
  dict(study_id="das2019", title="Ketamine can reduce harmful drinking by pharmacologically rewriting drinking memories",
       journal="Nature Communications", population="non-treatment-seeking hazardous/harmful beer drinkers without AUD diagnosis (press reports: n=90, ~74 units/week)",
       country="United Kingdom", setting="laboratory study, University College London", n_randomised=90,
       dose_route="ketamine IV infusion (single) vs placebo infusion; dose not read", sessions="1 infusion after memory retrieval (RET + KET) vs retrieval + placebo vs ketamine without retrieval",
       co_therapy="alcohol-reward memory retrieval procedure (RET + KET and RET + PBO arms); none in No RET + KET arm",
       follow_up="10 days (lab) and up to 9 months (drinking levels)", funding=NR, conflicts=NR, registration=NR,
       source_locator="10.1038/s41467-019-13162-w abstract (discovery.ucl.ac.uk/id/eprint/10086992); n=90 from press (yahoo/UK news, tantasty copy of Newsweek)",
       notes="n_randomised=90 read only in press reports (secondary). Author Correction 10.1038/s41467-020-16762-z (11 June 2020) exists; content not read."),
  dict(study_id="yoon2019", title="Association of Combined Naltrexone and Ketamine With Depressive Symptoms in a Case series of Patients With Depression and Alcohol Use Disorder",
       journal="JAMA Psychiatry", population="5 patients with current major depressive disorder and alcohol use disorder",
       country="USA", setting="VA Connecticut Healthcare System (outpatient, open-label)", n_randomised="",
       dose_route="ketamine 0.5 mg/kg IV; extended-release naltrexone 380 mg IM", sessions="4 weekly ketamine infusions; 1 naltrexone injection 2-6 days before first infusion",
       co_therapy="none reported", follow_up="8 weeks (4-week treatment + 4-week follow-up)", funding=NR,
       conflicts="news report: two authors reported conflicts with numerous companies; all authors inventors on a Yale patent application",
       registration="NCT03658330",
       source_locator="10.1001/jamapsychiatry.2018.3990 (letter text as reproduced at moreblossom.com; news report mdedge; registry clinicaltrials.gov/show/NCT03658330)",
       notes="Uncontrolled open-label case series, NOT a randomised pilot. Comorbid depression. The randomised trial of the same programme is yoon2025 (NCT02461927)."),
  dict(study_id="yoon2025", title="Antidepressant efficacy of ketamine plus naltrexone for major depression comorbid with alcohol use disorder: a randomized controlled trial",
       journal="International Journal of Neuropsychopharmacology", population="65 adults with current MDD (MADRS >=20) and AUD, heavy drinking >=4 times in prior month",
       country="USA", setting="outpatients, VA Connecticut Healthcare System (registry)", n_randomised=65,
       dose_route="ketamine 0.5 mg/kg IV vs midazolam 0.045 mg/kg IV; naltrexone 380 mg IM or saline IM", sessions="4 weekly infusions + 1 IM injection",
       co_therapy="none reported (IM saline in ketamine-saline and midazolam-saline arms)", follow_up="8 weeks (registry: 4-week treatment + 4-week follow-up; 4-month session)",
       funding="not read in paper; registry sponsor VA Office of Research and Development", conflicts=NR, registration="NCT02461927",
       source_locator="10.1093/ijnp/pyaf056 abstract (PubMed 40795937 mirror; booksci.cn copy); registry NCT02461927 (ctv.veeva.com, trials.co)",
       notes="Added by curator: this is the randomised trial the brief's 'Yoon 2019 randomised pilot' most likely meant. 58 received >=1 infusion (20/19/19)."),
  dict(study_id="gent2024", title="Esketamine combined with a mindfulness-based intervention for individuals with alcohol problems",
       journal="Journal of Psychopharmacology", population="28 individuals with alcohol problems (secondary summary: moderate-severe AUD, mean age 22, 57% male)",
       country="United Kingdom", setting="University of Exeter study centre (secondary summary)", n_randomised=28,
       dose_route="esketamine hydrochloride (AWKN002) 115.1 mg sublingual oral thin film vs vitamin C placebo film", sessions="1 dose (day 8 of 14, per secondary summary)",
       co_therapy="2 weeks of daily mindfulness-based intervention (MBI), both arms", follow_up="14 days", funding=NR, conflicts=NR,
       registration="none reported (a trial database states no registration could be found)",
       source_locator="10.1177/02698811241254834 abstract (PubMed 38863284 mirror); design details from goamra.org/news/13383167 (secondary)",
       notes="Esketamine (not racemic ketamine). Primary outcome was engagement in MBI. AWKN002 is an Awakn Life Sciences product; funding statement not read."),
]

def rb(sid, tool, rows, loc):
    return [dict(study_id=sid, tool=tool, domain=d, judgement=j, support=s_, source_locator=loc) for d, j, s_ in rows]
ROB = []
ROB += rb("dakwar2020", "RoB 2", [
  ("D1 randomisation", "some concerns", "Abstract states participants were randomly assigned; sequence generation/concealment not read; unequal arms (17 vs 23) of N=40 unexplained in what was read."),
  ("D2 deviations from intended interventions", "some concerns", "Double-blind with active placebo midazolam (registry/abstract), which mitigates but may not prevent unblinding by ketamine dissociation; analysis population for the mixed model not read."),
  ("D3 missing outcome data", "some concerns", "Attrition not read; relapse outcome counts study dropout as an event."),
  ("D4 measurement of the outcome", "some concerns", "Self-reported drinking (timeline followback) with abstinence confirmed by urine ethyl glucuronide; participants possibly unblinded."),
  ("D5 selection of the reported result", "some concerns", "Registered (NCT02539511) but registry outcomes and analysis plan not compared with the paper; primary outcome (abstinence over 21 days) reported in abstract."),
  ("overall", "some concerns", "Small pilot; full methods/results not read - several domains unassessable rather than shown to be at high risk."),
], "10.1176/appi.ajp.2019.19070684, Abstract/Introduction; NCT02539511")
ROB += rb("grabski2022", "RoB 2", [
  ("D1 randomisation", "some concerns", "Randomised phase 2 trial (abstract, registry); sequence generation and allocation concealment not read."),
  ("D2 deviations from intended interventions", "some concerns", "Registry masking quadruple; saline placebo vs ketamine 0.8 mg/kg makes unblinding likely; ITT analysis of all 96 stated in abstract."),
  ("D3 missing outcome data", "some concerns", "All 96 in ITT analysis (abstract) but handling of missing 6-month drinking data not read."),
  ("D4 measurement of the outcome", "some concerns", "Self-reported percentage of days abstinent (subjective, possibly unblinded participants); relapse 'confirmed' (method not read)."),
  ("D5 selection of the reported result", "low", "Primary outcomes in paper (% days abstinent and relapse at 6 months) match the registered primary endpoints (NCT02649231: '% days abstinent at 6 months and relapse rates at 6 months')."),
  ("overall", "some concerns", "Blinding vulnerability with saline placebo and subjective primary outcome; other methods not read."),
], "10.1176/appi.ajp.2021.21030277, Abstract; clinicaltrials.gov/show/NCT02649231")
ROB += rb("das2019", "RoB 2", [
  ("D1 randomisation", "some concerns", "Random allocation to 3 groups (press/expert comment); method not read; Science Media Centre expert notes groups differed in baseline drinking."),
  ("D2 deviations from intended interventions", "some concerns", "Placebo infusion comparator; lead author acknowledges difficulty blinding ketamine vs placebo (sciencetimes report)."),
  ("D3 missing outcome data", "some concerns", "Follow-up to 9 months; retention not read."),
  ("D4 measurement of the outcome", "some concerns", "Self-reported drinking levels in non-treatment-seeking drinkers; assessor/participant blinding not read."),
  ("D5 selection of the reported result", "some concerns", "No registration or analysis plan read; multiple outcomes (reward ratings, drinking days, volume) at multiple time points."),
  ("overall", "some concerns", "Baseline imbalance in drinking and likely unblinding; full text not read."),
], "10.1038/s41467-019-13162-w, Abstract; sciencemediacentre.org/expert-reaction-to-study-using-ketamine-for-problem-drinking/")
ROB += rb("gent2024", "RoB 2", [
  ("D1 randomisation", "some concerns", "Abstract: participants 'randomly assigned'; sequence generation/concealment not read."),
  ("D2 deviations from intended interventions", "some concerns", "Inactive vitamin C placebo vs esketamine producing 'significantly greater ... dissociative states' (abstract): blinding very likely broken."),
  ("D3 missing outcome data", "some concerns", "Attrition of 28 participants not read."),
  ("D4 measurement of the outcome", "high", "Craving and engagement are self-reported subjective outcomes by participants likely aware of allocation (marked dissociation vs inert placebo)."),
  ("D5 selection of the reported result", "some concerns", "No registration found (trial database); many self-report measures; 'transient' craving effect highlighted."),
  ("overall", "high", "High risk in outcome measurement (D4) for subjective outcomes with an inert placebo."),
], "10.1177/02698811241254834, Abstract (PubMed 38863284)")
ROB += rb("yoon2025", "RoB 2", [
  ("D1 randomisation", "some concerns", "Randomised 1:1:1 (abstract); sequence generation/concealment not read."),
  ("D2 deviations from intended interventions", "some concerns", "Double-blind with active placebo midazolam; analysis restricted to 58/65 who received >=1 infusion (not full ITT)."),
  ("D3 missing outcome data", "some concerns", "7 of 65 randomised received no infusion and appear excluded; later attrition not read."),
  ("D4 measurement of the outcome", "some concerns", "MADRS clinician-rated and abstinence self-report; blinding of raters not read; possible unblinding by ketamine effects."),
  ("D5 selection of the reported result", "some concerns", "Registered NCT02461927; registry outcomes not compared in detail with paper."),
  ("overall", "some concerns", "Modified ITT and unread methods; abstract reports null between-group results."),
], "10.1093/ijnp/pyaf056, Abstract; NCT02461927")
ROB += rb("krupitsky1997", "ROBINS-I", [
  ("D1 confounding", "serious", "No randomisation reported; KPT group (n=111) compared with patients given conventional treatment (n=100); baseline comparability and adjustment not read."),
  ("D2 selection of participants", "no information", "How patients were selected into KPT vs control groups not read."),
  ("D3 classification of interventions", "low", "Interventions (KPT added to standard treatment vs standard treatment) clearly distinct."),
  ("D4 deviations from intended interventions", "no information", "Not read."),
  ("D5 missing data", "no information", "Completeness of >1-year follow-up not read."),
  ("D6 measurement of outcomes", "serious", "Open-label; 'total abstinence for more than one year' assessed with knowledge of treatment; verification method not read."),
  ("D7 selection of the reported result", "serious", "Single headline outcome reported within a narrative review of 10 years of the authors' research; no protocol."),
  ("overall", "serious", "Non-randomised comparison with unassessed confounding and unblinded outcome; could be critical if controls were historical or non-concurrent."),
], "10.1080/02791072.1997.10400185, Abstract")
ROB += rb("yoon2019", "ROBINS-I", [
  ("D1 confounding", "critical", "Uncontrolled case series (n=5, open-label): no comparison group, so confounding (natural course, regression to the mean, naltrexone) cannot be addressed."),
  ("D2 selection of participants", "no information", "Recruitment details beyond n=5 not read."),
  ("D3 classification of interventions", "low", "Single fixed protocol (naltrexone 380 mg IM then ketamine 0.5 mg/kg IV weekly x4)."),
  ("D4 deviations from intended interventions", "no information", "Not read."),
  ("D5 missing data", "no information", "Not read."),
  ("D6 measurement of outcomes", "serious", "Open-label MADRS response; rater not blinded."),
  ("D7 selection of the reported result", "moderate", "Registered (NCT03658330, primary MADRS response at day 21) but retrospectively posted (first posted Sep 2018 after completion of enrolment)."),
  ("overall", "critical", "No control group; cannot support a comparative effect estimate."),
], "10.1001/jamapsychiatry.2018.3990 (letter text via moreblossom.com); NCT03658330")
