# Reference values for evsum's numerical edge cases, computed with R + metafor.
#
# Usage (from the repository root):
#   Rscript tests/reference/make_numerics_reference.R [OUT_DIR]
# Writes numerics.json (OUT_DIR defaults to tests/reference), with the same conventions as
# make_reference.R: a "source" block, 15 significant digits, non-finite values as strings.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/reference"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
num <- function(x) as.numeric(x)

# ---- Mantel-Haenszel fits whose estimate is 0 with SE 0, or whose Q is infinite ----------
mh_cases <- list(
  list(name = "RD, no events in any table", measure = "RD", add = 0.5, to = "only0",
       ai = c(0, 0, 0), n1i = c(10, 20, 15), ci = c(0, 0, 0), n2i = c(12, 18, 15)),
  list(name = "RR, only events in every table", measure = "RR", add = 0.5, to = "only0",
       ai = c(10, 20, 15), n1i = c(10, 20, 15), ci = c(12, 18, 15), n2i = c(12, 18, 15)),
  list(name = "RD, only events in every table", measure = "RD", add = 0.5, to = "only0",
       ai = c(10, 20, 15), n1i = c(10, 20, 15), ci = c(12, 18, 15), n2i = c(12, 18, 15)),
  list(name = "RD without correction, a table with risks 0 and 1", measure = "RD",
       add = 0, to = "none",
       ai = c(0, 3, 5), n1i = c(10, 20, 15), ci = c(12, 4, 6), n2i = c(12, 18, 15)),
  list(name = "OR undefined (no events in group 1), two study effects", measure = "OR",
       add = 0.5, to = "only0",
       ai = c(0, 0, 0), n1i = c(10, 20, 15), ci = c(2, 3, 1), n2i = c(12, 18, 15)),
  list(name = "OR undefined (no events in group 1), one study effect", measure = "OR",
       add = 0.5, to = "only0",
       ai = c(0, 0), n1i = c(10, 20), ci = c(0, 3), n2i = c(12, 18))
)
mh_out <- lapply(mh_cases, function(cs) {
  res <- suppressWarnings(rma.mh(ai = cs$ai, n1i = cs$n1i, ci = cs$ci, n2i = cs$n2i,
                                 measure = cs$measure, add = cs$add, to = cs$to))
  c(cs, list(estimate = num(res$beta), se = num(res$se), zval = num(res$zval),
             pval = num(res$pval), ci_low = num(res$ci.lb), ci_high = num(res$ci.ub),
             q = num(res$QE), q_pval = num(res$QEp), i2 = num(res$I2), h2 = num(res$H2),
             k_yi = res$k.yi))
})

# ---- Subgroups whose all-studies Paule-Mandel fit has no root in [0, 100] ----------------
sg <- data.frame(yi = c(0, 0.1, 0.2, 0.05, 0.15, 1000, 1000.2),
                 vi = c(0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02),
                 group = c("a", "a", "a", "a", "a", "b", "b"))
sub_fits <- lapply(c("a", "b"), function(g) {
  res <- suppressWarnings(rma(yi, vi, method = "PM", data = sg, subset = group == g))
  list(group = g, estimate = num(res$beta), se = num(res$se), tau2 = num(res$tau2))
})
between <- rma(sapply(sub_fits, `[[`, "estimate"), sei = sapply(sub_fits, `[[`, "se"),
               method = "FE")
overall_error <- tryCatch({rma(yi, vi, method = "PM", data = sg); "none"},
                          error = function(e) conditionMessage(e))

# ---- A REML likelihood with a higher interior peak than the estimate at 0 ----------------
tp <- data.frame(yi = c(-0.107, -0.078, -1.958, -1.9, -0.075),
                 vi = c(0.0091, 0.0103, 0.2376, 1.668, 6.953))
reml <- suppressWarnings(rma(yi, vi, data = tp, method = "REML"))
ll_at <- function(t) as.numeric(logLik(rma(yi, vi, data = tp, method = "REML", tau2 = t)))
peak <- optimize(ll_at, c(0.05, 10), maximum = TRUE, tol = 1e-10)

out <- list(
  source = list(
    script = "tests/reference/make_numerics_reference.R",
    calls = c(
      "rma.mh(ai, n1i, ci, n2i, measure, add, to) on the tables of mh (drop00 default TRUE)",
      "rma(yi, vi, method='PM', subset=group==g) per subgroup; rma(est, sei=se, method='FE')$QE",
      "rma(yi, vi, method='PM') on all subgroup studies (the error message)",
      "rma(yi, vi, method='REML'); optimize(logLik(rma(yi, vi, method='REML', tau2=t)), c(0.05, 10), maximum=TRUE, tol=1e-10)"),
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    metafor_version = as.character(packageVersion("metafor")),
    read_from = "fields of the returned R objects (not printed output)"),
  mh = mh_out,
  subgroups_without_overall = list(
    yi = sg$yi, vi = sg$vi, group = sg$group, fits = sub_fits,
    q_between = num(between$QE), q_between_pval = num(between$QEp),
    overall_error = overall_error),
  reml_two_peaks = list(
    yi = tp$yi, vi = tp$vi, tau2 = num(reml$tau2), loglik = num(logLik(reml)),
    peak_tau2 = num(peak$maximum), peak_loglik = num(peak$objective),
    loglik_at_0 = ll_at(0)))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, na = "string", pretty = TRUE),
           file.path(out_dir, "numerics.json"))
