# Reference values for evsum's statistics engine, computed with R + metafor.
#
# Usage (from the repository root):
#   Rscript tests/reference/make_reference.R [OUT_DIR]
# OUT_DIR defaults to tests/reference. Every JSON file carries a "source" block with the
# R calls, the R and metafor versions. Numbers are written with 15 significant digits;
# non-finite values are written as the strings "NA", "NaN", "Inf", "-Inf".
# tests/test_reference_live.py re-runs this script into a temporary directory and checks
# that it reproduces the committed files.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/reference"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

source_block <- function(calls) {
  list(
    script = "tests/reference/make_reference.R",
    calls = calls,
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    metafor_version = as.character(packageVersion("metafor")),
    read_from = "fields of the returned R objects (not printed output)"
  )
}

write_ref <- function(x, name) {
  path <- file.path(out_dir, name)
  writeLines(toJSON(x, digits = I(15), auto_unbox = TRUE, na = "string", pretty = TRUE),
             path)
}

num <- function(x) as.numeric(x)

# One fitted rma.uni / rma.mh model, in evsum's vocabulary (I2 percent, as metafor).
fit_out <- function(res) {
  pr <- predict(res)
  list(
    k = res$k, estimate = num(res$beta), se = num(res$se), zval = num(res$zval),
    pval = num(res$pval), ci_low = num(res$ci.lb), ci_high = num(res$ci.ub),
    tau2 = num(res$tau2), tau2_se = if (is.null(res$se.tau2)) NA else num(res$se.tau2),
    i2 = num(res$I2), h2 = num(res$H2), q = num(res$QE), q_pval = num(res$QEp),
    pi_low = num(pr$pi.lb), pi_high = num(pr$pi.ub),
    weights = unname(num(weights(res)))
  )
}

METHODS <- c("FE", "DL", "REML", "PM", "ML")
TESTS <- c("z", "knha")

fit_grid <- function(yi, vi) {
  fits <- list()
  for (method in METHODS) for (test in TESTS) {
    res <- suppressWarnings(rma(yi, vi, method = method, test = test))
    fits[[length(fits) + 1]] <- c(list(method = method, test = test), fit_out(res))
  }
  fits
}

# ---- grid.json: every MEASURE x METHOD x TEST --------------------------------------------
bcg <- dat.bcg
normand <- dat.normand1999
cases <- list()
for (measure in c("RR", "OR", "RD")) {
  es <- escalc(measure = measure, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  cases[[length(cases) + 1]] <- list(
    measure = measure, dataset = "dat.bcg",
    data = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg,
                labels = paste(bcg$author, bcg$year)),
    yi = num(es$yi), vi = num(es$vi), fits = fit_grid(es$yi, es$vi))
}
for (measure in c("MD", "SMD")) {
  es <- escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i,
               m2i = m2i, sd2i = sd2i, n2i = n2i, data = normand)
  cases[[length(cases) + 1]] <- list(
    measure = measure, dataset = "dat.normand1999",
    data = list(m1i = normand$m1i, sd1i = normand$sd1i, n1i = normand$n1i,
                m2i = normand$m2i, sd2i = normand$sd2i, n2i = normand$n2i,
                labels = normand$source),
    yi = num(es$yi), vi = num(es$vi), fits = fit_grid(es$yi, es$vi))
}
write_ref(list(
  source = source_block(c(
    "escalc(measure, ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) for RR, OR, RD",
    "escalc(measure, m1i, sd1i, n1i, m2i, sd2i, n2i, data=dat.normand1999) for MD, SMD",
    "rma(yi, vi, method=method, test=test) for method in FE, DL, REML, PM, ML; test in z, knha",
    "predict(res) for pi_low/pi_high; weights(res) for weights (percent)")),
  cases = cases), "grid.json")

# ---- zero_cells.json: hand-made 2x2 tables with zero and double-zero cells -----------------
zt <- data.frame(
  ai  = c(0, 3, 0, 5, 10, 2, 12),
  n1i = c(20, 25, 15, 30, 40, 12, 12),
  ci  = c(2, 0, 0, 8, 12, 3, 11),
  n2i = c(20, 24, 15, 30, 41, 13, 11))
zt$bi <- zt$n1i - zt$ai
zt$di <- zt$n2i - zt$ci
settings <- list(list(add = 0.5, to = "only0"), list(add = 0.5, to = "all"),
                 list(add = 0.5, to = "if0all"), list(add = 0, to = "none"),
                 list(add = 0.25, to = "only0"))
zcases <- list()
for (measure in c("RR", "OR", "RD")) for (s in settings) {
  es <- escalc(measure = measure, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = zt,
               add = s$add, to = s$to)
  fits <- list()
  ok <- is.finite(es$yi) & is.finite(es$vi)
  if (s$to != "none") for (method in c("FE", "DL", "REML")) {
    res <- suppressWarnings(rma(es$yi[ok], es$vi[ok], method = method))
    fits[[length(fits) + 1]] <- c(list(method = method, test = "z"), fit_out(res))
  }
  zcases[[length(zcases) + 1]] <- list(measure = measure, add = s$add, to = s$to,
                                       yi = num(es$yi), vi = num(es$vi), fits = fits)
}
mh_zero <- list()
for (measure in c("OR", "RR")) {
  res <- suppressWarnings(rma.mh(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = zt,
                                 measure = measure))
  mh_zero[[length(mh_zero) + 1]] <- c(list(measure = measure), fit_out(res))
}
write_ref(list(
  source = source_block(c(
    "escalc(measure, ai, n1i, ci, n2i, add=add, to=to) on the tables below",
    "rma(yi, vi, method=method) on the finite yi/vi of each setting (to != 'none')",
    "rma.mh(ai, n1i, ci, n2i, measure=measure) with default add=1/2, to='only0', drop00=TRUE")),
  tables = list(ai = zt$ai, n1i = zt$n1i, ci = zt$ci, n2i = zt$n2i),
  cases = zcases, mh = mh_zero), "zero_cells.json")

# ---- mh.json: Mantel-Haenszel on dat.bcg ---------------------------------------------------
mh <- list()
for (measure in c("OR", "RR")) {
  res <- rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg, measure = measure)
  mh[[length(mh) + 1]] <- c(list(measure = measure), fit_out(res))
}
write_ref(list(
  source = source_block("rma.mh(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg, measure=measure)"),
  data = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
  fits = mh), "mh.json")

# ---- diagnostics.json: leave1out, regtest, subgroups on dat.bcg RR -------------------------
es <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
l1o <- list()
for (method in c("FE", "DL", "REML")) for (test in TESTS) {
  if (method == "FE" && test == "knha") next
  res <- rma(yi, vi, data = es, method = method, test = test)
  lo <- leave1out(res)
  l1o[[length(l1o) + 1]] <- list(
    method = method, test = test, estimate = num(lo$estimate), se = num(lo$se),
    pval = num(lo$pval), ci_low = num(lo$ci.lb), ci_high = num(lo$ci.ub),
    q = num(lo$Q), q_pval = num(lo$Qp),
    tau2 = if (method == "FE") rep(0, res$k) else num(lo$tau2),
    i2 = num(lo$I2), h2 = num(lo$H2))
}
rt <- regtest(rma(yi, vi, data = es, method = "FE"), model = "lm", predictor = "sei")
rt_coef <- coef(summary(rt$fit))
egger <- list(tval = num(rt$zval), pval = num(rt$pval), df = num(rt$dfs),
              limit_estimate = num(rt$est), limit_ci_low = num(rt$ci.lb),
              limit_ci_high = num(rt$ci.ub), bias = num(rt_coef[2, 1]),
              bias_se = num(rt_coef[2, 2]))
sub <- list()
for (g in sort(unique(es$alloc))) {
  res <- rma(yi, vi, data = es, subset = alloc == g, method = "REML")
  sub[[g]] <- list(k = res$k, estimate = num(res$beta), se = num(res$se), tau2 = num(res$tau2))
}
est <- sapply(sub, function(x) x$estimate)
sei <- sapply(sub, function(x) x$se)
between <- rma(est, sei = sei, method = "FE")
write_ref(list(
  source = source_block(c(
    "es <- escalc(measure='RR', ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)",
    "leave1out(rma(yi, vi, data=es, method=method, test=test))",
    "regtest(rma(yi, vi, data=es, method='FE'), model='lm', predictor='sei'); bias, bias_se = coef(summary(rt$fit))[2, 1:2]",
    "rma(yi, vi, data=es, subset=alloc==g, method='REML') per group; rma(est, sei=se, method='FE')$QE for q_between")),
  yi = num(es$yi), vi = num(es$vi), alloc = as.character(es$alloc),
  labels = paste(bcg$author, bcg$year),
  leave1out = l1o, regtest = egger,
  subgroups = list(groups = sub, q_between = num(between$QE), q_between_df = between$k - 1,
                   q_between_pval = num(between$QEp))), "diagnostics.json")

# ---- edge_cases.json: k = 1 and k = 2 -----------------------------------------------------
edge <- list()
for (k in c(1, 2)) {
  yi <- es$yi[1:k]
  vi <- es$vi[1:k]
  edge[[length(edge) + 1]] <- list(k = k, yi = num(yi), vi = num(vi), fits = fit_grid(yi, vi))
}
write_ref(list(
  source = source_block("rma(yi[1:k], vi[1:k], method=method, test=test) on dat.bcg RR, k = 1, 2"),
  cases = edge), "edge_cases.json")
