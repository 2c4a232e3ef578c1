# Export metafor's dat.bcg (package metadat; Colditz et al. 1994, JAMA 271:698) as this
# evidence base's data/studies.csv: one row per trial, BCG vaccine vs no vaccine, tuberculosis
# cases, with the source of every number. Run from examples/bcg-vaccine:
#   Rscript scripts/export_dat_bcg.R
# Debian: apt-get install -y r-cran-metafor r-cran-metadat
suppressPackageStartupMessages(library(metadat))

bcg <- metadat::dat.bcg
version <- as.character(packageVersion("metadat"))

slug <- function(author, year) {
  first <- tolower(sub("^([A-Za-z]+).*$", "\\1", gsub("-", "", author)))
  paste0(first, year)
}
first_author <- function(author) sub("( et al| &.*)$", "", author)
# alternate or systematic allocation is quasi-random (Cochrane Handbook 24.1.1)
design <- ifelse(bcg$alloc == "random", "parallel_rct", "quasi_randomised")
# Original trial reports found for two rows (their citation, as their own reference lists give
# it); the others are cited by Colditz et al. 1994.
original <- c(
  "2" = "Ferguson RG, Simes AB. BCG vaccination of Indian infants in Saskatchewan. Tubercle. 1949;30:5-11.",
  "12" = "Comstock GW, Webster RG. Tuberculosis studies in Muscogee County, Georgia. VII. A twenty-year evaluation of BCG vaccination in a school population. Am Rev Respir Dis. 1969;100(6):839-845. doi:10.1164/arrd.1969.100.6.839"
)
notes <- sprintf(
  "Read from Colditz et al. 1994 via metafor's dat.bcg (a re-analysis of that review's data; the trial report was not read). Allocation: %s (dat.bcg alloc); absolute latitude %d degrees (dat.bcg ablat). Blinding is not given by dat.bcg: not reported. Original trial report: %s",
  bcg$alloc, bcg$ablat,
  ifelse(as.character(bcg$trial) %in% names(original), original[as.character(bcg$trial)],
         "cited in Colditz et al. 1994."))

rows <- data.frame(
  study_id = mapply(slug, bcg$author, bcg$year),
  first_author = first_author(bcg$author),
  year = bcg$year,
  doi = "",
  pmid = "",
  condition = "tuberculosis",
  design = design,
  randomised = ifelse(bcg$alloc == "random", "true", "false"),
  blinding = "not reported",
  intervention = "BCG vaccine",
  comparator = "no BCG vaccine",
  comparator_type = "none",
  n_intervention = bcg$tpos + bcg$tneg,
  n_comparator = bcg$cpos + bcg$cneg,
  outcome = "tb_cases",
  outcome_type = "binary",
  timepoint = "end of follow-up",
  events_intervention = bcg$tpos,
  events_comparator = bcg$cpos,
  mean_intervention = "", sd_intervention = "", mean_comparator = "", sd_comparator = "",
  effect_measure = "RR",
  effect = "", ci_low = "", ci_high = "",
  data_level = "arm",
  source_type = "secondary",
  source_kind = "review",
  source_locator = sprintf(
    "metafor/metadat %s dat.bcg (help page ?dat.bcg), row %d, from Colditz et al. 1994, 10.1001/jama.1994.03510330076038, table of the 13 trials",
    version, bcg$trial),
  source_quote = sprintf("tpos = %d, tneg = %d, cpos = %d, cneg = %d",
                         bcg$tpos, bcg$tneg, bcg$cpos, bcg$cneg),
  derivation = sprintf(
    "n_intervention = tpos + tneg = %d + %d = %d; n_comparator = cpos + cneg = %d + %d = %d",
    bcg$tpos, bcg$tneg, bcg$tpos + bcg$tneg, bcg$cpos, bcg$cneg, bcg$cpos + bcg$cneg),
  notes = notes,
  stringsAsFactors = FALSE
)
write.csv(rows, "data/studies.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")

# references.json: one CSL-JSON item per trial, so every page's reference list names each
# study. What dat.bcg gives is the author field and the year; the numbers were read from
# Colditz et al. 1994 (the source dat.bcg's help page names), so each item is the trial as
# tabulated there, with that paper's bibliographic data from the help page. The two original
# trial reports found (`original`, above) are given as their own reference lists cite them.
colditz <- list(
  title = "Efficacy of BCG vaccine in the prevention of tuberculosis: Meta-analysis of the published literature",
  container = "Journal of the American Medical Association",
  volume = "271", issue = "9", page = "698-702",
  doi = "10.1001/jama.1994.03510330076038"
)
authors <- function(author) {
  names <- trimws(strsplit(sub(" et al$", "", author), " & ")[[1]])
  lapply(names, function(n) list(family = n))
}
tabulated <- function(i) {
  list(
    id = rows$study_id[i], type = "article-journal",
    title = sprintf("Trial %d (%s %d), as tabulated in: %s", bcg$trial[i], bcg$author[i],
                    bcg$year[i], colditz$title),
    author = authors(bcg$author[i]),
    `container-title` = colditz$container,
    issued = list(`date-parts` = list(list(bcg$year[i]))),
    volume = colditz$volume, issue = colditz$issue, page = colditz$page, DOI = colditz$doi,
    note = sprintf("The original trial report was not read: author ('%s') and year from dat.bcg (metadat %s), row %d; the numbers from Colditz et al. 1994, the source the help page ?dat.bcg names.",
                   bcg$author[i], version, bcg$trial[i])
  )
}
references <- lapply(seq_len(nrow(bcg)), tabulated)
references[[2]] <- list(
  id = rows$study_id[2], type = "article-journal",
  title = "BCG vaccination of Indian infants in Saskatchewan",
  author = list(list(family = "Ferguson", given = "R. G."), list(family = "Simes", given = "A. B.")),
  `container-title` = "Tubercle", issued = list(`date-parts` = list(list(1949L))),
  volume = "30", page = "5-11",
  note = "Citation as given in the trial's own reference list (see data/studies.csv notes); dat.bcg row 2."
)
references[[12]] <- list(
  id = rows$study_id[12], type = "article-journal",
  title = "Tuberculosis studies in Muscogee County, Georgia. VII. A twenty-year evaluation of BCG vaccination in a school population",
  author = list(list(family = "Comstock", given = "G. W."), list(family = "Webster", given = "R. G.")),
  `container-title` = "American Review of Respiratory Disease", issued = list(`date-parts` = list(list(1969L))),
  volume = "100", issue = "6", page = "839-845", DOI = "10.1164/arrd.1969.100.6.839",
  note = "Citation as given in the trial's own reference list (see data/studies.csv notes); dat.bcg row 12."
)
writeLines(jsonlite::toJSON(references, auto_unbox = TRUE, pretty = TRUE), "data/references.json",
           useBytes = TRUE)

# search_log.csv: the study set is Colditz et al.'s (protocol eligibility), read from dat.bcg;
# no other source was searched. One source row and the 13 trials, all included.
log <- data.frame(
  candidate_id = c("SRC:colditz1994", rows$study_id),
  first_author = c("Colditz", rows$first_author),
  year = c(1994, rows$year),
  title = c(colditz$title, rep("", nrow(rows))),
  doi = c(colditz$doi, rep("", nrow(rows))),
  found_via = c("source", sprintf("colditz1994 (dat.bcg row %d)", bcg$trial)),
  decision = c("source", rep("included", nrow(rows))),
  reason = c(
    sprintf("Source of records: the table of the 13 trials, read as metafor's dat.bcg (metadat %s); no bibliographic database or register was searched", version),
    sprintf("Selected by Colditz et al. 1994: BCG vaccine vs no vaccine, %s allocation (dat.bcg alloc), tuberculosis cases counted in both groups (dat.bcg tpos, cpos)", bcg$alloc)
  ),
  stringsAsFactors = FALSE
)
write.csv(log, "data/search_log.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")
