# Reference values for evsum's sensitivity and small-study analyses, computed with R + metafor:
# influence diagnostics, cumulative meta-analysis, trim-and-fill, the rank correlation test
# and the Harbord and Peters regression tests.
#
# Usage (from the repository root):
#   Rscript tests/reference/make_sensitivity_reference.R [OUT_DIR]
# Writes sensitivity.json (OUT_DIR defaults to tests/reference), with the conventions of
# make_reference.R: a "source" block, 15 significant digits, non-finite values as strings.
# Harbord's and Peters' tests are the regressions R meta's metabias() runs through metafor's
# regtest (meta 8.3 R/metabias.R and R/meta-math.R, linregcore); they are computed here with
# metafor directly.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/reference"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
pdf(NULL)  # baujat() draws; nothing is kept
num <- function(x) as.numeric(x)

# ---- data sets ----------------------------------------------------------------------------
bcg <- dat.bcg
eg <- dat.egger2001
col <- dat.collins1985a[!is.na(dat.collins1985a$b.xti) & !is.na(dat.collins1985a$b.xci), ]
set.seed(26)
gk <- 15
gen <- data.frame(vi = rexp(gk, 20) + 0.005, x = round(runif(gk, 1990, 2020)))
gen$yi <- round(rnorm(gk, 0.3 + 2 * sqrt(gen$vi), sqrt(gen$vi + 0.04)), 4)
gen$vi <- round(gen$vi, 5)
gb_n1 <- sample(20:400, 12); gb_n2 <- gb_n1 + sample(-10:10, 12)
gb <- data.frame(ai = rbinom(12, gb_n1, 0.12), n1i = gb_n1, ci = rbinom(12, gb_n2, 0.2),
                 n2i = gb_n2)

tables <- function(ai, bi, ci, di, label) list(ai = ai, bi = bi, ci = ci, di = di)
sets <- list(
  list(name = "dat.bcg", measure = "RR",
       es = escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg),
       order = bcg$year, labels = paste(bcg$author, bcg$year),
       tables = tables(bcg$tpos, bcg$tneg, bcg$cpos, bcg$cneg)),
  list(name = "dat.hackshaw1998", measure = "OR", es = dat.hackshaw1998,
       order = dat.hackshaw1998$year,
       labels = paste(dat.hackshaw1998$author, dat.hackshaw1998$year), tables = NULL),
  list(name = "dat.egger2001", measure = "OR",
       es = escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = eg),
       order = eg$year, labels = paste(eg$study, eg$year),
       tables = tables(eg$ai, eg$n1i - eg$ai, eg$ci, eg$n2i - eg$ci)),
  list(name = "dat.collins1985a (pre-eclampsia, complete rows)", measure = "OR",
       es = escalc("OR", ai = b.xti, n1i = nti, ci = b.xci, n2i = nci, data = col),
       order = col$year, labels = paste(col$trial, col$year),
       tables = tables(col$b.xti, col$nti - col$b.xti, col$b.xci, col$nci - col$b.xci)),
  list(name = "generated (set.seed(26)), effects growing with the SE", measure = NULL,
       es = gen, order = gen$x, labels = paste("Study", seq_len(gk)), tables = NULL),
  list(name = "generated binary (set.seed(26))", measure = "OR",
       es = escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = gb),
       order = seq_len(12), labels = paste("Trial", seq_len(12)),
       tables = tables(gb$ai, gb$n1i - gb$ai, gb$ci, gb$n2i - gb$ci)))

FITS <- list(c("FE", "z"), c("DL", "z"), c("REML", "z"), c("REML", "knha"), c("PM", "z"))

influence_out <- function(res) {
  inf <- influence(res)
  list(rstudent = num(inf$inf$rstudent), dffits = num(inf$inf$dffits),
       cook_d = num(inf$inf$cook.d), cov_r = num(inf$inf$cov.r),
       tau2_del = num(inf$inf$tau2.del), q_del = num(inf$inf$QE.del),
       hat = num(inf$inf$hat), weight = num(inf$inf$weight),
       dfbetas = num(inf$dfbs[[1]]), influential = as.logical(inf$is.infl))
}

cumul_out <- function(res, ord) {
  cm <- do.call(cumul, list(res, order = ord))  # the values, not a name, for .getx
  list(order = ord, labels = cm$slab, estimate = num(cm$estimate), se = num(cm$se),
       zval = num(if (is.null(cm$zval)) cm$tval else cm$zval), pval = num(cm$pvals),
       ci_low = num(cm$ci.lb),
       ci_high = num(cm$ci.ub), q = num(cm$Q), q_pval = num(cm$Qp), tau2 = num(cm$tau2),
       i2 = num(cm$I2), h2 = num(cm$H2))
}

trimfill_out <- function(res, estimator) {
  tf <- suppressWarnings(trimfill(res, estimator = estimator))
  list(estimator = estimator, side = tf$side, k0 = tf$k0, k0_se = num(tf$se.k0),
       p_k0 = num(tf$p.k0), estimate = num(tf$beta), se = num(tf$se), tau2 = num(tf$tau2),
       yi = num(tf$yi), vi = num(tf$vi))
}

bias_out <- function(s) {
  t <- s$tables
  a <- num(t$ai); b <- num(t$bi); c <- num(t$ci); d <- num(t$di)  # no integer overflow
  n1 <- a + b; n2 <- c + d; n <- n1 + n2
  z <- a - (a + c) * n1 / n
  v <- n1 * n2 * (a + c) * (b + d) / (n^2 * (n - 1))
  ok <- v > 0
  h <- regtest(rma(yi = z[ok] / v[ok], vi = 1 / v[ok], method = "FE"), model = "lm",
               predictor = "sei")
  es <- escalc("OR", ai = a, bi = b, ci = c, di = d)
  sp <- sqrt(1 / (a + c) + 1 / (b + d))
  okp <- is.finite(sp)
  p <- regtest(rma(yi = es$yi[okp], sei = sp[okp], ni = 1 / n[okp], method = "FE"),
               model = "lm", predictor = "ni")
  reg <- function(r) {
    cf <- coef(summary(r$fit))
    list(k = r$fit$df.residual + 2, intercept = cf[1, 1],
         intercept_se = cf[1, 2], slope = cf[2, 1], slope_se = cf[2, 2], tval = cf[2, 3],
         df = r$dfs, pval = cf[2, 4])
  }
  list(or_yi = num(es$yi), or_vi = num(es$vi), harbord = reg(h), peters = reg(p))
}

cases <- lapply(sets, function(s) {
  yi <- num(s$es$yi); vi <- num(s$es$vi)
  fits <- lapply(FITS, function(mt) {
    res <- suppressWarnings(rma(yi, vi, method = mt[1], test = mt[2]))
    out <- list(method = mt[1], test = mt[2], estimate = num(res$beta), tau2 = num(res$tau2),
                influence = influence_out(res), cumul = cumul_out(res, s$order),
                baujat = {bj <- baujat(res); list(x = num(bj$x), y = num(bj$y))})
    if (mt[2] == "z") {
      out$trimfill <- lapply(c("L0", "R0"), function(e) trimfill_out(res, e))
    }
    out
  })
  rk <- ranktest(rma(yi, vi, method = "FE"))
  out <- list(name = s$name, measure = if (is.null(s$measure)) NA else s$measure,
              labels = s$labels, yi = yi, vi = vi, order = s$order, fits = fits,
              ranktest = list(tau = num(rk$tau), pval = num(rk$pval)))
  if (!is.null(s$tables)) {
    out$tables <- s$tables
    out$bias <- bias_out(s)
  }
  out
})

# Begg's test with tied sampling variances: R's cor.test falls back to the normal
# approximation with the ties correction
ties <- list(yi = c(0.1, 0.5, 0.3, 0.8, 0.2, 0.4, 0.9, 0.05, 0.6, 0.7, 0.35),
             vi = c(0.01, 0.02, 0.02, 0.05, 0.01, 0.03, 0.08, 0.01, 0.04, 0.05, 0.03))
rk_ties <- suppressWarnings(ranktest(rma(ties$yi, ties$vi, method = "FE")))

out <- list(
  source = list(
    script = "tests/reference/make_sensitivity_reference.R",
    calls = c(
      "res <- rma(yi, vi, method, test) for (method, test) in (FE,z) (DL,z) (REML,z) (REML,knha) (PM,z)",
      "influence(res): inf$rstudent, dffits, cook.d, cov.r, tau2.del, QE.del, hat, weight; dfbs; is.infl",
      "cumul(res, order = year)",
      "baujat(res): x, y",
      "trimfill(res, estimator = 'L0' / 'R0') for the z fits: side, k0, se.k0, p.k0, beta, se, tau2, yi, vi",
      "ranktest(rma(yi, vi, method = 'FE')), also on ranktest_ties (tied vi)",
      "Harbord: regtest(rma(yi = Z/V, vi = 1/V, method = 'FE'), model = 'lm', predictor = 'sei'), Z = a - (a+c) n1/n, V = n1 n2 (a+c)(b+d) / (n^2 (n-1)), tables with V > 0",
      "Peters: regtest(rma(yi = log OR (escalc), sei = sqrt(1/(a+c) + 1/(b+d)), ni = 1/n, method = 'FE'), model = 'lm', predictor = 'ni')"),
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    metafor_version = as.character(packageVersion("metafor")),
    read_from = "fields of the returned R objects (not printed output)"),
  cases = cases,
  ranktest_ties = c(ties, list(tau = num(rk_ties$tau), pval = num(rk_ties$pval))))
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, na = "string", pretty = TRUE),
           file.path(out_dir, "sensitivity.json"))
