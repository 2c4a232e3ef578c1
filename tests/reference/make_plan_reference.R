# Reference values for the analysis plan of the BCG example (examples/bcg-vaccine/evsum.toml),
# computed with R + metafor on metadat's dat.bcg: the main analysis of all 13 trials, its
# Mantel-Haenszel and Peto versions, the test for the difference between random and other
# allocation (separate and common tau^2), the latitude meta-regression (z and Knapp-Hartung)
# with predictions, and the sensitivity analyses.
#
# Usage (from the repository root):
#   Rscript tests/reference/make_plan_reference.R [OUT_DIR]
# writes OUT_DIR/plan.json (default tests/reference). Numbers with 15 significant digits.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/reference"
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
dat$randomised <- dat$alloc == "random"

pooled <- function(res, call) {
  list(call = call, k = res$k, estimate = as.numeric(res$b), se = res$se, zval = res$zval,
       pval = res$pval, ci_low = res$ci.lb, ci_high = res$ci.ub, tau2 = res$tau2,
       i2 = res$I2, q = res$QE, q_pval = res$QEp,
       weights = as.numeric(weights(res)))
}

main <- rma(yi, vi, data = dat, method = "REML")
mh <- rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg, measure = "RR")
mh_or <- rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg, measure = "OR")
peto <- rma.peto(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
fe <- rma(yi, vi, data = dat, method = "FE")
rand <- rma(yi, vi, data = dat, subset = randomised, method = "REML")
other <- rma(yi, vi, data = dat, subset = !randomised, method = "REML")
# separate tau^2: the subgroup estimates compared with a fixed-effect model (RevMan, meta)
sep <- rma(c(rand$b, other$b), sei = c(rand$se, other$se), method = "FE")
common <- rma(yi, vi, mods = ~ randomised, data = dat, method = "REML")
reg <- rma(yi, vi, mods = ~ ablat, data = dat, method = "REML")
reg_knha <- rma(yi, vi, mods = ~ ablat, data = dat, method = "REML", test = "knha")
at <- c(10, 30, 50)
pred <- predict(reg, newmods = at)

regression <- function(res, call) {
  list(call = call, k = res$k, names = rownames(res$b), estimate = as.numeric(res$b),
       se = res$se, zval = res$zval, pval = res$pval, ci_low = res$ci.lb,
       ci_high = res$ci.ub, tau2 = res$tau2, i2 = res$I2, r2 = res$R2, qm = res$QM,
       qm_df = res$QMdf[1], qm_df2 = res$QMdf[2], qm_pval = res$QMp, q = res$QE,
       q_pval = res$QEp, weights = as.numeric(weights(res)))
}

# a zero-cell correction other than escalc's default: add = 0.25 to the tables with a zero
zc <- data.frame(ai = c(0, 3, 5), n1i = c(12, 15, 20), ci = c(2, 6, 5), n2i = c(12, 14, 21))
zc_fit <- rma(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = zc, add = 0.25,
              to = "only0", method = "REML")

out <- list(
  source = list(
    script = "tests/reference/make_plan_reference.R",
    data = "metadat dat.bcg; yi, vi = escalc(measure = \"RR\", ai = tpos, bi = tneg, ci = cpos, di = cneg)",
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    metafor_version = as.character(packageVersion("metafor")),
    read_from = "fields of the returned R objects (not printed output)"
  ),
  ablat = dat.bcg$ablat,
  alloc = as.character(dat.bcg$alloc),
  main = pooled(main, "rma(yi, vi, method = \"REML\")"),
  mh_rr = pooled(mh, "rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, measure = \"RR\")"),
  mh_or = pooled(mh_or, "rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, measure = \"OR\")"),
  peto = pooled(peto, "rma.peto(ai = tpos, bi = tneg, ci = cpos, di = cneg)"),
  fixed_effect = pooled(fe, "rma(yi, vi, method = \"FE\")"),
  randomised_only = pooled(rand, "rma(yi, vi, subset = alloc == \"random\", method = \"REML\")"),
  non_randomised = pooled(other, "rma(yi, vi, subset = alloc != \"random\", method = \"REML\")"),
  subgroups_separate = list(
    call = "rma(c(b_random, b_other), sei = c(se_random, se_other), method = \"FE\")$QE",
    q = sep$QE, df = 1, pval = sep$QEp),
  subgroups_common = list(
    call = "rma(yi, vi, mods = ~ alloc == \"random\", method = \"REML\")",
    qm = common$QM, df = common$QMdf[1], pval = common$QMp, tau2 = common$tau2),
  regression = regression(reg, "rma(yi, vi, mods = ~ ablat, method = \"REML\")"),
  regression_knha = regression(
    reg_knha, "rma(yi, vi, mods = ~ ablat, method = \"REML\", test = \"knha\")"),
  zero_cells = c(list(ai = zc$ai, n1i = zc$n1i, ci = zc$ci, n2i = zc$n2i),
                 pooled(zc_fit, paste("rma(measure = \"OR\", ai, n1i, ci, n2i, add = 0.25,",
                                      "to = \"only0\", method = \"REML\")"))),
  prediction = list(call = "predict(rma(yi, vi, mods = ~ ablat), newmods = c(10, 30, 50))",
                    ablat = at, estimate = as.numeric(pred$pred), se = as.numeric(pred$se),
                    ci_low = as.numeric(pred$ci.lb), ci_high = as.numeric(pred$ci.ub),
                    pi_low = as.numeric(pred$pi.lb), pi_high = as.numeric(pred$pi.ub))
)
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, na = "string", pretty = TRUE),
           file.path(out_dir, "plan.json"))
