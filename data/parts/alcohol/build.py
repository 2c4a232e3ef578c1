# helper to write CSVs with correct quoting (kept in my folder; can be deleted on merge)
import csv, json
STUDY_COLS = "study_id,first_author,year,doi,pmid,condition,design,randomised,blinding,intervention,comparator,comparator_type,n_intervention,n_comparator,outcome,outcome_type,timepoint,events_intervention,events_comparator,mean_intervention,sd_intervention,mean_comparator,sd_comparator,effect_measure,effect,ci_low,ci_high,data_level,source_type,source_locator,source_quote,derivation,notes".split(",")
CHAR_COLS = "study_id,title,journal,population,country,setting,n_randomised,dose_route,sessions,co_therapy,follow_up,funding,conflicts,registration,source_locator,notes".split(",")
ROB_COLS = "study_id,tool,domain,judgement,support,source_locator".split(",")
from rows import STUDIES, CHARS, ROB
def w(name, cols, rows):
    with open(name, "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, fieldnames=cols, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        wr.writeheader()
        for r in rows:
            extra = set(r) - set(cols)
            assert not extra, (name, extra)
            wr.writerow({c: r.get(c, "") for c in cols})
w("studies.csv", STUDY_COLS, STUDIES)
w("study_characteristics.csv", CHAR_COLS, CHARS)
w("risk_of_bias.csv", ROB_COLS, ROB)
print(len(STUDIES), len(CHARS), len(ROB))
