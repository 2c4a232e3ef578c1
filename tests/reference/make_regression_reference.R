# Reference values for evsum's meta-regression (evsum.stats.regression), computed with metafor.
#
# Usage (from the repository root):
#   Rscript tests/reference/make_regression_reference.R [OUT_DIR]
# OUT_DIR defaults to tests/reference; the script writes regression.json there. The JSON has a
# "source" block (R and metafor versions, the calls), the data sets (BCG with the absolute
# latitude and allocation of dat.bcg, and data sets generated here with a fixed seed and
# rounded, so the JSON holds the exact inputs), and for every case the R call and the fields
# of the fitted object. Numbers carry 15 significant digits; non-finite values are written
# as the strings "NA", "NaN", "Inf", "-Inf". tests/stats/test_reference_live.py re-runs this
# script and checks that it reproduces the committed file.

suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[1] else "tests/reference"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) if (is.null(x)) NA else as.numeric(x)
METHODS <- c("FE", "DL", "REML", "PM", "ML")
TESTS <- c("z", "knha", "adhoc")

# ---- data sets ------------------------------------------------------------------------------
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
bcg$allocation <- ifelse(bcg$alloc == "random", "random", "other")  # randomised or not
datasets <- list(
  bcg = list(
    description = paste(
      "metadat dat.bcg: escalc(measure='RR', ai=tpos, bi=tneg, ci=cpos, di=cneg);",
      "ablat and alloc are dat.bcg's; allocation = ifelse(alloc == 'random', 'random', 'other')"),
    labels = paste(bcg$author, bcg$year),
    tpos = bcg$tpos, tneg = bcg$tneg, cpos = bcg$cpos, cneg = bcg$cneg,
    yi = num(bcg$yi), vi = num(bcg$vi),
    mods = list(ablat = bcg$ablat, alloc = as.character(bcg$alloc),
                allocation = bcg$allocation)))

set.seed(20231)
k <- 16
g <- rep(c("a", "b", "c"), length.out = k)[sample(k)]
x1 <- round(runif(k, 0, 10), 1)
x2 <- round(rnorm(k), 2)
vi <- round(runif(k, 0.01, 0.2), 4)
yi <- round(0.2 + 0.05 * x1 + c(a = 0, b = 0.3, c = -0.2)[g] + 0.1 * x2 +
              rnorm(k, 0, sqrt(vi + 0.05)), 4)
datasets$generated <- list(
  description = "set.seed(20231); 16 studies, numeric x1 and x2, categorical g (a, b, c)",
  yi = yi, vi = vi, mods = list(x1 = x1, x2 = x2, g = g))

x1_na <- x1
x1_na[c(2, 9)] <- NA
datasets$generated_missing <- list(
  description = "the generated data with x1 missing in studies 2 and 9",
  yi = yi, vi = vi, mods = list(x1 = x1_na, g = g))

k <- 10
x <- round(seq(0, 9, length.out = k), 1)
vi <- round(runif(k, 0.2, 0.5), 4)
yi <- round(0.1 + 0.08 * x + rnorm(k, 0, 0.2), 4)
datasets$homogeneous <- list(
  description = "10 studies with large sampling variances and little residual heterogeneity",
  yi = yi, vi = vi, mods = list(x = x))

k <- 6
x <- c(1, 3, 4, 6, 8, 9)
vi <- round(runif(k, 0.02, 0.1), 4)
yi <- round(-0.3 + 0.1 * x + rnorm(k, 0, sqrt(vi + 0.03)), 4)
datasets$small <- list(description = "6 studies, one numeric moderator x",
                       yi = yi, vi = vi, mods = list(x = x))

k <- 8
g <- c("p", "q", "p", "q", "q", "p", "q", "p")
vi <- round(runif(k, 0.02, 0.1), 4)
yi <- round(ifelse(g == "q", 0.4, 0) + rnorm(k, 0, sqrt(vi + 0.05)), 4)
datasets$two_groups <- list(description = "8 studies, a categorical moderator g with 4 + 4",
                            yi = yi, vi = vi, mods = list(g = g))

datasets$non_converged <- list(
  description = "6 studies on which REML Fisher scoring does not converge in 100 steps",
  yi = c(0, 0, 0, 0, 0.67, -0.61), vi = c(1, 1, 1, 1, 0.291, 0.161),
  mods = list(x = c(1.3, 2.1, 1.8, 4.7, 0.6, 0.4)))

frame_of <- function(ds) {
  df <- data.frame(yi = ds$yi, vi = ds$vi)
  for (n in names(ds$mods)) df[[n]] <- ds$mods[[n]]
  df
}

# ---- fits -----------------------------------------------------------------------------------
fit_out <- function(res) {
  list(
    k = res$k, p = res$p, names = rownames(res$beta), estimate = num(res$beta),
    se = num(res$se), zval = num(res$zval), pval = num(res$pval), ci_low = num(res$ci.lb),
    ci_high = num(res$ci.ub), vcov = unname(lapply(seq_len(res$p), function(i) num(res$vb[i, ]))),
    df = num(res$ddf), tau2 = num(res$tau2),
    tau2_se = if (is.null(res$se.tau2)) NA else num(res$se.tau2),
    i2 = num(res$I2), h2 = num(res$H2), r2 = num(res$R2), qm = num(res$QM),
    qm_df = num(res$QMdf[1]), qm_df2 = num(res$QMdf[2]), qm_pval = num(res$QMp),
    btt = res$btt - 1, q = num(res$QE), q_df = res$k - res$p, q_pval = num(res$QEp),
    weights = unname(num(weights(res))), fitted = unname(num(fitted(res))))
}

call_text <- function(formula, method, test, extra = "") {
  sprintf("rma(yi, vi, mods = %s, data = dat, method = '%s', test = '%s'%s)",
          formula, method, test, extra)
}

cases <- list()
add_case <- function(dataset, mods, method, test, btt = NULL, intercept = TRUE) {
  dat <- frame_of(datasets[[dataset]])
  formula <- paste("~", paste(mods, collapse = " + "), if (intercept) "" else "- 1")
  formula <- trimws(formula)
  extra <- if (is.null(btt)) "" else sprintf(", btt = c(%s)", paste(btt, collapse = ", "))
  res <- tryCatch(
    suppressWarnings(rma(yi, vi, mods = as.formula(formula), data = dat, method = method,
                         test = test, btt = btt)),
    error = function(e) e)
  case <- list(dataset = dataset, mods = mods, method = method, test = test,
               intercept = intercept, call = call_text(formula, method, test, extra))
  if (!is.null(btt)) case$btt_r <- btt
  if (inherits(res, "error")) {
    case$error <- conditionMessage(res)
  } else {
    case$fit <- fit_out(res)
  }
  cases[[length(cases) + 1]] <<- case
  res
}

formulas <- list(
  list("bcg", "ablat"), list("bcg", "alloc"), list("bcg", c("ablat", "alloc")),
  list("bcg", "allocation"),
  list("generated", "x1"), list("generated", "g"), list("generated", c("x1", "g")),
  list("generated", c("x1", "x2")), list("generated_missing", c("x1", "g")),
  list("homogeneous", "x"), list("small", "x"), list("two_groups", "g"))
for (f in formulas) for (method in METHODS) for (test in TESTS) {
  add_case(f[[1]], f[[2]], method, test)
}
for (test in c("z", "knha")) add_case("bcg", c("ablat", "alloc"), "REML", test, btt = 3:4)
# metafor stops with "Fisher scoring algorithm did not converge" (the case records the error)
for (method in c("REML", "DL")) add_case("non_converged", "x", method, "z")
# models without an intercept: the first factor gets a column per level (R's model.matrix)
for (mods in list("g", c("x1", "g"), "x1")) for (method in c("FE", "DL", "REML", "PM", "ML")) {
  add_case("generated", mods, method, "z", intercept = FALSE)
}
for (method in c("REML", "DL")) add_case("generated", c("x1", "g"), method, "knha",
                                         intercept = FALSE)

# ---- predict() ------------------------------------------------------------------------------
pred_out <- function(pr) {
  list(estimate = num(pr$pred), se = num(pr$se), ci_low = num(pr$ci.lb),
       ci_high = num(pr$ci.ub),
       pi_low = if (is.null(pr$pi.lb)) rep(NA, length(pr$pred)) else num(pr$pi.lb),
       pi_high = if (is.null(pr$pi.ub)) rep(NA, length(pr$pred)) else num(pr$pi.ub))
}
predictions <- list()
add_prediction <- function(dataset, mods, method, test, newmods, newmods_r, transf = NULL) {
  dat <- frame_of(datasets[[dataset]])
  formula <- paste("~", paste(mods, collapse = " + "))
  res <- suppressWarnings(rma(yi, vi, mods = as.formula(formula), data = dat, method = method,
                              test = test))
  pr <- if (is.null(newmods_r)) {
    predict(res)
  } else if (is.null(transf)) {
    predict(res, newmods = newmods_r)
  } else {
    predict(res, newmods = newmods_r, transf = exp)
  }
  rcall <- sprintf("predict(%s, newmods = %s%s)", call_text(formula, method, test),
                   paste(deparse(newmods_r), collapse = ""),
                   if (is.null(transf)) "" else ", transf = exp")
  predictions[[length(predictions) + 1]] <<- c(
    list(dataset = dataset, mods = mods, method = method, test = test, newmods = newmods,
         transf = if (is.null(transf)) NA else transf, call = rcall),
    pred_out(pr))
}
lat <- c(10, 20, 30, 40, 50, 60)
for (test in TESTS) {
  add_prediction("bcg", "ablat", "REML", test, list(ablat = lat), lat)
  add_prediction("bcg", "ablat", "REML", test, list(ablat = lat), lat, transf = "exp")
}
add_prediction("bcg", "ablat", "FE", "z", list(ablat = lat), lat)
add_prediction("bcg", "ablat", "DL", "z", NULL, NULL)
add_prediction("bcg", c("ablat", "alloc"), "REML", "z",
               list(ablat = c(20, 40, 50), alloc = c("alternate", "random", "systematic")),
               rbind(c(20, 0, 0), c(40, 1, 0), c(50, 0, 1)))
add_prediction("generated", c("x1", "g"), "DL", "knha",
               list(x1 = c(0, 5, 10, 2.5), g = c("a", "b", "c", "c")),
               rbind(c(0, 0, 0), c(5, 1, 0), c(10, 0, 1), c(2.5, 0, 1)))
add_prediction("generated", c("x1", "x2"), "PM", "z",
               list(x1 = c(1, 9), x2 = c(-1, 0.5)), rbind(c(1, -1), c(9, 0.5)))

# ---- permutest(exact = TRUE) ----------------------------------------------------------------
perms <- list()
add_permutest <- function(dataset, mods, method, test) {
  dat <- frame_of(datasets[[dataset]])
  formula <- paste("~", paste(mods, collapse = " + "))
  res <- suppressWarnings(rma(yi, vi, mods = as.formula(formula), data = dat, method = method,
                              test = test))
  pt <- permutest(res, exact = TRUE, progbar = FALSE)
  perms[[length(perms) + 1]] <<- list(
    dataset = dataset, mods = mods, method = method, test = test,
    call = sprintf("permutest(%s, exact = TRUE)", call_text(formula, method, test)),
    names = rownames(res$beta), pval = num(pt$pval), qm_pval = num(pt$QMp))
}
add_permutest("small", "x", "REML", "z")
add_permutest("small", "x", "DL", "knha")
add_permutest("two_groups", "g", "REML", "z")
add_permutest("two_groups", "g", "FE", "z")

writeLines(toJSON(list(
  source = list(
    script = "tests/reference/make_regression_reference.R",
    calls = c(
      "rma(yi, vi, mods = ~ <moderators>, data = dat, method = method, test = test) for method in FE, DL, REML, PM, ML and test in z, knha, adhoc (each case names its call)",
      "predict(fit, newmods = ...) and predict(fit, newmods = ..., transf = exp)",
      "permutest(fit, exact = TRUE)"),
    fields = "names = rownames(beta); vcov = vb; df = ddf; r2 = R2; qm, qm_df, qm_df2, qm_pval = QM, QMdf, QMp; q, q_pval = QE, QEp; btt 0-based; weights(fit); fitted(fit)",
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    metafor_version = as.character(packageVersion("metafor")),
    read_from = "fields of the returned R objects (not printed output)"),
  datasets = datasets, cases = cases, predictions = predictions, permutest = perms),
  digits = I(15), auto_unbox = TRUE, na = "string", pretty = TRUE),
  file.path(out_dir, "regression.json"))
