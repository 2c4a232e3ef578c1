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
design <- ifelse(bcg$alloc == "random", "parallel_rct", "nonrandomised_controlled")
# Original trial reports found for two rows (their citation, as their own reference lists give
# it); the others are cited by Colditz et al. 1994.
original <- c(
  "2" = "Ferguson RG, Simes AB. BCG vaccination of Indian infants in Saskatchewan. Tubercle. 1949;30:5-11.",
  "12" = "Comstock GW, Webster RG. Tuberculosis studies in Muscogee County, Georgia. VII. A twenty-year evaluation of BCG vaccination in a school population. Am Rev Respir Dis. 1969;100(6):839-845. doi:10.1164/arrd.1969.100.6.839"
)
notes <- sprintf(
  "Allocation: %s (dat.bcg alloc); absolute latitude %d degrees (dat.bcg ablat). Blinding is not given by dat.bcg: recorded as open. Original trial report: %s",
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
  blinding = "open",
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
  source_type = "primary",
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

# The study-level covariates of the analysis plan ([covariates.ablat], [covariates.alloc] in
# evsum.toml): absolute latitude of the trial site (dat.bcg ablat, degrees) and the method of
# treatment allocation (dat.bcg alloc), with the row of dat.bcg each value comes from.
covariates <- data.frame(
  study_id = rows$study_id,
  ablat = bcg$ablat,
  alloc = as.character(bcg$alloc),
  source_locator = sprintf("metafor/metadat %s dat.bcg (help page ?dat.bcg), row %d, columns ablat and alloc",
                           version, bcg$trial),
  source_quote = sprintf("ablat = %d, alloc = %s", bcg$ablat, bcg$alloc),
  stringsAsFactors = FALSE
)
write.csv(covariates, "data/covariates.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")
