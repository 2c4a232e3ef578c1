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
TESTS <- c("z", "knha", "adhoc")

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
# The BCG trials by allocation: randomised (alloc "random") and not (alternate, systematic),
# which evsum's condition reports analyse apart (Cochrane Handbook 24.6.1).
for (part in list(list(name = "dat.bcg, random allocation", keep = bcg$alloc == "random"),
                  list(name = "dat.bcg, alternate or systematic allocation",
                       keep = bcg$alloc != "random"))) {
  sub <- bcg[part$keep, ]
  es <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = sub)
  cases[[length(cases) + 1]] <- list(
    measure = "RR", dataset = part$name,
    data = list(ai = sub$tpos, bi = sub$tneg, ci = sub$cpos, di = sub$cneg,
                labels = paste(sub$author, sub$year)),
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
    "the same for RR on dat.bcg[dat.bcg$alloc == 'random', ] and on the other rows",
    "escalc(measure, m1i, sd1i, n1i, m2i, sd2i, n2i, data=dat.normand1999) for MD, SMD",
    "rma(yi, vi, method=method, test=test) for method in FE, DL, REML, PM, ML; test in z, knha, adhoc",
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
# the seven randomised trials alone (alloc "random"), as the BCG example's report pools them
random <- es[es$alloc == "random", ]
lo_random <- leave1out(rma(yi, vi, data = random, method = "REML"))
l1o_random <- list(
  method = "REML", test = "z", labels = paste(random$author, random$year),
  estimate = num(lo_random$estimate), ci_low = num(lo_random$ci.lb),
  ci_high = num(lo_random$ci.ub), tau2 = num(lo_random$tau2), i2 = num(lo_random$I2))
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
    "leave1out(rma(yi, vi, data=es[es$alloc == 'random', ], method='REML')) for leave1out_random",
    "regtest(rma(yi, vi, data=es, method='FE'), model='lm', predictor='sei'); bias, bias_se = coef(summary(rt$fit))[2, 1:2]",
    "rma(yi, vi, data=es, subset=alloc==g, method='REML') per group; rma(est, sei=se, method='FE')$QE for q_between")),
  yi = num(es$yi), vi = num(es$vi), alloc = as.character(es$alloc),
  labels = paste(bcg$author, bcg$year),
  leave1out = l1o, leave1out_random = l1o_random, regtest = egger,
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

# ---- small_k.json: few small trials (issue 17) ---------------------------------------------
# Q-profile intervals for tau^2, Hartung-Knapp ad hoc, t(k-2) prediction intervals, Peto,
# Mantel-Haenszel RD, drop00, NA tables, an undefined MH estimate, non-converged REML fits.
t_pi <- function(res) {
  # Higgins, Thompson & Spiegelhalter (2009): t on k - 2 df (metafor 3.8 predict() has no
  # option for it, so it is computed from the fit's fields)
  half <- qt(0.975, df = res$k - 2) * sqrt(res$se^2 + res$tau2)
  c(num(res$beta) - half, num(res$beta) + half)
}
ci_out <- function(res) {
  ci <- confint(res)$random
  list(tau2 = num(ci["tau^2", 1]), tau2_low = num(ci["tau^2", 2]),
       tau2_high = num(ci["tau^2", 3]), tau = num(ci["tau", 1]), tau_low = num(ci["tau", 2]),
       tau_high = num(ci["tau", 3]), i2 = num(ci["I^2(%)", 1]), i2_low = num(ci["I^2(%)", 2]),
       i2_high = num(ci["I^2(%)", 3]), h2 = num(ci["H^2", 1]), h2_low = num(ci["H^2", 2]),
       h2_high = num(ci["H^2", 3]))
}
bcg_rr <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
confint_cases <- list()
for (subset_k in c(4, 13)) for (method in c("DL", "REML", "PM", "ML")) {
  es_k <- bcg_rr[1:subset_k, ]
  res <- suppressWarnings(rma(yi, vi, data = es_k, method = method))
  confint_cases[[length(confint_cases) + 1]] <- c(
    list(dataset = "dat.bcg", rows = subset_k, method = method,
         yi = num(es_k$yi), vi = num(es_k$vi)), ci_out(res))
}
norm <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
               n2i = n2i, data = normand)
res <- rma(yi, vi, data = norm, method = "REML")
confint_cases[[length(confint_cases) + 1]] <- c(
  list(dataset = "dat.normand1999", rows = nrow(norm), method = "REML",
       yi = num(norm$yi), vi = num(norm$vi)), ci_out(res))

pi_cases <- list()
for (subset_k in c(3, 4, 13)) for (method in c("DL", "REML")) for (test in TESTS) {
  es_k <- bcg_rr[1:subset_k, ]
  res <- suppressWarnings(rma(yi, vi, data = es_k, method = method, test = test))
  pi_cases[[length(pi_cases) + 1]] <- list(
    rows = subset_k, method = method, test = test, yi = num(es_k$yi), vi = num(es_k$vi),
    estimate = num(res$beta), se = num(res$se), tau2 = num(res$tau2),
    pi_t_low = t_pi(res)[1], pi_t_high = t_pi(res)[2])
}

hine <- escalc(measure = "RD", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.hine1989)
hine_fits <- list()
for (test in TESTS) {
  res <- rma(yi, vi, data = hine, method = "REML", test = test)
  hine_fits[[length(hine_fits) + 1]] <- c(list(method = "REML", test = test), fit_out(res))
}

mh_fit <- function(res, extra) c(extra, fit_out(res), list(k_yi = res$k.yi))
col <- dat.collins1985a
binary_sets <- list(
  bcg = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
  hine1989 = list(ai = dat.hine1989$ai, bi = dat.hine1989$n1i - dat.hine1989$ai,
                  ci = dat.hine1989$ci, di = dat.hine1989$n2i - dat.hine1989$ci),
  zero_cells = list(ai = zt$ai, bi = zt$bi, ci = zt$ci, di = zt$di),
  collins1985a_bleeding = list(ai = col$b.xti, bi = col$nti - col$b.xti,
                               ci = col$b.xci, di = col$nci - col$b.xci))
two_by_two <- list()
for (name in names(binary_sets)) {
  tb <- binary_sets[[name]]
  fits <- list()
  for (drop00 in list(TRUE, FALSE, c(TRUE, TRUE))) {
    for (measure in c("OR", "RR", "RD")) {
      res <- suppressWarnings(rma.mh(ai = tb$ai, bi = tb$bi, ci = tb$ci, di = tb$di,
                                     measure = measure, drop00 = drop00))
      fits[[length(fits) + 1]] <- mh_fit(res, list(method = "MH", measure = measure,
                                                   drop00 = drop00))
    }
    res <- suppressWarnings(rma.peto(ai = tb$ai, bi = tb$bi, ci = tb$ci, di = tb$di,
                                     drop00 = drop00))
    fits[[length(fits) + 1]] <- mh_fit(res, list(method = "PETO", measure = "OR",
                                                 drop00 = drop00))
  }
  two_by_two[[name]] <- list(tables = tb, fits = fits)
}
undefined <- suppressWarnings(rma.mh(ai = c(0, 0, 0), bi = c(10, 12, 9), ci = c(1, 3, 2),
                                     di = c(9, 9, 8), measure = "OR"))

nc_y <- c(0, 0, 0, 0, 0, 1, 2)
nc_v <- c(1, 1, 1, 1, 1, 0.125, 0.5)
nc <- leave1out(rma(nc_y, nc_v, method = "REML"))
nc_fail <- try(rma(nc_y[1:6], nc_v[1:6], method = "REML"), silent = TRUE)

write_ref(list(
  source = source_block(c(
    "confint(rma(yi, vi, method=method))$random (Q-profile) on dat.bcg RR rows 1:4 and 1:13, dat.normand1999 MD",
    "pi_t: res$beta +/- qt(0.975, res$k - 2) * sqrt(res$se^2 + res$tau2) from rma(yi, vi, method=, test=)",
    "rma(yi, vi, method='REML', test=test) on escalc('RD', data=dat.hine1989), test in z, knha, adhoc",
    "rma.mh(ai, bi, ci, di, measure=measure, drop00=drop00) and rma.peto(ai, bi, ci, di, drop00=drop00); k_yi = res$k.yi",
    "rma.mh(ai=c(0,0,0), bi=c(10,12,9), ci=c(1,3,2), di=c(9,9,8)) (estimate not defined)",
    "leave1out(rma(yi, vi, method='REML')) with yi = c(0,0,0,0,0,1,2), vi = c(1,1,1,1,1,0.125,0.5); rma(yi[1:6], vi[1:6]) does not converge")),
  confint = confint_cases, pi_t = pi_cases,
  hine1989 = list(yi = num(hine$yi), vi = num(hine$vi), fits = hine_fits),
  two_by_two = two_by_two,
  mh_undefined = c(list(measure = "OR"), fit_out(undefined)),
  non_converged = list(
    yi = nc_y, vi = nc_v, reml_fails_without_study_7 = inherits(nc_fail, "try-error"),
    leave1out = list(estimate = num(nc$estimate), se = num(nc$se), q = num(nc$Q),
                     tau2 = num(nc$tau2), i2 = num(nc$I2), h2 = num(nc$H2)))),
  "small_k.json")

# ---- fragility.json: Fisher's exact test p-values of the tables a fragility index visits ----
fisher_p <- function(e1, n1, e2, n2) {
  fisher.test(matrix(c(e1, n1 - e1, e2, n2 - e2), nrow = 2, byrow = TRUE))$p.value
}
fragility_tables <- list(
  list(e1 = 15, n1 = 40, e2 = 6, n2 = 40), list(e1 = 15, n1 = 40, e2 = 7, n2 = 40),
  list(e1 = 3, n1 = 50, e2 = 12, n2 = 50), list(e1 = 4, n1 = 50, e2 = 12, n2 = 50),
  list(e1 = 5, n1 = 50, e2 = 12, n2 = 50), list(e1 = 1, n1 = 100, e2 = 9, n2 = 100),
  list(e1 = 2, n1 = 100, e2 = 9, n2 = 100), list(e1 = 10, n1 = 100, e2 = 20, n2 = 100),
  list(e1 = 9, n1 = 100, e2 = 20, n2 = 100))
for (i in seq_along(fragility_tables)) {
  tb <- fragility_tables[[i]]
  fragility_tables[[i]]$pval <- fisher_p(tb$e1, tb$n1, tb$e2, tb$n2)
}
write_ref(list(
  source = source_block("fisher.test(matrix(c(e1, n1 - e1, e2, n2 - e2), 2, byrow=TRUE))$p.value"),
  tables = fragility_tables), "fragility.json")
